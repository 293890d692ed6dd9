"""Load police.uk street-level crime CSVs (any force) into an ``IncidentSet``.

Accepts what police.uk serves: one ``YYYY-MM-<force>-street.csv`` (plain or .csv.gz),
a folder of them, or the download zip with nested ``YYYY-MM/`` folders. Files are read
with pyarrow in blocks (bounded memory, parallel parsing), lon/lat are reprojected to
British National Grid in one vectorised call per block, and boroughs are assigned with
prepared polygons (``loaders.locate``). Every input row ends up either placed or in
``unplaced`` with a reason.

Decisions (see docs/bad-input-catalogue.md):
- Rows located outside the 33 boroughs but in Great Britain are *placed* with
  ``gss_code == ""`` (the Met records some crime just over the boundary; keeping them
  lets totals reconcile with police.uk). Analyses filter on ``gss_code``.
- Non-UTF-8 files (police.uk is UTF-8, but Excel re-saves as cp1252) are decoded as
  cp1252 with a warning rather than rejected.
- Several forces in one import are allowed and reported per force in ``summary``.
- Duplicate Crime IDs are kept (police.uk repeats IDs when a crime is re-recorded)
  and counted in ``summary``; a file given twice is rejected.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from pyproj import Transformer

from workstation.domain import BNG, WGS84, CancelToken, ProgressFn, check_cancel, no_progress
from workstation.errors import InputError
from workstation.loaders.incidents import (
    INCIDENT_COLUMNS, REASON_INVALID_COORDINATES, REASON_INVALID_MONTH, REASON_NO_COORDINATES,
    REASON_OUTSIDE_GB, REASON_OUTSIDE_LONDON, UNPLACED_COLUMNS, IncidentSet)
from workstation.loaders.locate import OUTSIDE, BoroughLocator, in_great_britain, resolve_locator
from workstation.loaders.sniff import (check_text_header, first_ragged_row, looks_like_utf8,
                                        parse_error_message)

COL_ID = "Crime ID"
COL_MONTH = "Month"
COL_FORCE = "Falls within"
COL_LON = "Longitude"
COL_LAT = "Latitude"
COL_TYPE = "Crime type"
REQUIRED_COLUMNS = (COL_ID, COL_MONTH, COL_FORCE, COL_LON, COL_LAT, COL_TYPE)

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
BLOCK_SIZE_BYTES = 16 << 20  # 16 MB blocks: ~120k police.uk rows, bounded memory per step

# Reason codes, in priority order (a row gets the first that applies).
_REASONS = (REASON_INVALID_MONTH, REASON_NO_COORDINATES, REASON_INVALID_COORDINATES,
            REASON_OUTSIDE_GB, REASON_OUTSIDE_LONDON)


@dataclass(frozen=True)
class _Source:
    name: str  # shown to users: file name, or "<zip>/<member>"
    open_bytes: Callable[[], object]  # path or BufferReader for pyarrow
    size: int


def is_police_uk_header(columns: list[str]) -> bool:
    return all(c in columns for c in REQUIRED_COLUMNS)


def load_police_uk(path: str | Path, *, boroughs=None, keep_outside_london: bool = True,
                   progress: ProgressFn = no_progress,
                   cancel: CancelToken | None = None) -> IncidentSet:
    """Load a police.uk street CSV, folder of them, or police.uk zip.

    ``boroughs``: a ``BoroughLocator``, a borough GeoDataFrame or None for the shipped
    pack. ``keep_outside_london``: place rows outside the boroughs with gss_code ""
    (default) or report them unplaced as "outside London".
    """
    path = Path(path)
    sources = _discover(path)
    locator = resolve_locator(boroughs)
    transformer = Transformer.from_crs(WGS84, BNG, always_xy=True)
    total_bytes = sum(s.size for s in sources) or 1
    done_bytes = 0
    acc = _Accumulator(locator)
    warnings: list[str] = []
    for src_index, source in enumerate(sources):
        check_cancel(cancel)
        progress(done_bytes / total_bytes, f"reading {source.name}")
        _read_source(source, src_index, acc, transformer, keep_outside_london, warnings, cancel)
        done_bytes += source.size
    progress(1.0, "assembling")
    if acc.rows_seen == 0:
        raise InputError("no data rows (only a header)", path=path,
                         expected="police.uk street rows below the header",
                         hint="Download the month again from data.police.uk")
    return acc.finish([s.name for s in sources], warnings)


# --- discovering files -------------------------------------------------------------------

def _discover(path: Path) -> list[_Source]:
    if not path.exists():
        raise InputError("file or folder not found", path=path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and _is_csv_name(p.name))
        street = [p for p in files if _is_street_name(p.name)]
        chosen = street or files
        if not chosen:
            raise InputError("folder holds no .csv or .csv.gz files", path=path,
                             expected="police.uk YYYY-MM-<force>-street.csv files",
                             hint="Choose the folder police.uk's zip was extracted to")
        _reject_same_month_twice(path, [p.name for p in chosen])
        return [_Source(str(p.relative_to(path)), (lambda p=p: str(p)), p.stat().st_size)
                for p in chosen]
    name = path.name.lower()
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if name.endswith(".zip") or magic.startswith(b"PK\x03\x04") and not name.endswith(
            (".csv", ".csv.gz", ".xlsx")):
        return _discover_zip(path)
    if not _is_csv_name(name):
        raise InputError(f"unsupported file type '{path.suffix}'", path=path,
                         expected=".csv, .csv.gz or .zip from police.uk",
                         hint="Export the table as CSV, or use the incident table importer")
    return [_Source(path.name, lambda: str(path), path.stat().st_size)]


def _discover_zip(path: Path) -> list[_Source]:
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
        archive.close()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(f"not a readable zip archive ({exc})", path=path,
                         hint="The download may be incomplete; download it again") from exc
    members = [i for i in infos if not i.is_dir() and _is_csv_name(Path(i.filename).name)]
    street = [i for i in members if _is_street_name(Path(i.filename).name)]
    chosen = sorted(street or members, key=lambda i: i.filename)
    if not chosen:
        raise InputError("zip archive holds no CSV files", path=path,
                         expected="police.uk YYYY-MM/YYYY-MM-<force>-street.csv members",
                         hint="Download the street-level crime zip from data.police.uk")
    _reject_same_month_twice(path, [Path(i.filename).name for i in chosen])

    def opener(member: str):
        def read():
            try:
                with zipfile.ZipFile(path) as archive:
                    data = archive.read(member)
            except (zipfile.BadZipFile, OSError, EOFError, zlib_error()) as exc:
                raise InputError(f"zip member {member} cannot be read ({exc})", path=path,
                                 hint="The download may be truncated; download it again") from exc
            if member.lower().endswith(".gz"):
                return pa.input_stream(pa.BufferReader(data), compression="gzip")
            return pa.BufferReader(data)
        return read

    return [_Source(f"{path.name}/{i.filename}", opener(i.filename), i.file_size) for i in chosen]


def zlib_error():
    import zlib
    return zlib.error


def _is_csv_name(name: str) -> bool:
    name = name.lower()
    return name.endswith(".csv") or name.endswith(".csv.gz")


def _is_street_name(name: str) -> bool:
    return re.search(r"-street\.csv(\.gz)?$", name.lower()) is not None


def _reject_same_month_twice(path: Path, names: list[str]) -> None:
    stems = [re.sub(r"\.gz$", "", n.lower()) for n in names]
    seen: set[str] = set()
    for stem in stems:
        if stem in seen:
            raise InputError(f"'{stem}' is present twice (plain and gzipped?)", path=path,
                             hint="Keep one copy of each month so incidents are not counted twice")
        seen.add(stem)


# --- reading one file --------------------------------------------------------------------

def _read_source(source: _Source, src_index: int, acc: "_Accumulator", transformer,
                 keep_outside_london: bool, warnings: list[str],
                 cancel: CancelToken | None) -> None:
    head = _head_of(source)
    header = check_text_header(head, source.name)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(f"missing column(s) {', '.join(repr(m) for m in missing)}",
                         path=source.name, row=0, expected="police.uk street CSV columns "
                         + ", ".join(REQUIRED_COLUMNS),
                         hint="Is this a police.uk street-level file (not outcomes or "
                         "stop-and-search)?")
    # Decide the text encoding from the first 64 kB; a later invalid byte still falls back.
    if looks_like_utf8(head):
        attempts = (("utf8", True), ("utf8", False), ("cp1252", False))
    else:
        attempts = (("cp1252", True), ("cp1252", False))
    for encoding, numeric in attempts:
        start_rows = acc.rows_seen
        mark = acc.mark()
        try:
            _stream(source, src_index, acc, transformer, keep_outside_london, cancel,
                    encoding=encoding, numeric=numeric)
            if encoding != "utf8":
                warnings.append(f"{source.name}: not valid UTF-8, decoded as Windows-1252")
            return
        except pa.ArrowInvalid as exc:
            acc.rewind(mark, start_rows)
            text = str(exc)
            if "UTF8" in text or "UTF-8" in text:
                continue  # try the next decoding
            if numeric and ("conversion error" in text.lower() or "float" in text.lower()):
                continue  # a non-numeric coordinate: re-read coordinates as text
            ragged = first_ragged_row(_binary_stream(source))
            raise InputError(
                f"cannot be parsed as CSV ({parse_error_message(text)})", path=source.name,
                row=ragged[0] if ragged else None,
                expected=f"{ragged[1]} fields like the header, found {ragged[2]}" if ragged
                else None,
                hint="Check for a truncated file or stray quote characters") from exc
    raise InputError("text is neither UTF-8 nor Windows-1252", path=source.name,
                     hint="Save the file as CSV UTF-8")


def _binary_stream(source: _Source):
    """A Python binary stream of the (decompressed) file, for the slow diagnostic scan."""
    import gzip
    import io
    opened = source.open_bytes()
    if isinstance(opened, str):
        return gzip.open(opened, "rb") if opened.lower().endswith(".gz") else open(opened, "rb")
    return io.BytesIO(opened.read())


def _head_of(source: _Source) -> bytes:
    opened = source.open_bytes()
    try:
        if isinstance(opened, str):
            stream = pa.input_stream(opened, compression="detect")
        else:
            stream = opened
        return stream.read(64 * 1024)
    except (OSError, pa.ArrowInvalid, EOFError) as exc:
        raise InputError(f"cannot be read ({exc})", path=source.name,
                         hint="The file may be truncated or not gzip; download it again") from exc


def _stream(source: _Source, src_index: int, acc: "_Accumulator", transformer,
            keep_outside_london: bool, cancel: CancelToken | None, *, encoding: str,
            numeric: bool) -> None:
    coord_type = pa.float64() if numeric else pa.string()
    convert = pacsv.ConvertOptions(
        include_columns=list(REQUIRED_COLUMNS),
        column_types={COL_ID: pa.string(), COL_MONTH: pa.string(), COL_FORCE: pa.string(),
                      COL_TYPE: pa.string(), COL_LON: coord_type, COL_LAT: coord_type},
        strings_can_be_null=False)
    read = pacsv.ReadOptions(block_size=BLOCK_SIZE_BYTES, encoding=encoding)
    parse = pacsv.ParseOptions(newlines_in_values=True)
    opened = source.open_bytes()
    if not isinstance(opened, str):
        opened.seek(0) if hasattr(opened, "seek") else None
    try:
        reader = pacsv.open_csv(opened, read_options=read, parse_options=parse,
                                convert_options=convert)
    except StopIteration:
        return
    except OSError as exc:
        raise InputError(f"cannot be read ({exc})", path=source.name,
                         hint="The file may be truncated; download it again") from exc
    while True:
        check_cancel(cancel)
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except OSError as exc:
            if isinstance(exc, pa.ArrowInvalid):
                raise
            raise InputError(f"cannot be read ({exc})", path=source.name,
                             hint="The file may be truncated; download it again") from exc
        if batch.num_rows:
            acc.add(batch, src_index, source.name, transformer, keep_outside_london)


def _to_float(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Values as float64 (NaN where missing or not a number) and where a value was given."""
    if pa.types.is_floating(column.type) or pa.types.is_integer(column.type):
        values = column.to_numpy(zero_copy_only=False).astype("float64")
        return values, np.isfinite(values)
    text = pd.Series(column.to_numpy(zero_copy_only=False), dtype=object).fillna("").str.strip()
    given = (text != "").to_numpy()
    values = pd.to_numeric(text.replace("", np.nan), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan)
    return values, given


