"""The shipped burglary lattice accounts for every police.uk row and rebuilds identically."""

from __future__ import annotations

import shutil

import pandas as pd

from workstation.datapack.build_burglary import build

TOTAL_ROWS = 338_055
NO_COORDINATE_ROWS = 4_826


def test_lattice_plus_unplaced_is_every_row(pack):
    lattice = pack.table("burglary_lattice")
    unplaced = pack.table("burglary_unplaced")
    assert int(lattice["incidents"].sum()) + int(unplaced["rows"].sum()) == TOTAL_ROWS
    assert int(unplaced.loc[unplaced["reason"] == "no coordinates", "rows"].sum()) \
        == NO_COORDINATE_ROWS
    assert lattice["month"].nunique() == 68
    assert ((lattice["cell_e"] % 100 == 0) & (lattice["cell_n"] % 100 == 0)).all()
    assert not lattice.duplicated(["month", "crime_type", "cell_e", "cell_n", "gss_code"]).any()
    london = lattice[lattice["gss_code"] != ""]
    assert london["gss_code"].nunique() == 33
    assert london["incidents"].sum() > 0.99 * lattice["incidents"].sum()


def test_lattice_matches_the_loader(pack, burglary_all):
    lattice = pack.table("burglary_lattice")
    westminster = burglary_all.frame["gss_code"] == "E09000033"
    assert lattice.loc[lattice["gss_code"] == "E09000033", "incidents"].sum() \
        == westminster.sum()


def test_rebuild_equals_shipped(shared_data, pack, tmp_path):
    shutil.copy(pack.root / "boroughs.parquet", tmp_path / "boroughs.parquet")
    entries = build(shared_data, tmp_path)
    for name in ("burglary_lattice", "burglary_unplaced"):
        rebuilt = pd.read_parquet(tmp_path / f"{name}.parquet")
        pd.testing.assert_frame_equal(rebuilt, pack.table(name))
        assert entries[name]["coverage"]["rows_total"] == TOTAL_ROWS
