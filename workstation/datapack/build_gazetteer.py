"""Build ``policeuk_gazetteer``: the police.uk snap points London's rows fall on, with names.

police.uk moves every crime to one of a fixed national list of anonymised map points (the
centre of a street or a public place, each labelled "On or near <name>"). Those names are
the only street names the crime data carry, so hotspots are named from them and the map
labels streets with them. Source: every month in ``police_uk_burglary`` (Met, burglary,
2019-01..2024-08) and ``police_uk_city_of_london`` (City of London Police, all types, 2023).
One row per distinct point (name + coordinates), with the number of source rows on it.
Read straight from the CSVs (only Longitude, Latitude, Location): the incident loader
deliberately drops the location text.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from pyproj import Transformer

from workstation.datapack.io import write_table
from workstation.domain import BNG, WGS84

SOURCE_FOLDERS = ("police_uk_burglary", "police_uk_city_of_london")
LICENCE = "OGL v3.0 (Home Office / Metropolitan Police Service / City of London Police via data.police.uk)"
PREFIX = "On or near "
# London's bounding box in BNG with a 5 km margin: drops rows police.uk placed far away
LONDON_BOX_M = (498_000.0, 150_000.0, 566_000.0, 206_000.0)


def clean_location(text: pd.Series) -> pd.Series:
    """'On or near Oxford Street' -> 'Oxford Street'; blank, a bare 'On or near' and
    'No Location' -> '' (such rows name nothing and are left out)."""
    out = text.fillna("").astype(str).str.strip()
    out = out.str.replace(r"^On or near\b\s*", "", regex=True).str.strip()
    # police.uk title-cases after apostrophes ("John Prince'S Street"): undo that one slip
    out = out.str.replace(r"'S\b", "'s", regex=True)
    return out.where(~out.str.casefold().isin({"no location", ""}), "")


def read_points(paths: list[Path]) -> pd.DataFrame:
    """(name, easting_m, northing_m, incidents) per distinct snap point in these CSVs."""
    frames = []
    options = pacsv.ConvertOptions(include_columns=["Longitude", "Latitude", "Location"],
                                   column_types={"Longitude": pa.float64(), "Latitude": pa.float64(),
                                                 "Location": pa.string()})
    for path in paths:
        table = pacsv.read_csv(path, convert_options=options)
        table = table.filter(pc.and_(pc.is_valid(table["Longitude"]), pc.is_valid(table["Latitude"])))
        frames.append(table.to_pandas())
    if not frames:
        raise FileNotFoundError("no police.uk street CSVs found for the gazetteer")
    rows = pd.concat(frames, ignore_index=True)
    rows["name"] = clean_location(rows["Location"])
    rows = rows[rows["name"] != ""]
    points = (rows.groupby(["name", "Longitude", "Latitude"], sort=True).size()
              .rename("incidents").reset_index())
    transformer = Transformer.from_crs(WGS84, BNG, always_xy=True)
    e, n = transformer.transform(points["Longitude"].to_numpy(), points["Latitude"].to_numpy())
    x0, y0, x1, y1 = LONDON_BOX_M
    keep = np.isfinite(e) & (e >= x0) & (e <= x1) & (n >= y0) & (n <= y1)
    # police.uk gives 6 decimals of a degree (~0.1 m): round BNG to 1 m, ample for a label
    out = pd.DataFrame({"name": points["name"].to_numpy()[keep],
                        "easting_m": np.round(e[keep]).astype("int32"),
                        "northing_m": np.round(n[keep]).astype("int32"),
                        "incidents": points["incidents"].to_numpy()[keep].astype("int32")})
    out = (out.groupby(["name", "easting_m", "northing_m"], sort=True)["incidents"].sum()
           .reset_index())
    out["incidents"] = out["incidents"].astype("int32")
    return out


def source_files(source: Path) -> list[Path]:
    return [p for folder in SOURCE_FOLDERS for p in sorted((source / folder).glob("*-street.csv*"))]


def build(source: Path, out: Path) -> dict:
    paths = source_files(source)
    gazetteer = read_points(paths)
    entry = write_table(gazetteer, out, "policeuk_gazetteer")
    entry["sources"] = [f"{folder}/*-street.csv.gz ({sum(1 for p in paths if p.parent.name == folder)} files)"
                        for folder in SOURCE_FOLDERS]
    entry["licence"] = LICENCE
    entry["coverage"] = {"crs": "EPSG:27700", "rows_read": int(gazetteer["incidents"].sum()),
                         "distinct_names": int(gazetteer["name"].nunique())}
    return {"policeuk_gazetteer": entry}