class _Accumulator:
    """Collects placed and unplaced rows block by block (compact arrow/numpy chunks)."""

    def __init__(self, locator: BoroughLocator):
        self.locator = locator
        self.rows_seen = 0
        self.placed: list[dict] = []
        self.unplaced: list[dict] = []

    def mark(self) -> tuple[int, int]:
        return len(self.placed), len(self.unplaced)

    def rewind(self, mark: tuple[int, int], rows_seen: int) -> None:
        del self.placed[mark[0]:]
        del self.unplaced[mark[1]:]
        self.rows_seen = rows_seen

    def add(self, batch: pa.RecordBatch, src_index: int, src_name: str, transformer,
            keep_outside_london: bool) -> None:
        n = batch.num_rows
        first_row = self._rows_in_source(src_index) + 1
        rows = np.arange(first_row, first_row + n, dtype="int64")
        self.rows_seen += n
        month = pc.utf8_trim_whitespace(batch.column(COL_MONTH))
        month_ok = pc.match_substring_regex(month, MONTH_PATTERN).to_numpy(zero_copy_only=False)
        lon, lon_given = _to_float(batch.column(COL_LON))
        lat, lat_given = _to_float(batch.column(COL_LAT))
        has_coords = lon_given | lat_given  # one of the pair given: a coordinate problem
        valid = (np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180)
                 & (np.abs(lat) <= 90))
        easting = np.full(n, np.nan)
        northing = np.full(n, np.nan)
        if valid.any():
            easting[valid], northing[valid] = transformer.transform(lon[valid], lat[valid])
        in_gb = valid & np.isfinite(easting) & in_great_britain(easting, northing)
        borough = self.locator.locate(np.where(in_gb, easting, np.nan),
                                      np.where(in_gb, northing, np.nan))
        in_london = borough != OUTSIDE
        reason = np.full(n, -1, dtype="int8")
        conditions = (~month_ok, ~has_coords, has_coords & ~valid, valid & ~in_gb,
                      in_gb & ~in_london if not keep_outside_london else np.zeros(n, bool))
        for code in range(len(conditions) - 1, -1, -1):  # first reason wins
            reason[conditions[code]] = code
        placed = reason < 0
        if placed.any():
            mask = pa.array(placed)
            ids = pc.utf8_trim_whitespace(batch.column(COL_ID).filter(mask))
            blank = pc.equal(ids, "")
            if pc.any(blank).as_py():
                blank_np = blank.to_numpy(zero_copy_only=False)
                generated = pa.array([f"{src_name}:{r}" for r in rows[placed][blank_np]])
                ids = pc.replace_with_mask(ids, blank, generated)
            self.placed.append({
                "incident_id": ids,
                "month": month.filter(mask),
                "crime_type": pc.utf8_trim_whitespace(batch.column(COL_TYPE).filter(mask)),
                "force": pc.utf8_trim_whitespace(batch.column(COL_FORCE).filter(mask)),
                "easting_m": easting[placed], "northing_m": northing[placed],
                "borough": borough[placed],
                "source": np.full(int(placed.sum()), src_index, dtype="int32"),
                "rows": int(n), "src": src_index})
        else:
            self.placed.append({"rows": int(n), "src": src_index, "empty": True})
        if (~placed).any():
            bad = ~placed
            month_text = np.where(month_ok[bad],
                                  np.asarray(month.filter(pa.array(bad)).to_pylist(), dtype=object),
                                  "")
            self.unplaced.append({"source": np.full(int(bad.sum()), src_index, dtype="int32"),
                                  "row": rows[bad], "reason": reason[bad], "month": month_text})

    def _rows_in_source(self, src_index: int) -> int:
        return sum(chunk["rows"] for chunk in self.placed if chunk["src"] == src_index)

    def finish(self, source_names: list[str], warnings: list[str]) -> IncidentSet:
        chunks = [c for c in self.placed if not c.get("empty")]
        if chunks:
            def cat(key: str) -> pd.Categorical:
                encoded = pa.chunked_array([c[key] for c in chunks]).dictionary_encode()
                return encoded.to_pandas().astype("category").array
            ids = pa.chunked_array([c["incident_id"] for c in chunks])
            frame = pd.DataFrame({
                "incident_id": ids.to_pandas().astype(pd.StringDtype("pyarrow")),
                "month": cat("month"),
                "occurred_at": pd.Series(np.full(sum(len(c["easting_m"]) for c in chunks),
                                                 np.datetime64("NaT"), "datetime64[ns]")),
                "crime_type": cat("crime_type"),
                "easting_m": np.concatenate([c["easting_m"] for c in chunks]),
                "northing_m": np.concatenate([c["northing_m"] for c in chunks]),
                "gss_code": self.locator.codes_for(np.concatenate([c["borough"] for c in chunks])),
                "force": cat("force"),
                "source": pd.Categorical.from_codes(
                    np.concatenate([c["source"] for c in chunks]), categories=source_names),
            })
        else:
            from workstation.loaders.incidents import empty_incident_frame
            frame = empty_incident_frame()
        frame = frame[list(INCIDENT_COLUMNS)]
        if self.unplaced:
            unplaced = pd.DataFrame({
                "source": pd.Categorical.from_codes(
                    np.concatenate([u["source"] for u in self.unplaced]), categories=source_names),
                "row": np.concatenate([u["row"] for u in self.unplaced]),
                "reason": pd.Categorical.from_codes(
                    np.concatenate([u["reason"] for u in self.unplaced]).astype("int8"),
                    categories=list(_REASONS)),
                "month": pd.Categorical(np.concatenate([u["month"] for u in self.unplaced])),
            })
        else:
            from workstation.loaders.incidents import empty_unplaced_frame
            unplaced = empty_unplaced_frame()
        unplaced = unplaced[list(UNPLACED_COLUMNS)]
        return IncidentSet(frame=frame, unplaced=unplaced, sources=tuple(source_names),
                           warnings=tuple(warnings))


__all__ = ["load_police_uk", "is_police_uk_header", "REQUIRED_COLUMNS"]
