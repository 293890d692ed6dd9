"""police.uk loader on the real 68 months of Met burglary."""

from __future__ import annotations

import gzip
import zipfile

import numpy as np
import pandas as pd
import pytest

from workstation.domain import CancelToken, Cancelled
from workstation.loaders.incidents import INCIDENT_COLUMNS, UNPLACED_COLUMNS, summary
from workstation.loaders.police_uk import load_police_uk

TOTAL_ROWS = 338_055
NO_COORDINATE_ROWS = 4_826
MET = "Metropolitan Police Service"


def test_every_real_row_is_accounted_for(burglary_all):
    assert burglary_all.rows_total == TOTAL_ROWS
    assert burglary_all.rows_unplaced == NO_COORDINATE_ROWS
    assert set(burglary_all.unplaced["reason"].astype(str)) == {"no coordinates"}
    assert burglary_all.rows_placed == TOTAL_ROWS - NO_COORDINATE_ROWS
    assert len(burglary_all.sources) == 68


def test_rows_per_file_match_the_source_files(burglary_all, burglary_dir):
    placed = burglary_all.frame["source"].value_counts()
    unplaced = burglary_all.unplaced["source"].value_counts()
    for name in ("2019-01-metropolitan-street.csv.gz", "2024-08-metropolitan-street.csv.gz"):
        lines = gzip.decompress((burglary_dir / name).read_bytes()).decode().splitlines()
        assert placed.get(name, 0) + unplaced.get(name, 0) == len(lines) - 1


def test_frame_contract(burglary_all):
    assert tuple(burglary_all.frame.columns) == INCIDENT_COLUMNS
    assert tuple(burglary_all.unplaced.columns) == UNPLACED_COLUMNS
    frame = burglary_all.frame
    assert frame["easting_m"].dtype == np.float64 and frame["northing_m"].dtype == np.float64
    assert frame["occurred_at"].dtype == "datetime64[ns]" and frame["occurred_at"].isna().all()
    for col in ("month", "crime_type", "gss_code", "force", "source"):
        assert isinstance(frame[col].dtype, pd.CategoricalDtype), col
    # compact: ~333k rows well under 100 bytes a row including 64-char ids
    assert frame.memory_usage(deep=True).sum() / len(frame) < 150


def test_months_forces_types(burglary_all):
    assert burglary_all.months[0] == "2019-01" and burglary_all.months[-1] == "2024-08"
    assert len(burglary_all.months) == 68
    assert burglary_all.forces == (MET,)
    assert burglary_all.crime_types == ("Burglary",)
    info = summary(burglary_all)
    assert info["rows_total"] == TOTAL_ROWS
    assert info["unplaced_reasons"] == {"no coordinates": NO_COORDINATE_ROWS}
    assert info["boroughs"] == 33


def test_points_lie_in_london_and_unplaced_rows_are_real_rows(burglary_all):
    frame = burglary_all.frame
    london = frame[frame["gss_code"] != ""]
    assert london["easting_m"].between(503_000, 562_000).all()
    assert london["northing_m"].between(155_000, 201_000).all()
    # a handful of Met-recorded burglaries lie outside the boroughs (placed, gss_code "")
    assert 0 < burglary_all.rows_outside_london < 1_000
    assert (burglary_all.unplaced["row"] >= 1).all()
    assert not burglary_all.unplaced.duplicated(["source", "row"]).any()


def test_borough_agrees_with_police_uk_lsoa(month_lines, locator, pack, tmp_path):
    """police.uk gives each row an LSOA name starting with its borough: our polygon
    assignment must agree for nearly every row (snap points sit on streets near edges)."""
    path = tmp_path / "2019-01-metropolitan-street.csv"
    path.write_text("\n".join(month_lines) + "\n", encoding="utf-8")
    incidents = load_police_uk(path, boroughs=locator)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw = raw[raw["Longitude"] != ""].reset_index(drop=True)
    names = dict(zip(pack.table("boroughs")["name"], pack.table("boroughs")["gss_code"]))
    expected = raw["LSOA name"].str[:-5].map(names).fillna("")
    got = incidents.frame["gss_code"].astype(str).reset_index(drop=True)
    assert len(got) == len(expected) == 7_458
    assert (got == expected).mean() > 0.99


def test_zip_with_nested_month_folders_equals_gz_files(burglary_dir, locator, tmp_path):
    months = ["2021-01", "2021-02", "2021-03"]
    archive = tmp_path / "police-uk-download.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for month in months:
            data = gzip.decompress((burglary_dir / f"{month}-metropolitan-street.csv.gz")
                                   .read_bytes())
            zf.writestr(f"{month}/{month}-metropolitan-street.csv", data)
            zf.writestr(f"{month}/{month}-metropolitan-outcomes.csv", b"Crime ID,Month\n")
    from_zip = load_police_uk(archive, boroughs=locator)
    folder = tmp_path / "gz"
    folder.mkdir()
    for month in months:
        name = f"{month}-metropolitan-street.csv.gz"
        (folder / name).write_bytes((burglary_dir / name).read_bytes())
    from_folder = load_police_uk(folder, boroughs=locator)
    assert from_zip.rows_total == from_folder.rows_total == 4_299 + 4_062 + 4_715
    assert from_zip.sources[0] == "police-uk-download.zip/2021-01/2021-01-metropolitan-street.csv"
    pd.testing.assert_series_equal(from_zip.frame["easting_m"], from_folder.frame["easting_m"])
    assert (from_zip.frame["gss_code"].astype(str).to_numpy()
            == from_folder.frame["gss_code"].astype(str).to_numpy()).all()


def test_outside_london_rows_can_be_reported_unplaced(burglary_dir, locator):
    path = burglary_dir / "2019-01-metropolitan-street.csv.gz"
    kept = load_police_uk(path, boroughs=locator)
    strict = load_police_uk(path, boroughs=locator, keep_outside_london=False)
    assert strict.rows_total == kept.rows_total == 7_478
    outside = kept.rows_outside_london
    assert outside > 0
    assert (strict.unplaced["reason"] == "outside London").sum() == outside
    assert strict.rows_outside_london == 0


def test_progress_and_cancel(burglary_dir, locator):
    seen = []
    load_police_uk(burglary_dir, boroughs=locator, progress=lambda f, m="": seen.append(f))
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) > 68
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        load_police_uk(burglary_dir, boroughs=locator, cancel=token)


def test_blank_crime_id_gets_file_and_row(month_lines, locator, tmp_path):
    lines = list(month_lines[:6])
    lines[3] = "," + lines[3].split(",", 1)[1]  # blank the Crime ID of data row 3
    path = tmp_path / "2019-01-metropolitan-street.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    incidents = load_police_uk(path, boroughs=locator)
    assert incidents.frame["incident_id"].iloc[2] == "2019-01-metropolitan-street.csv:3"
    assert incidents.frame["incident_id"].iloc[0] == month_lines[1].split(",")[0]
