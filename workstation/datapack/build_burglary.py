"""Build burglary_lattice and burglary_unplaced from the police.uk street CSVs.

Source: ``police_uk_burglary/*.csv.gz`` (police.uk street-level crime, Metropolitan
Police Service, 2019-01..2024-08, burglary rows only), read with the app's own police.uk
loader so the pack and a user's import place rows identically. Points are counted on
the 100 m British National Grid lattice: 100 m is the grid of the hotspot engine and
coarser than police.uk's anonymised snap points are apart in dense streets, so no
precision is thrown away that the source had. Every source row is either in a lattice
count or in burglary_unplaced (tests check the sums against the 338,055 rows).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from workstation.datapack.io import write_table
from workstation.loaders.incidents import summary
from workstation.loaders.locate import BoroughLocator
from workstation.loaders.police_uk import load_police_uk

SOURCE_FOLDER = "police_uk_burglary"
CELL_SIZE_M = 100
LICENCE = "OGL v3.0 (Home Office / Metropolitan Police Service via data.police.uk)"


def lattice_from_incidents(frame: pd.DataFrame, cell_size_m: int = CELL_SIZE_M) -> pd.DataFrame:
    """Count incidents per month, crime type, lattice cell (SW corner, metres) and borough."""
    cells = pd.DataFrame({
        "month": frame["month"].astype(str),
        "crime_type": frame["crime_type"].astype(str),
        "cell_e": (np.floor(frame["easting_m"].to_numpy() / cell_size_m) * cell_size_m)
        .astype("int32"),
        "cell_n": (np.floor(frame["northing_m"].to_numpy() / cell_size_m) * cell_size_m)
        .astype("int32"),
        "gss_code": frame["gss_code"].astype(str),
    })
    keys = ["month", "crime_type", "cell_e", "cell_n", "gss_code"]
    lattice = cells.groupby(keys, sort=True, observed=True).size().rename("incidents").reset_index()
    lattice["incidents"] = lattice["incidents"].astype("int32")
    for col in ("month", "crime_type", "gss_code"):
        lattice[col] = lattice[col].astype(str)
    return lattice


def unplaced_by_month(unplaced: pd.DataFrame) -> pd.DataFrame:
    counts = (pd.DataFrame({"month": unplaced["month"].astype(str),
                            "reason": unplaced["reason"].astype(str)})
              .groupby(["month", "reason"], sort=True).size().rename("rows").reset_index())
    counts["rows"] = counts["rows"].astype("int32")
    return counts


def build(source: Path, out: Path) -> dict:
    boroughs_path = out / "boroughs.parquet"
    boroughs = gpd.read_parquet(boroughs_path)  # written by build_geo, which runs first
    incidents = load_police_uk(source / SOURCE_FOLDER,
                               boroughs=BoroughLocator.from_frame(boroughs))
    info = summary(incidents)
    lattice = lattice_from_incidents(incidents.frame)
    unplaced = unplaced_by_month(incidents.unplaced)
    sources = [f"{SOURCE_FOLDER}/{name}" for name in incidents.sources]
    coverage = {
        "months": [info["months"]["first"], info["months"]["last"]],
        "month_count": info["months"]["count"],
        "forces": sorted(info["forces"]),
        "crime_types": sorted(info["crime_types"]),
        "rows_total": info["rows_total"],
        "rows_placed": info["rows_placed"],
        "rows_unplaced": info["rows_unplaced"],
        "rows_outside_london": info["rows_outside_london"],
        "unplaced_reasons": info["unplaced_reasons"],
        "cell_size_m": CELL_SIZE_M,
        "crs": "EPSG:27700",
    }
    tables = {}
    for name, frame in (("burglary_lattice", lattice), ("burglary_unplaced", unplaced)):
        entry = write_table(frame, out, name)
        entry["sources"] = [f"{SOURCE_FOLDER}/*.csv.gz ({len(sources)} files)"]
        entry["licence"] = LICENCE
        entry["coverage"] = coverage
        tables[name] = entry
    return tables
