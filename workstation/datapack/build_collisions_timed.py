"""Build collisions_timed: every injury road collision in the 32 Met boroughs in 2022 with
its true date and time (DfT STATS19, London 2022 file), placed by its point.

The one incident set in the pack with a real hour of *week*: the real-timing backtest
(``workstation backtest``) scores plans against it, so it runs without the raw file.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from workstation.datapack.io import write_table

TIMED_COLLISIONS_FILE = "incidents/stats19_london_collisions_2022.csv.gz"
OGL_DFT = ("OGL v3.0; Department for Transport STATS19; "
           "Contains public sector information licensed under the Open Government Licence v3.0")


def build(source: Path, out: Path) -> dict:
    from workstation.loaders.stats19 import read_collisions

    boroughs = gpd.read_parquet(out / "boroughs.parquet")
    collisions = read_collisions(source / TIMED_COLLISIONS_FILE, boroughs)
    frame = (collisions.frame.assign(occurred_at=collisions.frame["occurred_at"]
                                     .astype("datetime64[us]"))
             .sort_values(["occurred_at", "gss_code"]).reset_index(drop=True))
    entry = write_table(frame, out, "collisions_timed")
    entry.update(sources=[TIMED_COLLISIONS_FILE], licence=OGL_DFT,
                 coverage={**collisions.to_dict(), "note": (
                     "local clock time of each collision; placed in a borough by its point "
                     "(EPSG:27700); the pack's collisions_borough_hour (another copy) holds "
                     "16,870 collisions for 2022, this file 23,466")})
    return {"collisions_timed": entry}
