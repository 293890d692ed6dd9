"""Build ``lsoa21_boundaries``: London's 4,994 Census 2021 LSOAs, simplified, with population.

Source: ``boundaries/London-LSOA-2021.gpkg`` (ONS 2021 Census LSOA boundaries, EPSG:27700,
``pop2021`` = usual residents, summing to the 2021 Census total 8,799,631). LSOAs are the
smallest published census area (~1,500 residents): hotspots are tagged with the LSOA they
fall in, the map draws them at close zoom and the Community Safety Index is built on them.
Simplified as a coverage (``shapely.coverage_simplify``, 5 m, then a 1 m grid) so
neighbours keep sharing one edge and the table stays small; 5 m is under a tenth of the
smallest LSOA's width, so no LSOA loses its shape. The borough is the LSOA name minus its
"001A" suffix, matched to the pack's borough names (the build fails on a name it cannot
match).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from workstation.datapack.io import write_table
from workstation.domain import BNG

SOURCE_FILE = "boundaries/London-LSOA-2021.gpkg"
SIMPLIFY_TOLERANCE_M = 5.0
GRID_SIZE_M = 1.0
LICENCE = "OGL v3.0; Contains National Statistics data © Crown copyright and database right; " \
          "Contains OS data © Crown copyright and database right"


def borough_of(lsoa_names, boroughs) -> tuple[np.ndarray, np.ndarray]:
    """(gss_code, borough name) per LSOA from its name, e.g. 'Camden 027C' -> Camden."""
    by_name = {str(n).casefold(): (str(c), str(n)) for c, n in zip(boroughs["gss_code"], boroughs["name"])}
    codes, names = [], []
    for lsoa_name in lsoa_names:
        stem = str(lsoa_name).rsplit(" ", 1)[0].casefold()
        if stem not in by_name:
            raise ValueError(f"{SOURCE_FILE}: LSOA '{lsoa_name}' names no London borough "
                             f"(expected one of {sorted(by_name)})")
        code, name = by_name[stem]
        codes.append(code)
        names.append(name)
    return np.asarray(codes, dtype=object), np.asarray(names, dtype=object)


def lsoa_table(path: Path, boroughs) -> gpd.GeoDataFrame:
    raw = gpd.read_file(path)
    if raw.crs is None or raw.crs.to_epsg() != 27700:
        raw = raw.to_crs(BNG)
    raw = raw.sort_values("lsoa21cd").reset_index(drop=True)
    population = raw["pop2021"].astype(str).str.replace(",", "").astype("int64")
    codes, names = borough_of(raw["lsoa21nm"], boroughs)
    geoms = shapely.coverage_simplify(shapely.make_valid(raw.geometry.to_numpy()), SIMPLIFY_TOLERANCE_M)
    geoms = shapely.make_valid(shapely.set_precision(geoms, GRID_SIZE_M))
    return gpd.GeoDataFrame({
        "lsoa21_code": raw["lsoa21cd"].astype(str), "lsoa21_name": raw["lsoa21nm"].astype(str),
        "gss_code": codes.astype(str), "borough": names.astype(str),
        "population_2021": population.astype("int32"),
        "area_m2": raw.geometry.area.round(0).to_numpy(),  # full-resolution area
    }, geometry=geoms, crs=BNG)


def build(source: Path, out: Path) -> dict:
    boroughs = gpd.read_parquet(out / "boroughs.parquet")  # written by build_geo, which runs first
    table = lsoa_table(source / SOURCE_FILE, boroughs)
    entry = write_table(table, out, "lsoa21_boundaries")
    entry["sources"] = [SOURCE_FILE]
    entry["licence"] = LICENCE
    entry["coverage"] = {"crs": "EPSG:27700", "census_day": "2021-03-21",
                         "population_2021_total": int(table["population_2021"].sum()),
                         "simplify_tolerance_m": SIMPLIFY_TOLERANCE_M}
    return {"lsoa21_boundaries": entry}
