"""Load an analyst's incident table (CAD/CRIS extract, STATS19, stop-and-search...) from
CSV, XLSX or Parquet into an ``IncidentSet``.

Columns are found by common names (overridable with ``mapping``); the coordinate system
is detected from the values (WGS84 degrees or British National Grid metres), and the
mistakes analysts actually make (swapped lat/lon, metres in lon/lat columns, US dates)
are named in the error. Decisions:
- Timestamps with a UTC offset (police.uk's ISO ``...+00:00``) are converted to London
  local time, because the hour of day is what deployment plans use.
- Day-first dates (dd/mm/yyyy) are preferred: UK extracts are written that way.
- A date without a time of day gives ``occurred_at = NaT`` (only the month is kept),
  so hourly profiles are not skewed towards midnight.
- Rows outside the 33 boroughs are unplaced ("outside London"); if no row at all falls
  in London the file is rejected (wrong CRS or wrong area).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from pyproj import Transformer

from workstation.domain import BNG, WGS84, CancelToken, ProgressFn, check_cancel, no_progress
from workstation.errors import InputError
from workstation.loaders.incidents import (
    INCIDENT_COLUMNS, REASON_INVALID_COORDINATES, REASON_INVALID_TIMESTAMP,
    REASON_NO_COORDINATES, REASON_OUTSIDE_LONDON, UNPLACED_COLUMNS, IncidentSet)
from workstation.loaders.locate import OUTSIDE, resolve_locator
from workstation.loaders.sniff import (check_text_header, describe_binary, first_ragged_row,
                                        guarded_reader, looks_like_utf8, parse_error_message,
                                        require_regular_file)

FIELDS = ("id", "datetime", "date", "time", "month", "crime_type", "latitude", "longitude",
          "easting", "northing", "x", "y", "force")
"""Keys of a column mapping. ``datetime`` holds date and time; ``date`` + ``time`` may be
separate columns; ``x``/``y`` are coordinates whose system is decided from the values."""

# Normalised column names (lower case, non-alphanumerics -> "_") recognised per field,
# most specific first.
COMMON_NAMES: dict[str, tuple[str, ...]] = {
    "id": ("incident_id", "crime_id", "cad_number", "cad_id", "cris_number", "urn",
           "accident_index", "reference", "ref", "id"),
    "datetime": ("occurred_at", "datetime", "date_time", "timestamp", "occurred",
                 "incident_datetime", "created_at"),
    "date": ("date", "incident_date", "occurred_date", "date_of_incident", "offence_date"),
    "time": ("time", "incident_time", "occurred_time", "time_of_incident"),
    "month": ("month",),
    "crime_type": ("crime_type", "incident_type", "offence_type", "type", "category",
                   "crime_category", "offence", "classification", "major_text"),
    "latitude": ("latitude", "lat", "wgs84_latitude"),
    "longitude": ("longitude", "lon", "lng", "long", "wgs84_longitude"),
    "easting": ("easting", "easting_m", "location_easting_osgr", "east", "os_easting",
                "bng_easting", "grid_easting"),
    "northing": ("northing", "northing_m", "location_northing_osgr", "north", "os_northing",
                 "bng_northing", "grid_northing"),
    "x": ("x", "x_coordinate", "xcoord"),
    "y": ("y", "y_coordinate", "ycoord"),
    "force": ("force", "falls_within", "police_force", "reported_by", "force_name"),
}

TABLE_SUFFIXES = (".csv", ".csv.gz", ".xlsx", ".parquet")

# Value ranges (WGS84 degrees / BNG metres) that Great Britain occupies.
_LON_RANGE = (-8.7, 2.0)
_LAT_RANGE = (49.8, 61.0)
_E_RANGE = (0.0, 700_000.0)
_N_RANGE = (0.0, 1_300_000.0)
MAJORITY = 0.5  # share of rows a reading must explain before we trust it for the file

# Tried in order; the format parsing most of a sample wins (ties go to the earlier one).
DATETIME_FORMATS = (
    "ISO8601", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%y %H:%M", "%d-%m-%Y %H:%M",
    "%d-%m-%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S",
)
DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%m/%d/%Y")
LONDON_TZ = "Europe/London"
UNSPECIFIED_TYPE = "unspecified"


@dataclass(frozen=True)
class TablePreview:
    """What the import dialog shows before anything is loaded."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    mapping: dict[str, str]
    crs: str | None  # "EPSG:4326", "EPSG:27700" or None when not detected
    warnings: tuple[str, ...] = field(default=())


