"""Property tests: any subset or shuffle of real rows is imported with every row
accounted for, and each row is placed the same way wherever it sits in the file."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workstation.errors import InputError
from workstation.loaders.incident_table import load_incident_table
from workstation.loaders.police_uk import load_police_uk

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def police_pool(month_lines, locator, tmp_path_factory):
    """Header, 130 located rows and the 20 rows without coordinates of 2019-01, with the
    borough each row gets when loaded in file order (the reference)."""
    header, rows = month_lines[0], month_lines[1:131] + month_lines[-20:]
    path = tmp_path_factory.mktemp("pool") / "2019-01-metropolitan-street.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    ref = load_police_uk(path, boroughs=locator)
    assert ref.rows_total == 150 and ref.rows_unplaced == 20
    placed_rows = sorted(set(range(1, 151)) - set(ref.unplaced["row"]))
    borough = dict(zip(placed_rows, ref.frame["gss_code"].astype(str)))
    return header, rows, borough


@SETTINGS
@given(picks=st.lists(st.integers(0, 149), min_size=1, max_size=80))
def test_police_uk_any_subset_or_shuffle(police_pool, locator, picks):
    header, rows, borough = police_pool
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "2019-01-metropolitan-street.csv"
        path.write_text("\n".join([header, *(rows[i] for i in picks)]) + "\n", encoding="utf-8")
        got = load_police_uk(path, boroughs=locator)
    assert got.rows_total == len(picks)
    no_coords = sum(1 for i in picks if i >= 130)
    assert got.rows_unplaced == no_coords
    expected = Counter(borough[i + 1] for i in picks if i < 130)
    assert Counter(got.frame["gss_code"].astype(str)) == expected
    assert sorted(got.unplaced["row"]) == [n + 1 for n, i in enumerate(picks) if i >= 130]


@pytest.fixture(scope="module")
def stop_pool(stop_search_lines):
    return stop_search_lines[0], stop_search_lines[1:301]


@SETTINGS
@given(picks=st.lists(st.integers(0, 299), min_size=1, max_size=80))
def test_incident_table_any_subset_or_shuffle(stop_pool, locator, picks):
    header, rows = stop_pool
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "stops.csv"
        path.write_text("\n".join([header, *(rows[i] for i in picks)]) + "\n", encoding="utf-8")
        blank = sum(1 for i in picks if rows[i].split(",")[4] == "")
        if blank == len(picks):   # no row can be placed: an error, never an empty import
            with pytest.raises(InputError, match="no row could be placed"):
                load_incident_table(path, boroughs=locator)
            return
        got = load_incident_table(path, boroughs=locator)
    assert got.rows_total == len(picks)
    assert (got.unplaced["reason"] == "no coordinates").sum() == blank
