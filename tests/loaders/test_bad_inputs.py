"""Bad inputs, each built in tmp_path from slices of the real files. Each either raises an
InputError whose message names the file (and row/column where known) and what to do, or
loads with the problem reported (unplaced rows with a reason, or a warning).
docs/bad-input-catalogue.md lists the same cases."""

from __future__ import annotations

import gzip
import io
import zipfile
from types import SimpleNamespace

import pandas as pd
import pytest

from workstation.errors import InputError
from workstation.loaders import import_incidents
from workstation.loaders.boundaries import load_boundaries
from workstation.loaders.incident_table import load_incident_table
from workstation.loaders.police_uk import load_police_uk

MONTH_FILE = "2019-01-metropolitan-street.csv"


@pytest.fixture(scope="module")
def real(month_lines, stop_search_lines, stats19_lines, burglary_dir, shared_data):
    return SimpleNamespace(month=month_lines, stop=stop_search_lines, stats=stats19_lines,
                           burglary_dir=burglary_dir,
                           geojson=shared_data / "boundaries" / "london_boroughs.geojson")


def write(path, lines, encoding="utf-8"):
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def month_slice(real, n=50):
    """Header + n real rows of 2019-01 (rows 7459+ have no coordinates, so not here)."""
    return list(real.month[: n + 1])


def edit_column(lines, column, func, rows=None):
    """Apply func to one column of the given data rows (1-based), via pandas round trip."""
    frame = pd.read_csv(io.StringIO("\n".join(lines)), dtype=str, keep_default_na=False)
    idx = frame.index if rows is None else [r - 1 for r in rows]
    frame.loc[idx, column] = frame.loc[idx, column].map(func)
    return frame.to_csv(index=False).splitlines()


# --- builders: each returns (path, loader) ----------------------------------------------

def b_empty(tmp, real):
    p = tmp / MONTH_FILE
    p.write_bytes(b"")
    return p


def b_header_only(tmp, real):
    return write(tmp / MONTH_FILE, real.month[:1])


def b_missing_column(tmp, real):
    frame = pd.read_csv(io.StringIO("\n".join(month_slice(real))), dtype=str)
    p = tmp / MONTH_FILE
    frame.drop(columns=["Longitude"]).to_csv(p, index=False)
    return p


def b_swapped_latlon(tmp, real):
    lines = list(real.stop[:200])
    lines[0] = lines[0].replace("Latitude,Longitude", "Longitude,Latitude")
    return write(tmp / "stops.csv", lines)


def b_bng_in_lonlat(tmp, real):
    frame = pd.read_csv(io.StringIO("\n".join(real.stats[:200])), dtype=str)
    frame["longitude"] = frame["location_easting_osgr"]
    frame["latitude"] = frame["location_northing_osgr"]
    frame = frame.drop(columns=["location_easting_osgr", "location_northing_osgr"])
    p = tmp / "collisions.csv"
    frame.to_csv(p, index=False)
    return p


def b_degrees_in_bng(tmp, real):
    frame = pd.read_csv(io.StringIO("\n".join(real.stats[:200])), dtype=str)
    frame["location_easting_osgr"] = frame["longitude"]
    frame["location_northing_osgr"] = frame["latitude"]
    frame = frame.drop(columns=["longitude", "latitude"])
    p = tmp / "collisions.csv"
    frame.to_csv(p, index=False)
    return p


def b_cp1252(tmp, real):
    lines = edit_column(month_slice(real), "Location", lambda v: v + " Café", rows=[1, 2])
    return write(tmp / MONTH_FILE, lines, encoding="cp1252")


def b_bom(tmp, real):
    p = tmp / MONTH_FILE
    p.write_bytes(b"\xef\xbb\xbf" + ("\n".join(month_slice(real)) + "\n").encode())
    return p


def b_quoted_newline(tmp, real):
    lines = edit_column(month_slice(real), "Location", lambda v: v + "\nflat 2", rows=[3, 4])
    return write(tmp / MONTH_FILE, lines)


