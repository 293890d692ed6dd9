"""Incident store: one Parquet per import beside the project, written atomically."""

from __future__ import annotations

import pandas as pd
import pytest

from workstation.errors import InputError
from workstation.loaders.incident_table import load_incident_table
from workstation.loaders.police_uk import load_police_uk
from workstation.loaders.store import (incidents_folder, list_imports, load_incidents,
                                       save_incidents)


def test_round_trip_police_uk(burglary_dir, locator, tmp_path):
    original = load_police_uk(burglary_dir / "2019-01-metropolitan-street.csv.gz",
                              boroughs=locator)
    folder = incidents_folder(tmp_path / "plan.ldw")
    assert folder == tmp_path / "plan.incidents"
    path = save_incidents(original, folder)
    assert path.parent == folder and path.suffix == ".parquet"
    assert [p.name for p in folder.iterdir()] == [path.name]  # no temporary left behind
    loaded = load_incidents(path)
    pd.testing.assert_frame_equal(loaded.frame, original.frame, check_categorical=False)
    assert loaded.rows_unplaced == original.rows_unplaced == 20
    assert loaded.unplaced["row"].tolist() == original.unplaced["row"].tolist()
    assert loaded.sources == original.sources


def test_round_trip_with_timestamps_and_two_imports(incidents_dir, locator, tmp_path):
    original = load_incident_table(
        incidents_dir / "police_uk_2016-06_metropolitan_stop_and_search.csv", boroughs=locator)
    first = save_incidents(original, tmp_path / "p.incidents")
    second = save_incidents(original, tmp_path / "p.incidents")
    assert first != second and list_imports(tmp_path / "p.incidents") == sorted([first, second])
    loaded = load_incidents(second)
    assert (loaded.frame["occurred_at"] == original.frame["occurred_at"]).all()
    assert loaded.unplaced["reason"].astype(str).value_counts().to_dict() == \
        original.unplaced["reason"].astype(str).value_counts().to_dict()


def test_foreign_parquet_is_rejected(tmp_path):
    path = tmp_path / "other.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(path)
    with pytest.raises(InputError, match="not an incident store file"):
        load_incidents(path)
