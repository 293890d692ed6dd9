"""Build the geography tables: boroughs (full resolution), boroughs_simplified and bcus.

Source: ``boundaries/london_boroughs.geojson`` (GLA Statistical GIS Boundary Files,
London_Borough_Excluding_MHW, WGS84) and ``reference/met_bcu_2019.csv`` (the Met's 12
Basic Command Units, 2019; City of London is policed by its own force, code ``COL``).
Everything is reprojected to EPSG:27700 so areas and distances are in metres.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from workstation.datapack.io import write_table
from workstation.domain import BNG

BOUNDARIES_FILE = "boundaries/london_boroughs.geojson"
BCU_FILE = "reference/met_bcu_2019.csv"
N_BOROUGHS = 33

# Drawing tolerance: 25 m is well under a pixel on a whole-London map (~60 m/px at
# 800 px across 45 km) yet shrinks the boundaries roughly tenfold.
SIMPLIFY_TOLERANCE_M = 25.0

LICENCE = ("OGL v3.0; Contains National Statistics data © Crown copyright and database right; "
           "Contains OS data © Crown copyright and database right")


def load_boroughs(source: Path) -> gpd.GeoDataFrame:
    """The 33 boroughs in EPSG:27700 with their BCU, sorted by gss_code (canonical order)."""
    raw = gpd.read_file(source / BOUNDARIES_FILE)
    if len(raw) != N_BOROUGHS or raw["gss_code"].nunique() != N_BOROUGHS:
        raise ValueError(f"{BOUNDARIES_FILE}: expected {N_BOROUGHS} distinct boroughs, "
                         f"got {len(raw)} rows")
    # keep_default_na=False: "NA" is the North Area BCU code, not a missing value.
    bcu = pd.read_csv(source / BCU_FILE, dtype=str, keep_default_na=False)
    bcu = bcu[bcu["bcu_code"].str.strip() != ""]
    missing = sorted(set(raw["gss_code"]) - set(bcu["gss_code"]))
    if missing:
        raise ValueError(f"{BCU_FILE} has no BCU for boroughs {missing}")
    frame = raw.to_crs(BNG).merge(bcu[["gss_code", "bcu_code", "bcu_name"]],
                                  on="gss_code", how="left", validate="one_to_one")
    frame["geometry"] = shapely.make_valid(frame.geometry.values)
    frame["inner_london"] = frame["ons_inner"].astype(str).str.upper().eq("T")
    frame["area_m2"] = frame.geometry.area.astype(float)
    frame["name"] = frame["name"].astype(str)
    frame = frame.sort_values("gss_code").reset_index(drop=True)
    return gpd.GeoDataFrame(frame[["gss_code", "name", "bcu_code", "bcu_name", "inner_london",
                                   "area_m2", "geometry"]], geometry="geometry", crs=BNG)


def simplify_boroughs(boroughs: gpd.GeoDataFrame,
                      tolerance_m: float = SIMPLIFY_TOLERANCE_M) -> gpd.GeoDataFrame:
    """Simplify as a coverage so neighbouring boroughs keep exactly the same shared edge
    (no slivers or gaps when drawn); area_m2 stays the full-resolution area."""
    simplified = boroughs.copy()
    geoms = shapely.coverage_simplify(boroughs.geometry.values, tolerance_m)
    simplified["geometry"] = shapely.set_precision(geoms, 1.0)  # metre grid: smaller file
    simplified["geometry"] = shapely.make_valid(simplified.geometry.values)
    return simplified


def dissolve_bcus(boroughs: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per BCU; borough_codes lists member boroughs comma-joined in gss order."""
    rows = []
    for (code, name), group in boroughs.groupby(["bcu_code", "bcu_name"], sort=True):
        rows.append({"bcu_code": code, "bcu_name": name,
                     "borough_codes": ",".join(sorted(group["gss_code"])),
                     "geometry": shapely.union_all(group.geometry.values)})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=BNG)


def build(source: Path, out: Path) -> dict:
    boroughs = load_boroughs(source)
    sources = [BOUNDARIES_FILE, BCU_FILE]
    entries = {}
    for name, frame in [("boroughs", boroughs),
                        ("boroughs_simplified", simplify_boroughs(boroughs)),
                        ("bcus", dissolve_bcus(boroughs))]:
        entry = write_table(frame, out, name)
        entry["sources"] = sources
        entry["licence"] = LICENCE
        entry["coverage"] = {"crs": BNG, "boundaries": "London boroughs excluding mean high water "
                             "(GLA Statistical GIS Boundary Files); BCUs as of 2019"}
        entries[name] = entry
    return entries
