"""Generic incident tables on the real samples: stop-and-search (ISO UTC timestamps,
lat/lon) and STATS19 (dd/mm/yyyy + HH:MM, OS grid easting/northing)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from workstation.domain import BNG, WGS84
from workstation.errors import InputError
from workstation.loaders import import_incidents
from workstation.loaders.incident_table import detect_mapping, load_incident_table, preview_table

STOP_SEARCH = "police_uk_2016-06_metropolitan_stop_and_search.csv"
STATS19 = "stats19_collision_2022_met_first1049rows.csv"


@pytest.fixture(scope="module")
def stop_search(incidents_dir, locator):
    return load_incident_table(incidents_dir / STOP_SEARCH, boroughs=locator)


@pytest.fixture(scope="module")
def stats19(incidents_dir, locator):
    return load_incident_table(incidents_dir / STATS19, boroughs=locator)


def test_stop_and_search_rows_and_utc_to_london_time(stop_search):
    assert stop_search.rows_total == 10_490
    reasons = stop_search.unplaced["reason"].value_counts()
    assert reasons["no coordinates"] == 871  # SOURCES.txt: 871 blank Longitude
    assert stop_search.rows_placed + stop_search.rows_unplaced == 10_490
    # 2016-05-31T23:01:00+00:00 is 00:01 BST on 1 June
    first = stop_search.frame.iloc[0]
    assert first["occurred_at"] == pd.Timestamp("2016-06-01 00:01")
    assert first["month"] == "2016-06"
    assert stop_search.months == ("2016-06",)
    assert set(stop_search.crime_types) == {"Person search", "Person and Vehicle search",
                                           "Vehicle search"}
    assert stop_search.frame["occurred_at"].notna().all()


def test_stats19_bng_date_and_time(stats19, stats19_lines):
    assert stats19.rows_total == 1_049 and stats19.rows_unplaced == 0
    first = stats19.frame.iloc[0]
    assert first["incident_id"] == "2022010352073"
    assert first["occurred_at"] == pd.Timestamp("2022-01-05 16:40")
    assert (first["easting_m"], first["northing_m"]) == (525199.0, 177928.0)
    # the file's own local authority code must match our borough for nearly every row
    raw = pd.read_csv(io.StringIO("\n".join(stats19_lines)), dtype=str)
    agree = (stats19.frame["gss_code"].astype(str).to_numpy()
             == raw["local_authority_ons_district"].to_numpy()).mean()
    assert agree > 0.95  # collisions on boundary roads go to the highway authority
    assert stats19.frame["occurred_at"].dt.hour.nunique() == 24


def test_preview_reports_mapping_and_crs(incidents_dir):
    preview = preview_table(incidents_dir / STATS19, n=5)
    assert len(preview.rows) == 5 and preview.columns[0] == "accident_index"
    assert preview.crs == BNG
    assert preview.mapping["easting"] == "location_easting_osgr"
    assert preview.mapping["date"] == "date" and preview.mapping["time"] == "time"
    ss = preview_table(incidents_dir / STOP_SEARCH)
    assert ss.crs == WGS84 and ss.mapping["latitude"] == "Latitude" and len(ss.rows) == 20


def test_mapping_override_and_unknown_field():
    cols = ["Ref", "When", "Offence", "LAT", "LON"]
    assert detect_mapping(cols) == {"id": "Ref", "crime_type": "Offence", "latitude": "LAT",
                                    "longitude": "LON"}
    got = detect_mapping(cols, {"datetime": "When", "crime_type": "Ref"})
    assert got["datetime"] == "When" and got["crime_type"] == "Ref" and "id" not in got
    with pytest.raises(InputError, match="unknown mapping field"):
        detect_mapping(cols, {"when": "When"})


def test_xlsx_and_parquet_give_the_same_incidents(stats19_lines, tmp_path, locator, stats19):
    raw = pd.read_csv(io.StringIO("\n".join(stats19_lines[:201])), dtype=str)
    xlsx = tmp_path / "extract.xlsx"
    raw.to_excel(xlsx, index=False)
    parquet = tmp_path / "extract.parquet"
    raw.to_parquet(parquet)
    for path in (xlsx, parquet):
        got = load_incident_table(path, boroughs=locator)
        assert got.rows_total == 200
        np.testing.assert_array_equal(got.frame["easting_m"], stats19.frame["easting_m"][:200])
        assert (got.frame["occurred_at"].to_numpy()
                == stats19.frame["occurred_at"][:200].to_numpy()).all()


def test_import_dispatches_by_header(incidents_dir, burglary_dir, locator):
    table = import_incidents(incidents_dir / STATS19, boroughs=locator)
    assert table.sources == (STATS19,)
    police = import_incidents(burglary_dir / "2020-04-metropolitan-street.csv.gz",
                              boroughs=locator)
    assert police.rows_total == 3_661 and police.forces == ("Metropolitan Police Service",)