def b_mixed_forces(tmp, real):
    folder = tmp / "forces"
    folder.mkdir()
    write(folder / MONTH_FILE, month_slice(real, 30))
    city = edit_column(month_slice(real, 20), "Falls within", lambda v: "City of London Police")
    write(folder / "2019-01-city-of-london-street.csv", city)
    return folder


def b_duplicate_ids(tmp, real):
    lines = month_slice(real, 30)
    return write(tmp / MONTH_FILE, lines + lines[1:11])


def b_zip_without_csv(tmp, real):
    p = tmp / "download.zip"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("2019-01/readme.txt", "no data")
    return p


def b_truncated_zip(tmp, real):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"2019-01/{MONTH_FILE}", "\n".join(real.month))
    p = tmp / "download.zip"
    p.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    return p


def b_png_as_csv(tmp, real):
    p = tmp / MONTH_FILE
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    return p


def b_xlsx_as_csv(tmp, real):
    p = tmp / "extract.csv"
    pd.read_csv(io.StringIO("\n".join(real.stats[:20]))).to_excel(p, index=False,
                                                                   engine="openpyxl")
    return p


def b_csv_as_xlsx(tmp, real):
    return write(tmp / "extract.xlsx", real.stats[:20])


def b_wrong_extension(tmp, real):
    return write(tmp / "2019-01-metropolitan-street.txt", month_slice(real))


def b_gzip_named_csv(tmp, real):
    p = tmp / MONTH_FILE
    p.write_bytes(gzip.compress(("\n".join(month_slice(real)) + "\n").encode()))
    return p