# --- reading -----------------------------------------------------------------------------

def _suffix(path: Path) -> str:
    name = path.name.lower()
    return ".csv.gz" if name.endswith(".csv.gz") else path.suffix.lower()


def read_table(path: str | Path, *, nrows: int | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The raw table as text/native columns plus decoding warnings. CSV cells are strings."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=path)
    if path.is_dir():
        raise InputError("is a folder, not a table file", path=path,
                         expected="a .csv, .xlsx or .parquet file")
    require_regular_file(path)
    suffix = _suffix(path)
    with open(path, "rb") as handle:
        head = handle.read(64 * 1024)
    if suffix not in TABLE_SUFFIXES:
        raise InputError(f"unsupported file type '{path.suffix or '(no extension)'}'", path=path,
                         expected="CSV (.csv, .csv.gz), Excel (.xlsx) or Parquet (.parquet)",
                         hint="Save the extract as CSV")
    if suffix == ".xlsx":
        return _read_xlsx(path, head, nrows), []
    if suffix == ".parquet":
        return _read_parquet(path, head, nrows), []
    return _read_csv(path, head, suffix, nrows)


def _read_xlsx(path: Path, head: bytes, nrows: int | None) -> pd.DataFrame:
    if not head.startswith(b"PK\x03\x04"):
        what = describe_binary(head) or "text"
        raise InputError(f"is {what}, not an Excel .xlsx workbook", path=path,
                         hint="Check the file extension matches the content")
    try:
        frame = pd.read_excel(path, dtype=object, nrows=nrows, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise InputError(f"workbook cannot be read ({type(exc).__name__}: {exc})", path=path,
                         hint="Open it in Excel and save again as .xlsx or CSV") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _read_parquet(path: Path, head: bytes, nrows: int | None) -> pd.DataFrame:
    if not head.startswith(b"PAR1"):
        what = describe_binary(head) or "text"
        raise InputError(f"is {what}, not a Parquet file", path=path,
                         hint="Check the file extension matches the content")
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:
        raise InputError(f"Parquet file cannot be read ({exc})", path=path) from exc
    return frame.head(nrows) if nrows is not None else frame


def _read_csv(path: Path, head: bytes, suffix: str, nrows: int | None
              ) -> tuple[pd.DataFrame, list[str]]:
    if suffix == ".csv.gz":
        try:
            head = pa.input_stream(str(path), compression="gzip").read(64 * 1024)
        except (OSError, EOFError) as exc:
            raise InputError(f"gzip data cannot be read ({exc})", path=path) from exc
    header = check_text_header(head, path.name)
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise InputError(f"duplicate column names {dupes}", path=path, row=0,
                         hint="Rename the columns so each is unique")
    encodings = ("utf8", "cp1252") if looks_like_utf8(head) else ("cp1252",)
    for encoding in encodings:
        try:
            table = _arrow_csv(path, header, encoding, nrows)
        except pa.ArrowInvalid as exc:
            text = str(exc)
            if "UTF8" in text or "UTF-8" in text:
                continue
            with _guarded(path) as stream:
                ragged = first_ragged_row(stream)
            raise InputError(
                f"cannot be parsed as CSV ({parse_error_message(text)})", path=path,
                row=ragged[0] if ragged else None,
                expected=f"{ragged[1]} fields like the header, found {ragged[2]}" if ragged
                else None,
                hint="Check for a truncated file or stray quote characters") from exc
        warnings = [] if encoding == "utf8" else [
            f"{path.name}: not valid UTF-8, decoded as Windows-1252"]
        frame = table.to_pandas()
        frame.columns = header
        return frame, warnings
    raise InputError("text is neither UTF-8 nor Windows-1252", path=path,
                     hint="Save the file as CSV UTF-8")


def _arrow_csv(path: Path, header: list[str], encoding: str, nrows: int | None) -> pa.Table:
    # Read every column as text: coordinates and dates are parsed (and reported) here.
    names = [f"c{i}" for i in range(len(header))]
    read = pacsv.ReadOptions(encoding=encoding, column_names=names, skip_rows=1,
                             block_size=4 << 20)
    convert = pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                   strings_can_be_null=False)
    parse = pacsv.ParseOptions(newlines_in_values=True)
    with _guarded(path) as stream:
        if nrows is None:
            return pacsv.read_csv(stream, read_options=read, parse_options=parse,
                                  convert_options=convert)
        reader = pacsv.open_csv(stream, read_options=read, parse_options=parse,
                                convert_options=convert)
        batches, count = [], 0
        for batch in reader:
            batches.append(batch)
            count += batch.num_rows
            if count >= nrows:
                break
        table = pa.Table.from_batches(batches, schema=reader.schema)
        return table.slice(0, nrows)


def _guarded(path: Path):
    """The (decompressed) file as a stream that stops at NUL bytes with a named error."""
    raw = pa.input_stream(str(path), compression="gzip"
                          if path.name.lower().endswith(".gz") else None)
    return guarded_reader(raw, path.name)


# --- mapping -----------------------------------------------------------------------------

def _normalise(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def detect_mapping(columns: list[str], mapping: dict[str, str] | None = None,
                   path: str | Path | None = None) -> dict[str, str]:
    """Field -> column name, by common names; ``mapping`` entries override detection."""
    mapping = dict(mapping or {})
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise InputError(f"unknown mapping field(s) {unknown}", path=path,
                         expected=", ".join(FIELDS))
    for field_name, column in mapping.items():
        if column not in columns:
            raise InputError(f"mapped column '{column}' for '{field_name}' is not in the file",
                             path=path, column=column, expected=", ".join(columns))
    by_norm = {}
    for col in columns:
        by_norm.setdefault(_normalise(col), col)
    used = set(mapping.values())
    detected: dict[str, str] = {}
    for field_name in FIELDS:
        if field_name in mapping:
            detected[field_name] = mapping[field_name]
            continue
        for candidate in COMMON_NAMES[field_name]:
            col = by_norm.get(candidate)
            if col is not None and col not in used:
                detected[field_name] = col
                used.add(col)
                break
    return detected


def _numeric(series: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    text = series.astype(str).str.strip().replace({"": None, "nan": None, "None": None})
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _share(mask: np.ndarray, valid: np.ndarray) -> float:
    total = int(valid.sum())
    return float((mask & valid).sum()) / total if total else 0.0


def _in(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    return (values >= bounds[0]) & (values <= bounds[1])


@dataclass(frozen=True)
class _Coordinates:
    easting_m: np.ndarray
    northing_m: np.ndarray
    has_coords: np.ndarray
    valid: np.ndarray
    crs: str


_ErrorFn = Callable[[Path, str, str], InputError]


def _crs_error(message: str, *, expected: str | None = None, hint: str | None = None
               ) -> _ErrorFn:
    """An InputError template; ``{where}``, ``{a}`` and ``{b}`` become the column names."""
    def build(path: Path, col_a: str, col_b: str) -> InputError:
        names = {"where": f"'{col_a}'/'{col_b}'", "a": col_a, "b": col_b}
        return InputError(message.format(**names), path=path, column=col_a, expected=expected,
                          hint=hint.format(**names) if hint else None)
    return build


@dataclass(frozen=True, slots=True)
class _CrsRule:
    """How the values decide the coordinate system of one kind of column pair: a majority
    in any ``refuted_by`` share raises its error; otherwise the best ``confirmed_by`` share
    must be a majority, or ``unconfirmed`` is raised."""

    refuted_by: tuple[tuple[tuple[str, ...], _ErrorFn], ...]
    confirmed_by: tuple[str, ...]
    unconfirmed: _ErrorFn


# Column pairs by mapping keys, in order of preference (STATS19 has both; BNG first is exact).
_PAIRS = (("bng", "easting", "northing"), ("wgs", "longitude", "latitude"), ("xy", "x", "y"))
_CRS_OF = {"wgs": WGS84, "bng": BNG}
_DEGREES_NOT_METRES = _crs_error(
    "columns {where} hold degrees, not British National Grid metres",
    expected="easting/northing in metres",
    hint="Map them as longitude/latitude: mapping={{'longitude': '{a}', 'latitude': '{b}'}}")
_CRS_RULES = {
    "wgs": _CrsRule(
        refuted_by=(
            (("swapped",), _crs_error(
                "columns {where} look swapped: latitudes are in the longitude column",
                expected="longitude -8..2 and latitude 49..61 for Great Britain",
                hint="Map them the other way round: mapping={{'longitude': '{b}', "
                     "'latitude': '{a}'}}")),
            (("bng",), _crs_error(
                "columns {where} hold metres (British National Grid), not degrees",
                expected="degrees of longitude/latitude",
                hint="Map them as easting/northing: mapping={{'easting': '{a}', "
                     "'northing': '{b}'}}"))),
        confirmed_by=("wgs",),
        unconfirmed=_crs_error("most coordinates in {where} are not in Great Britain",
                               expected="WGS84 longitude -8..2, latitude 49..61")),
    "bng": _CrsRule(
        refuted_by=((("wgs", "swapped"), _DEGREES_NOT_METRES),),
        confirmed_by=("bng",),
        unconfirmed=_crs_error("most coordinates in {where} are not British National Grid "
                               "metres in Great Britain",
                               expected="easting 0..700000, northing 0..1300000")),
    "xy": _CrsRule(
        refuted_by=((("swapped",), _crs_error("columns {where} look swapped (y holds "
                                              "longitudes)", hint="Map x='{b}', y='{a}'")),),
        confirmed_by=("wgs", "bng"),
        unconfirmed=_crs_error("cannot tell the coordinate system of {where}",
                               expected="WGS84 degrees or British National Grid metres in "
                                        "Great Britain")),
}


def _coordinates(frame: pd.DataFrame, mapping: dict[str, str], path: Path) -> _Coordinates:
    """Detect the coordinate system from the mapped columns and reproject to BNG."""
    pairs = [(kind, mapping[ka], mapping[kb]) for kind, ka, kb in _PAIRS
             if ka in mapping and kb in mapping]
    if not pairs:
        raise InputError("no coordinate columns found", path=path,
                         expected="latitude+longitude, easting+northing or x+y columns",
                         hint="Map them explicitly, e.g. mapping={'latitude': 'LAT', "
                         "'longitude': 'LON'}")
    # Prefer a pair that actually holds values.
    for kind, col_a, col_b in pairs:
        a, b = _numeric(frame[col_a]), _numeric(frame[col_b])
        has = np.isfinite(a) & np.isfinite(b)
        if has.any() or (kind, col_a, col_b) == pairs[-1]:
            break
    wgs = _in(a, _LON_RANGE) & _in(b, _LAT_RANGE)
    swapped = _in(a, _LAT_RANGE) & _in(b, _LON_RANGE)
    bng = _in(a, _E_RANGE) & _in(b, _N_RANGE) & ((np.abs(a) > 1000) | (np.abs(b) > 1000))
    shares = {"wgs": _share(wgs, has), "swapped": _share(swapped, has), "bng": _share(bng, has)}
    if not has.any():
        crs = BNG if kind == "bng" else WGS84
    else:
        rule = _CRS_RULES[kind]
        for keys, error in rule.refuted_by:
            if any(shares[key] > MAJORITY for key in keys):
                raise error(path, col_a, col_b)
        best = max(rule.confirmed_by, key=shares.__getitem__)
        if shares[best] <= MAJORITY:
            raise rule.unconfirmed(path, col_a, col_b)
        crs = _CRS_OF[best]
    valid = has & (wgs if crs == WGS84 else bng)
    easting = np.full(len(a), np.nan)
    northing = np.full(len(a), np.nan)
    if crs == WGS84:
        if valid.any():
            transformer = Transformer.from_crs(WGS84, BNG, always_xy=True)
            easting[valid], northing[valid] = transformer.transform(a[valid], b[valid])
    else:
        easting[valid], northing[valid] = a[valid], b[valid]
    return _Coordinates(easting, northing, has, valid, crs)


# --- timestamps --------------------------------------------------------------------------

def _try_format(text: pd.Series, fmt: str) -> pd.Series:
    if fmt == "ISO8601":
        has_offset = text.str.contains(r"(?:[+-]\d{2}:?\d{2}|Z)$", regex=True).any()
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=bool(has_offset))
        if has_offset:
            parsed = parsed.dt.tz_convert(LONDON_TZ).dt.tz_localize(None)
        # An ISO date without a time is a date, not a timestamp at midnight.
        parsed[~text.str.contains(r"\d[T ]\d", regex=True)] = pd.NaT
        return parsed
    return pd.to_datetime(text, format=fmt, errors="coerce")


def _best_format(text: pd.Series, formats: tuple[str, ...]) -> tuple[str | None, float]:
    sample = text[text != ""].head(500)
    if sample.empty:
        return None, 0.0
    best, best_share = None, 0.0
    for fmt in formats:
        share = float(_try_format(sample, fmt).notna().mean())
        if share > best_share:
            best, best_share = fmt, share
    return best, best_share


def _timestamps(frame: pd.DataFrame, mapping: dict[str, str], path: Path, warnings: list[str]
                ) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """occurred_at (naive London time or NaT), month "YYYY-MM" and a per-row ok mask."""
    n = len(frame)
    column = mapping.get("datetime") or mapping.get("date")
    if column is None and "month" not in mapping:
        raise InputError("no date or time column found", path=path,
                         expected="a column named date, datetime, occurred or month",
                         hint="Map it explicitly, e.g. mapping={'datetime': 'Reported'}")
    if column is None:
        text = frame[mapping["month"]].astype(str).str.strip()
        month = text.where(text.str.match(r"^\d{4}-(0[1-9]|1[0-2])$"), "")
        warnings.append("only a month column: occurred_at is empty, hour of day unknown")
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]"), month, \
            (month != "").to_numpy()
    series = frame[column]
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        parsed = series.dt.tz_convert(LONDON_TZ).dt.tz_localize(None) \
            if series.dt.tz is not None else series
        ok = parsed.notna().to_numpy()
        return parsed.astype("datetime64[ns]"), parsed.dt.strftime("%Y-%m").fillna(""), ok
    text = series.astype(str).str.strip().replace({"nan": "", "None": "", "NaT": ""})
    time_col = mapping.get("time") if "datetime" not in mapping else None
    if time_col is not None:
        times = frame[time_col].astype(str).str.strip().replace({"nan": "", "None": ""})
        # Excel gives time cells as "16:40:00"; CSV as "16:40".
        text = (text.str.replace(r"\s+00:00:00$", "", regex=True) + " " + times).str.strip()
    fmt, share = _best_format(text, DATETIME_FORMATS)
    date_only = False
    if share <= MAJORITY:
        date_fmt, date_share = _best_format(text, DATE_FORMATS)
        if date_share > MAJORITY:
            fmt, share, date_only = date_fmt, date_share, True
    if fmt is None or share <= MAJORITY:
        bad = text[text != ""]
        first = bad.index[0] if len(bad) else None
        row = int(frame.index.get_loc(first)) + 1 if first is not None else None
        raise InputError("timestamps cannot be read" + (f" (e.g. '{bad.iloc[0]}')" if len(bad)
                                                          else " (column is empty)"),
                         path=path, row=row, column=column,
                         expected="e.g. 2022-01-05 16:40, 2022-01-05T16:40:00Z or 05/01/2022 16:40",
                         hint="Map the right column or export dates in one of these forms")
    if fmt.startswith("%m/%d"):
        warnings.append(f"column '{column}': dates read as US month/day order")
    parsed = _try_format(text, fmt)
    ok = parsed.notna().to_numpy()
    month = parsed.dt.strftime("%Y-%m").fillna("")
    if date_only:
        warnings.append(f"column '{column}' has dates without a time of day: occurred_at is "
                        "left empty and only the month is kept")
        parsed = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return parsed.astype("datetime64[ns]"), month, ok


# --- loading -----------------------------------------------------------------------------

_UNPLACED_REASONS = (REASON_INVALID_TIMESTAMP, REASON_NO_COORDINATES,
                    REASON_INVALID_COORDINATES, REASON_OUTSIDE_LONDON)
"""Why a row is unplaced, in the order they are checked: a row gets the first that applies."""


def _none_in_london_error(frame: pd.DataFrame, used: dict[str, str], coords: _Coordinates,
                          path: Path) -> InputError:
    """Rows have coordinates but none lies in London: say where they are instead (a wrong
    CRS or another force's extract), with what the force column claims."""
    from workstation.loaders.diagnose import where_is
    forces = ""
    if "force" in used:
        names = frame[used["force"]].astype(str).str.strip().value_counts()
        forces = "; force column says " + ", ".join(
            f"{k} ({v:,})" for k, v in names.head(3).items())
    where = where_is(coords.easting_m[coords.valid], coords.northing_m[coords.valid])
    return InputError(f"none of the {int(coords.valid.sum())} rows with coordinates lies in "
                      f"London: they are {where}{forces}",
                      path=path, expected="incidents in the 33 London boroughs",
                      hint="Check the coordinate columns and their system (degrees vs "
                      "metres); this workstation plans for London")


def _unplaced_reason_codes(time_ok: np.ndarray, coords: _Coordinates,
                           in_london: np.ndarray) -> np.ndarray:
    """Per row, the index into ``_UNPLACED_REASONS`` of the first reason that applies, or -1
    for a row that is placed."""
    conditions = (~time_ok, ~coords.has_coords, coords.has_coords & ~coords.valid,
                  coords.valid & ~in_london)
    reason = np.full(len(time_ok), -1, dtype="int8")
    for code in range(len(conditions) - 1, -1, -1):
        reason[conditions[code]] = code
    return reason


def _no_rows_placed_error(frame: pd.DataFrame, used: dict[str, str], reason: np.ndarray,
                          path: Path) -> InputError:
    """No row could be placed: the reasons counted, with the first rows' raw values so the
    analyst sees what the file holds."""
    from workstation.loaders.diagnose import SAMPLE_ROWS, no_rows_placed
    counts = {_UNPLACED_REASONS[c]: int((reason == c).sum())
              for c in range(len(_UNPLACED_REASONS))}
    lon_col = used.get("longitude") or used.get("x") or used.get("easting")
    lat_col = used.get("latitude") or used.get("y") or used.get("northing")
    head = frame.head(SAMPLE_ROWS)
    return no_rows_placed(
        path, rows_total=len(frame), reasons=counts,
        lon=head[lon_col].tolist() if lon_col else None,
        lat=head[lat_col].tolist() if lat_col else None,
        lon_name=lon_col or "longitude", lat_name=lat_col or "latitude",
        months=head[used["month"]].tolist() if "month" in used else None,
        month_name=used.get("month", "month"),
        forces=head[used["force"]].tolist() if "force" in used else None)


def _incident_ids(frame: pd.DataFrame, used: dict[str, str], source: str,
                  rows: np.ndarray) -> pd.Series:
    """The file's own ids; rows without one (or files without an id column) get
    ``<file name>:<row>`` so every incident can be traced back."""
    generated = pd.Series([f"{source}:{r}" for r in rows], index=frame.index)
    if "id" not in used:
        return generated
    ids = frame[used["id"]].astype(str).str.strip().replace({"nan": "", "None": ""})
    return ids.where(ids != "", generated)


def _crime_types(frame: pd.DataFrame, used: dict[str, str], default_crime_type: str,
                 warnings: list[str]) -> pd.Series:
    """The type column, blanks as ``default_crime_type``; without one, every row is that."""
    if "crime_type" in used:
        return frame[used["crime_type"]].astype(str).str.strip().replace(
            {"nan": default_crime_type, "": default_crime_type, "None": default_crime_type})
    warnings.append(f"no type column: crime_type set to '{default_crime_type}'")
    return pd.Series(default_crime_type, index=frame.index)


def _forces(frame: pd.DataFrame, used: dict[str, str]) -> pd.Series:
    """The force column as text, blank when the file has none."""
    if "force" not in used:
        return pd.Series("", index=frame.index)
    return frame[used["force"]].astype(str).str.strip().replace({"nan": ""})


def load_incident_table(path: str | Path, *, mapping: dict[str, str] | None = None,
                        boroughs=None, default_crime_type: str = UNSPECIFIED_TYPE,
                        progress: ProgressFn = no_progress,
                        cancel: CancelToken | None = None) -> IncidentSet:
    """Load a CSV/XLSX/Parquet incident extract with a timestamp and coordinates."""
    path = Path(path)
    progress(0.0, f"reading {path.name}")
    frame, warnings = read_table(path)
    check_cancel(cancel)
    if frame.empty:
        raise InputError("no data rows (only a header)", path=path,
                         expected="one incident per row below the header")
    used = detect_mapping([str(c) for c in frame.columns], mapping, path)
    progress(0.3, "reading timestamps")
    occurred, month, time_ok = _timestamps(frame, used, path, warnings)
    check_cancel(cancel)
    progress(0.6, "placing coordinates")
    coords = _coordinates(frame, used, path)
    locator = resolve_locator(boroughs)
    borough = locator.locate(np.where(coords.valid, coords.easting_m, np.nan),
                             np.where(coords.valid, coords.northing_m, np.nan))
    in_london = borough != OUTSIDE
    if coords.valid.any() and not in_london.any():
        raise _none_in_london_error(frame, used, coords, path)
    reason = _unplaced_reason_codes(time_ok, coords, in_london)
    placed = reason < 0
    if not placed.any():
        raise _no_rows_placed_error(frame, used, reason, path)

    source = path.name
    rows = np.arange(1, len(frame) + 1, dtype="int64")
    ids = _incident_ids(frame, used, source, rows)
    types = _crime_types(frame, used, default_crime_type, warnings)
    force = _forces(frame, used)
    out = pd.DataFrame({
        "incident_id": ids[placed].astype(pd.StringDtype("pyarrow")).to_numpy(),
        "month": pd.Categorical(month[placed].to_numpy()),
        "occurred_at": occurred[placed].to_numpy(dtype="datetime64[ns]"),
        "crime_type": pd.Categorical(types[placed].to_numpy()),
        "easting_m": coords.easting_m[placed],
        "northing_m": coords.northing_m[placed],
        "gss_code": locator.codes_for(borough[placed]),
        "force": pd.Categorical(force[placed].to_numpy()),
        "source": pd.Categorical([source] * int(placed.sum()), categories=[source]),
    })
    out["incident_id"] = out["incident_id"].astype(pd.StringDtype("pyarrow"))
    bad = ~placed
    unplaced = pd.DataFrame({
        "source": pd.Categorical([source] * int(bad.sum()), categories=[source]),
        "row": rows[bad],
        "reason": pd.Categorical.from_codes(reason[bad], categories=list(_UNPLACED_REASONS)),
        "month": pd.Categorical(month[bad].to_numpy()),
    })
    progress(1.0, "done")
    return IncidentSet(frame=out[list(INCIDENT_COLUMNS)], unplaced=unplaced[list(UNPLACED_COLUMNS)],
                       sources=(source,), warnings=tuple(dict.fromkeys(warnings)))


def preview_table(path: str | Path, n: int = 20, *,
                  mapping: dict[str, str] | None = None) -> TablePreview:
    """First ``n`` rows, the detected column mapping and CRS, for the import dialog.
    Problems that would stop an import are returned as warnings, not raised."""
    path = Path(path)
    frame, warnings = read_table(path, nrows=max(n, 500))
    columns = tuple(str(c) for c in frame.columns)
    detected = detect_mapping(list(columns), mapping, path)
    crs = None
    try:
        crs = _coordinates(frame, detected, path).crs
    except InputError as exc:
        warnings.append(str(exc))
    try:
        _timestamps(frame, detected, path, warnings)
    except InputError as exc:
        warnings.append(str(exc))
    head = frame.head(n)
    rows = tuple(tuple("" if pd.isna(v) else str(v) for v in row)
                 for row in head.itertuples(index=False, name=None))
    return TablePreview(columns=columns, rows=rows, mapping=detected, crs=crs,
                        warnings=tuple(dict.fromkeys(warnings)))