def b_truncated_gz(tmp, real):
    data = (real.burglary_dir / f"{MONTH_FILE}.gz").read_bytes()
    p = tmp / f"{MONTH_FILE}.gz"
    p.write_bytes(data[: len(data) // 3])
    return p


def b_invalid_month(tmp, real):
    lines = edit_column(month_slice(real), "Month", lambda v: "2019-13", rows=[1])
    lines = edit_column(lines, "Month", lambda v: "Jan-19", rows=[2])
    return write(tmp / MONTH_FILE, lines)


def b_table_all_outside_london(tmp, real):
    # the same stops moved ~260 km north (Manchester)
    lines = edit_column(real.stop[:100], "Latitude", lambda v: str(float(v) + 2.0) if v else v)
    return write(tmp / "stops.csv", lines)


def b_police_outside_london(tmp, real):
    lines = edit_column(month_slice(real, 50), "Latitude", lambda v: str(float(v) + 2.0),
                        rows=list(range(1, 11)))
    return write(tmp / MONTH_FILE, lines)


def b_unparseable_timestamps(tmp, real):
    lines = edit_column(real.stop[:50], "Date", lambda v: "sometime in June")
    return write(tmp / "stops.csv", lines)


def b_some_bad_timestamps(tmp, real):
    lines = edit_column(real.stop[:50], "Date", lambda v: "31/31/2016 99:00", rows=[4, 9])
    return write(tmp / "stops.csv", lines)


def b_non_numeric_coordinates(tmp, real):
    lines = edit_column(month_slice(real), "Longitude", lambda v: "n/a", rows=[5])
    return write(tmp / MONTH_FILE, lines)


def b_coordinates_out_of_range(tmp, real):
    lines = edit_column(month_slice(real), "Latitude", lambda v: "95.0", rows=[6])
    return write(tmp / MONTH_FILE, lines)


def b_same_month_twice(tmp, real):
    folder = tmp / "twice"
    folder.mkdir()
    write(folder / MONTH_FILE, month_slice(real))
    (folder / f"{MONTH_FILE}.gz").write_bytes(
        gzip.compress(("\n".join(month_slice(real)) + "\n").encode()))
    return folder


def b_folder_without_csv(tmp, real):
    folder = tmp / "empty_folder"
    folder.mkdir()
    (folder / "notes.txt").write_text("nothing here")
    return folder


def b_missing_path(tmp, real):
    return tmp / "does-not-exist.csv"


def b_semicolons(tmp, real):
    return write(tmp / "stops.csv", [line.replace(",", ";") for line in real.stop[:20]])


def b_ragged_row(tmp, real):
    lines = month_slice(real)
    lines[7] = lines[7] + ",extra,fields"
    return write(tmp / MONTH_FILE, lines)


def b_no_date_column(tmp, real):
    lines = list(real.stop[:20])
    lines[0] = lines[0].replace("Type,Date,", "Type,When it happened,")
    return write(tmp / "stops.csv", lines)


def b_no_coordinate_columns(tmp, real):
    lines = list(real.stop[:20])
    lines[0] = lines[0].replace("Latitude,Longitude", "Lat_deg_N,Lon_deg_E")
    return write(tmp / "stops.csv", lines)


def b_blank_ids(tmp, real):
    lines = edit_column(month_slice(real, 10), "Crime ID", lambda v: "", rows=[2, 7])
    return write(tmp / MONTH_FILE, lines)


def b_boundary_no_crs(tmp, real):
    import geopandas as gpd
    shp = tmp / "areas.shp"
    gpd.read_file(real.geojson).to_crs(27700).to_file(shp)
    shp.with_suffix(".prj").unlink()
    return shp


def b_date_without_time(tmp, real):
    lines = edit_column(real.stop[:40], "Date", lambda v: f"{v[8:10]}/{v[5:7]}/{v[:4]}")
    return write(tmp / "stops.csv", lines)


# --- files that place no row in London (each must be an error, never an empty import) ---

def b_police_month_unpadded(tmp, real):
    lines = edit_column(month_slice(real), "Month", lambda v: "2019-1")
    return write(tmp / MONTH_FILE, lines)


def _police_coords(real, func):
    frame = pd.read_csv(io.StringIO("\n".join(month_slice(real))), dtype=str,
                        keep_default_na=False)
    lon, lat = zip(*(func(float(a), float(b)) for a, b in zip(frame["Longitude"],
                                                              frame["Latitude"])))
    frame["Longitude"], frame["Latitude"] = lon, lat
    return frame.to_csv(index=False).splitlines()


def b_police_bng(tmp, real):
    from pyproj import Transformer
    t = Transformer.from_crs(4326, 27700, always_xy=True)
    return write(tmp / MONTH_FILE, _police_coords(
        real, lambda a, b: tuple(f"{v:.0f}" for v in t.transform(a, b))))


def b_police_swapped(tmp, real):
    return write(tmp / MONTH_FILE, _police_coords(real, lambda a, b: (str(b), str(a))))


def _dms(value, pos, neg):
    sign, value = (pos if value >= 0 else neg), abs(value)
    d = int(value)
    m = int((value - d) * 60)
    return f"{d}°{m}'{(value - d - m / 60) * 3600:.1f}\"{sign}"


def b_police_dms(tmp, real):
    return write(tmp / MONTH_FILE, _police_coords(
        real, lambda a, b: (_dms(a, "E", "W"), _dms(b, "N", "S"))))


def b_police_all_outside(tmp, real):
    # the month's rows moved ~260 km north-west (Greater Manchester), as GMP's file would be
    lines = _police_coords(real, lambda a, b: (f"{a - 2.1:.6f}", f"{b + 2.0:.6f}"))
    lines = edit_column(lines, "Falls within", lambda v: "Greater Manchester Police")
    return write(tmp / "2019-01-greater-manchester-street.csv", lines)


def b_table_no_coordinates(tmp, real):
    lines = edit_column(real.stop[:60], "Latitude", lambda v: "")
    lines = edit_column(lines, "Longitude", lambda v: "")
    return write(tmp / "stops.csv", lines)


# --- odd files and archives ---------------------------------------------------------------

def b_named_pipe(tmp, real):
    import os
    p = tmp / MONTH_FILE
    os.mkfifo(p)
    return p


def _patch_zip(data: bytes, local_offset: int, central_offset: int, value: int,
               size: int = 2) -> bytes:
    buf = bytearray(data)
    local = buf.find(b"PK\x03\x04")
    central = buf.find(b"PK\x01\x02")
    buf[local + local_offset:local + local_offset + size] = value.to_bytes(size, "little")
    buf[central + central_offset:central + central_offset + size] = value.to_bytes(size, "little")
    return bytes(buf)


def _month_zip(real) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(f"2019-01/{MONTH_FILE}", "\n".join(month_slice(real)) + "\n")
    return buffer.getvalue()


def b_encrypted_zip(tmp, real):
    # general-purpose flag bit 0 set: what a password-protected (ZipCrypto) zip carries
    p = tmp / "download.zip"
    p.write_bytes(_patch_zip(_month_zip(real), 6, 8, 0x1))
    return p


def b_deflate64_zip(tmp, real):
    # compression method 9: what Windows Explorer writes for members over ~2 GB
    p = tmp / "download.zip"
    p.write_bytes(_patch_zip(_month_zip(real), 8, 10, 9))
    return p


def b_zip_bomb(tmp, real):
    # 80 MB of the month's 50 rows repeated, deflated to well under 1 MB (ratio > 100:1)
    body = "\n".join(month_slice(real)[1:]) + "\n"
    p = tmp / "download.zip"
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open(f"2019-01/{MONTH_FILE}", "w", force_zip64=True) as member:
            member.write((month_slice(real)[0] + "\n").encode())
            chunk = (body * 200).encode()
            written = 0
            while written < 80_000_000:
                member.write(chunk)
                written += len(chunk)
    return p


def b_nul_tail(tmp, real):
    # 200 good rows, then 2 GB of NUL bytes (a sparse file: no disk space is used)
    p = write(tmp / MONTH_FILE, month_slice(real, 200))
    with open(p, "r+b") as handle:
        handle.truncate(p.stat().st_size + (2 << 30))
    return p


def b_table_nul_tail(tmp, real):
    p = write(tmp / "stops.csv", real.stop[:201])
    with open(p, "r+b") as handle:
        handle.truncate(p.stat().st_size + (2 << 30))
    return p


def b_browser_copy_differs(tmp, real):
    folder = tmp / "months"
    folder.mkdir()
    write(folder / MONTH_FILE, month_slice(real, 30))
    write(folder / "2019-01-metropolitan-street (1).csv", month_slice(real, 40))
    return folder


# --- folders and zips: every CSV read or skipped with a reason ---------------------------

def b_browser_copy_name(tmp, real):
    folder = tmp / "months"
    folder.mkdir()
    write(folder / MONTH_FILE, month_slice(real, 30))
    sept = edit_column(month_slice(real, 20), "Month", lambda v: "2019-09")
    write(folder / "2019-09-metropolitan-street (1).csv", sept)
    return folder


def b_one_month_unplaceable(tmp, real):
    folder = tmp / "months"
    folder.mkdir()
    write(folder / MONTH_FILE, month_slice(real, 30))
    bad = edit_column(month_slice(real, 20), "Month", lambda v: "2019-2")
    write(folder / "2019-02-metropolitan-street.csv", bad)
    return folder


def check_one_month_unplaceable(s):
    assert s.rows_placed == 30 and s.rows_unplaced == 20
    warns("2019-02-metropolitan-street.csv: none of its 20 rows could be placed")(s)


def check_browser_copy_name(s):
    assert s.rows_total == 50 and s.months == ("2019-01", "2019-09")
    assert s.skipped == ()


def b_identical_copy_and_others(tmp, real):
    folder = tmp / "download"
    (folder / "2019-01").mkdir(parents=True)
    (folder / "__MACOSX" / "2019-01").mkdir(parents=True)
    write(folder / "2019-01" / MONTH_FILE, month_slice(real, 30))
    write(folder / "2019-01" / "2019-01-metropolitan-street (1).csv", month_slice(real, 30))
    write(folder / "2019-01" / "2019-01-metropolitan-outcomes.csv",
          ["Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Outcome type",
           "abc,2019-01,Metropolitan Police Service,Metropolitan Police Service,-0.1,51.5,"
           "Suspect charged"])
    write(folder / "2019-01" / "notes.csv", ["what,who", "checked,AB"])
    (folder / "__MACOSX" / "2019-01" / f"._{MONTH_FILE}").write_bytes(b"\x00\x05\x16\x07")
    return folder


def check_identical_copy_and_others(s):
    assert s.rows_total == 30
    reasons = dict(s.skipped)
    assert reasons["2019-01/2019-01-metropolitan-street (1).csv"].startswith("identical copy")
    assert "outcomes" in reasons["2019-01/2019-01-metropolitan-outcomes.csv"]
    assert "not a police.uk street-level file" in reasons["2019-01/notes.csv"]
    assert "resource fork" in reasons[f"__MACOSX/2019-01/._{MONTH_FILE}"]
    from workstation.loaders.incidents import summary
    assert len(summary(s)["skipped_files"]) == 4


# --- expectations ------------------------------------------------------------------------

def unplaced(reason, count):
    def check(s):
        assert (s.unplaced["reason"].astype(str) == reason).sum() == count
        assert s.rows_total == s.rows_placed + s.rows_unplaced
    return check


def warns(text):
    def check(s):
        assert any(text in w for w in s.warnings), s.warnings
    return check


def check_cp1252(s):
    assert s.rows_total == 50
    warns("Windows-1252")(s)


def check_bom(s):
    assert s.rows_total == 50 and s.forces == ("Metropolitan Police Service",)


def check_quoted_newline(s):
    assert s.rows_total == 50 and s.rows_unplaced == 0


def check_mixed_forces(s):
    assert s.rows_total == 50
    assert s.forces == ("City of London Police", "Metropolitan Police Service")
    from workstation.loaders.incidents import summary
    assert summary(s)["forces"] == {"City of London Police": 20,
                                    "Metropolitan Police Service": 30}


def check_duplicates(s):
    from workstation.loaders.incidents import summary
    assert s.rows_total == 40 and summary(s)["duplicate_ids"] == 10


def check_police_outside(s):
    assert s.rows_total == 50 and s.rows_placed == 50 and s.rows_outside_london == 10


def check_blank_ids(s):
    ids = s.frame["incident_id"].tolist()
    assert ids[1] == f"{MONTH_FILE}:2" and ids[6] == f"{MONTH_FILE}:7"
    assert len(set(ids)) == 10


def check_date_only(s):
    assert s.rows_total == 39 and s.frame["occurred_at"].isna().all()
    assert set(s.months) <= {"2016-05", "2016-06"}
    warns("without a time of day")(s)


CASES = [
    # id, builder, expected error regex (None = loads), check for loaded result
    ("empty file", b_empty, "file is empty", None),
    ("header only", b_header_only, "no data rows", None),
    ("missing column", b_missing_column, "missing column.*'Longitude'", None),
    ("swapped lat/lon", b_swapped_latlon, "look swapped", None),
    ("BNG metres in lon/lat columns", b_bng_in_lonlat, "hold metres", None),
    ("degrees in easting/northing", b_degrees_in_bng, "hold degrees", None),
    ("cp1252 text", b_cp1252, None, check_cp1252),
    ("UTF-8 BOM", b_bom, None, check_bom),
    ("quoted newlines", b_quoted_newline, None, check_quoted_newline),
    ("mixed forces", b_mixed_forces, None, check_mixed_forces),
    ("duplicate IDs", b_duplicate_ids, None, check_duplicates),
    ("zip without CSV", b_zip_without_csv, "holds no CSV", None),
    ("truncated zip", b_truncated_zip, "not a readable zip", None),
    ("PNG renamed .csv", b_png_as_csv, "is a PNG image", None),
    ("XLSX renamed .csv", b_xlsx_as_csv, "Excel .xlsx workbook, not CSV", None),
    ("CSV renamed .xlsx", b_csv_as_xlsx, "not an Excel .xlsx workbook", None),
    ("wrong extension", b_wrong_extension, "unsupported file type '.txt'", None),
    ("gzip named .csv", b_gzip_named_csv, "gzip-compressed.*Rename it to .csv.gz", None),
    ("truncated .csv.gz", b_truncated_gz, "cannot be read", None),
    ("invalid month", b_invalid_month, None, unplaced("invalid month", 2)),
    ("table: all rows outside London", b_table_all_outside_london, "none of the .* London",
     None),
    ("police.uk: rows outside London", b_police_outside_london, None, check_police_outside),
    ("unparseable timestamps", b_unparseable_timestamps, "timestamps cannot be read", None),
    ("some bad timestamps", b_some_bad_timestamps, None, unplaced("invalid timestamp", 2)),
    ("non-numeric coordinates", b_non_numeric_coordinates, None,
     unplaced("invalid coordinates", 1)),
    ("coordinates out of range", b_coordinates_out_of_range, None,
     unplaced("invalid coordinates", 1)),
    ("same month twice", b_same_month_twice, "present twice", None),
    ("folder without CSV", b_folder_without_csv, "holds no .csv", None),
    ("path not found", b_missing_path, "not found", None),
    ("semicolon separated", b_semicolons, "fewer than two columns", None),
    ("ragged row", b_ragged_row, "cannot be parsed as CSV", None),
    ("no date column", b_no_date_column, "no date or time column", None),
    ("no coordinate columns", b_no_coordinate_columns, "no coordinate columns", None),
    ("blank crime IDs", b_blank_ids, None, check_blank_ids),
    ("date without time", b_date_without_time, None, check_date_only),
    # issue 18: no row placed is an error that says why
    ("police.uk: month written 2019-1", b_police_month_unpadded,
     "no row could be placed.*not written as YYYY-MM.*'2019-1'", None),
    ("police.uk: BNG metres in Longitude/Latitude", b_police_bng,
     "no row could be placed.*hold metres \\(British National Grid\\)", None),
    ("police.uk: Longitude/Latitude swapped", b_police_swapped,
     "no row could be placed.*look swapped", None),
    ("police.uk: degrees-minutes-seconds", b_police_dms,
     "no row could be placed.*degrees-minutes-seconds", None),
    ("police.uk: every row outside London", b_police_all_outside,
     "none of the 50 rows lies in London: they are about 2\\d\\d km north-west of central "
     "London.*Greater Manchester Police", None),
    ("table: no row has coordinates", b_table_no_coordinates,
     "no row could be placed.*no row has coordinates", None),
    # odd files and archives
    ("named pipe called .csv", b_named_pipe, "is a named pipe \\(FIFO\\), not a regular file",
     None),
    ("encrypted zip", b_encrypted_zip, "zip member .* is encrypted", None),
    ("Deflate64 zip", b_deflate64_zip, "compressed with Deflate64", None),
    ("zip bomb", b_zip_bomb, "would expand to 80\\.4 MB from \\d+\\.\\d MB .*zip bomb", None),
    ("police.uk: 2 GB of NUL bytes after 200 rows", b_nul_tail,
     "holds NUL \\(zero\\) bytes from byte .*after about 200 data rows", None),
    ("table: 2 GB of NUL bytes after 200 rows", b_table_nul_tail,
     "holds NUL \\(zero\\) bytes from byte .*after about 200 data rows", None),
    ("same month twice, browser copy differs", b_browser_copy_differs, "present twice", None),
    # every CSV in a folder read or skipped with a reason
    ("browser copy name '(1)'", b_browser_copy_name, None, check_browser_copy_name),
    ("identical copy, outcomes, notes, __MACOSX", b_identical_copy_and_others, None,
     check_identical_copy_and_others),
    ("one month of two places no row", b_one_month_unplaceable, None,
     check_one_month_unplaceable),
]


@pytest.mark.parametrize("builder,error,check", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input(builder, error, check, real, tmp_path, locator):
    path = builder(tmp_path, real)
    if error is not None:
        with pytest.raises(InputError, match=error) as info:
            import_incidents(path, boroughs=locator)
        message = str(info.value)
        assert path.name in message  # the message names the file
        assert "\n" not in message.strip()  # one line for the CLI
        return
    incidents = import_incidents(path, boroughs=locator)
    check(incidents)


def test_catalogue_lists_every_case():
    from pathlib import Path
    doc = (Path(__file__).resolve().parents[2] / "docs" / "bad-input-catalogue.md").read_text()
    missing = [case[0] for case in CASES if f"| {case[0]} |" not in doc]
    assert not missing, f"docs/bad-input-catalogue.md lacks {missing}"


def test_boundary_without_crs(real, tmp_path):
    path = b_boundary_no_crs(tmp_path, real)
    with pytest.raises(InputError, match="no coordinate reference system") as info:
        load_boundaries(path)
    assert "areas.shp" in str(info.value)


def test_missing_police_column_names_the_column(real, tmp_path, locator):
    path = b_missing_column(tmp_path, real)
    with pytest.raises(InputError, match="missing column.*'Longitude'") as info:
        load_police_uk(path, boroughs=locator)
    assert info.value.row == 0 and "street" in str(info.value)


def test_ragged_row_names_the_row(real, tmp_path, locator):
    with pytest.raises(InputError) as info:
        load_police_uk(b_ragged_row(tmp_path, real), boroughs=locator)
    assert info.value.row is not None


def test_unparseable_timestamp_names_row_and_column(real, tmp_path, locator):
    with pytest.raises(InputError) as info:
        load_incident_table(b_unparseable_timestamps(tmp_path, real), boroughs=locator)
    assert info.value.column == "Date" and info.value.row == 1
    assert "sometime in June" in str(info.value)


def test_one_bad_file_in_a_folder_fails_the_whole_import(real, tmp_path, locator):
    """All or nothing: a folder with a good month and a broken one gives no partial set."""
    folder = tmp_path / "months"
    folder.mkdir()
    write(folder / MONTH_FILE, month_slice(real))
    (folder / "2019-02-metropolitan-street.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    with pytest.raises(InputError, match="2019-02-metropolitan-street.csv: is a PNG image"):
        import_incidents(folder, boroughs=locator)


def test_preview_reports_problems_instead_of_raising(real, tmp_path):
    from workstation.loaders.incident_table import preview_table
    preview = preview_table(b_swapped_latlon(tmp_path, real), n=5)
    assert preview.crs is None and len(preview.rows) == 5
    assert any("look swapped" in w for w in preview.warnings)
    preview = preview_table(b_unparseable_timestamps(tmp_path, real))
    assert preview.crs == "EPSG:4326"
    assert any("timestamps cannot be read" in w for w in preview.warnings)


@pytest.mark.skipif(__import__("shutil").which("zip") is None, reason="needs Info-ZIP zip")
def test_real_password_protected_zip(real, tmp_path, locator):
    """The same as 'encrypted zip', with a zip made by `zip -e` (ZipCrypto)."""
    import subprocess
    (tmp_path / "2019-01").mkdir()
    write(tmp_path / "2019-01" / MONTH_FILE, month_slice(real))
    subprocess.run(["zip", "-q", "-e", "-P", "secret", "download.zip",
                    f"2019-01/{MONTH_FILE}"], cwd=tmp_path, check=True)
    with pytest.raises(InputError, match="zip member 2019-01/.* is encrypted"):
        import_incidents(tmp_path / "download.zip", boroughs=locator)
