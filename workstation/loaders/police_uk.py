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
- Every CSV of a folder or zip is read or listed in ``IncidentSet.skipped`` with the
  reason (``list_sources``): browser copies ``... (1).csv`` are read, an identical copy is
  skipped, different copies of one month are rejected, outcomes/stop-and-search/other
  files are skipped by name or header.
- Files are streamed through ``sniff.GuardedStream`` (NUL bytes and oversized members
  stop the read with a named error); zip members are never read whole into memory and are
  checked for encryption, unsupported compression (Deflate64) and bomb-like ratios first.
- An import with no row in London is an ``InputError`` saying why
  (``loaders.diagnose``), never an empty result.
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

from workstation.digest import sha256_file
from workstation.domain import BNG, WGS84, CancelToken, ProgressFn, check_cancel, no_progress
from workstation.errors import InputError
from workstation.loaders.incidents import (
    INCIDENT_COLUMNS, REASON_INVALID_COORDINATES, REASON_INVALID_MONTH, REASON_NO_COORDINATES,
    REASON_OUTSIDE_GB, REASON_OUTSIDE_LONDON, UNPLACED_COLUMNS, IncidentSet)
from workstation.loaders.locate import OUTSIDE, BoroughLocator, in_great_britain, resolve_locator
from workstation.loaders.sniff import (check_text_header, first_ragged_row, guarded_reader,
                                        looks_like_utf8, non_regular_kind, parse_error_message,
                                        require_regular_file)

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
    open_bytes: Callable[..., object]  # (guard=True) -> a binary stream of the decompressed bytes
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
    listing = list_sources(path)
    sources = list(listing.sources)
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
    if len(sources) > 1:   # one month of many with nothing placed is named, not hidden
        for index, source in enumerate(sources):
            seen = acc._rows_in_source(index)
            placed = sum(len(c["easting_m"]) for c in acc.placed
                         if c["src"] == index and not c.get("empty"))
            if seen and not placed:
                warnings.append(f"{source.name}: none of its {seen:,} rows could be placed")
    incidents = acc.finish([s.name for s in sources], warnings, listing.skipped)
    _require_rows_in_london(path, incidents, sources)
    return incidents


def _require_rows_in_london(path: Path, incidents: IncidentSet, sources: list[_Source]) -> None:
    """An import with no row in the 33 boroughs is an error that says why (never an empty
    or all-elsewhere success that a caller could mistake for data)."""
    in_london = incidents.rows_placed - incidents.rows_outside_london
    if in_london > 0:
        return
    from workstation.loaders.diagnose import SAMPLE_ROWS, no_rows_placed

    reasons = {str(k): int(v) for k, v in
               incidents.unplaced["reason"].astype(str).value_counts().items()}
    if incidents.rows_outside_london:
        reasons["outside London"] = reasons.get("outside London", 0) + incidents.rows_outside_london
    sample = _sample(sources[0], SAMPLE_ROWS)
    outside = None
    if incidents.rows_outside_london:
        frame = incidents.frame
        outside = (frame["easting_m"].to_numpy(), frame["northing_m"].to_numpy())
    raise no_rows_placed(path, rows_total=incidents.rows_total, reasons=reasons,
                         lon=sample.get(COL_LON), lat=sample.get(COL_LAT),
                         months=sample.get(COL_MONTH), forces=sample.get(COL_FORCE),
                         placed_outside=outside)


def _sample(source: _Source, rows: int) -> dict[str, list[str]]:
    """The first ``rows`` rows' police.uk columns as text (for the diagnosis only)."""
    try:
        stream = source.open_bytes()
        try:
            frame = pd.read_csv(stream, dtype=str, nrows=rows, keep_default_na=False,
                                usecols=lambda c: c.strip() in REQUIRED_COLUMNS,
                                encoding_errors="replace")
        finally:
            stream.close()
    except (ValueError, OSError, InputError):
        return {}
    frame.columns = [c.strip() for c in frame.columns]
    return {c: frame[c].tolist() for c in frame.columns}


# --- discovering files -------------------------------------------------------------------

MAX_MEMBER_BYTES = 2 << 30
"""A zip member may expand to 2 GB at most (a police.uk month for every force is ~0.1 GB)."""
MAX_COMPRESSION_RATIO = 100
"""CSV text compresses ~10:1; a member above 100:1 and 64 MB is refused as a zip bomb."""
_RATIO_CHECK_BYTES = 64 << 20
_SUPPORTED_COMPRESSION = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "Deflate",
                          zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA"}
_COMPRESSION_NAMES = {9: "Deflate64 (Windows 'compressed folder' of a large file)",
                      12: "bzip2", 14: "LZMA", 93: "Zstandard", 95: "xz", 98: "PPMd",
                      99: "AES encryption"}
_BROWSER_COPY = re.compile(r"(?: \(\d+\)|\(\d+\)| - Copy(?: \(\d+\))?| copy)(?=\.csv(?:\.gz)?$)",
                           re.IGNORECASE)


@dataclass(frozen=True)
class SourceListing:
    """What an import of a folder or zip will read, and every CSV it will not (with why),
    so the preview and the summary account for each file."""

    sources: tuple[_Source, ...]
    skipped: tuple[tuple[str, str], ...] = ()   # (file name, reason)


def list_sources(path: str | Path) -> SourceListing:
    """The CSVs an import of ``path`` reads, and the skipped ones with their reason."""
    path = Path(path)
    if not path.exists():
        raise InputError("file or folder not found", path=path)
    require_regular_file(path)
    if path.is_dir():
        return _discover_folder(path)
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
    return SourceListing((_Source(path.name, _file_opener(path), path.stat().st_size),))


def _discover(path: Path) -> list[_Source]:
    return list(list_sources(path).sources)


def street_key(name: str) -> str | None:
    """'2019-09-metropolitan-street' for a police.uk street file name, also when a browser
    saved it as '... (1).csv' or Windows as '... - Copy.csv'; None for other names."""
    base = _BROWSER_COPY.sub("", Path(name).name.lower())
    match = re.match(r"^(\d{4}-\d{2}-.+-street)\.csv(\.gz)?$", base)
    return match.group(1) if match else None


def _skip_reason_by_name(name: str) -> str | None:
    """Why a CSV is not read, from its name alone (None: look at its header)."""
    parts = Path(name).parts
    base = Path(name).name
    if "__MACOSX" in parts or base.startswith("._"):
        return "macOS resource fork (__MACOSX / ._ file), not data"
    if base.startswith("~$") or base.startswith(".~lock"):
        return "an editor's lock file, not data"
    lower = base.lower()
    if re.search(r"-outcomes\.csv(\.gz)?$", lower):
        return "police.uk outcomes file (not street-level crime)"
    if re.search(r"-stop-and-search\.csv(\.gz)?$", lower):
        return "police.uk stop-and-search file (not street-level crime)"
    return None


def _header_skip_reason(head: bytes) -> str | None:
    """Why a CSV whose name is not a police.uk street name is not read, from its header."""
    try:
        header = check_text_header(head, "")
    except InputError as exc:
        return exc.message
    if is_police_uk_header(header):
        return None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    return f"not a police.uk street-level file (no column {', '.join(repr(m) for m in missing)})"


def _choose(path: Path, entries: list[tuple[str, Callable[[], bytes], Callable[[], str]]]
            ) -> tuple[list[str], list[tuple[str, str]]]:
    """Names to read and (name, reason) to skip. ``entries``: (name, head(), digest())."""
    chosen: list[str] = []
    skipped: list[tuple[str, str]] = []
    by_key: dict[str, list[tuple[str, Callable[[], str]]]] = {}
    for name, head, digest in entries:
        reason = _skip_reason_by_name(name)
        if reason is not None:
            skipped.append((name, reason))
            continue
        key = street_key(name)
        if key is None:
            reason = _header_skip_reason(head())
            if reason is not None:
                skipped.append((name, reason))
                continue
            key = name.lower()
        by_key.setdefault(key, []).append((name, digest))
    for key, group in by_key.items():
        # the original name first, browser/Explorer copies ('... (1).csv') after it
        group.sort(key=lambda g: (_BROWSER_COPY.search(Path(g[0]).name) is not None, g[0]))
        first_name, first_digest = group[0]
        chosen.append(first_name)
        for other_name, other_digest in group[1:]:
            if first_digest() == other_digest():
                skipped.append((other_name, f"identical copy of {first_name}"))
                continue
            raise InputError(
                f"'{key}' is present twice ('{first_name}' and '{other_name}' differ)", path=path,
                hint="Keep one copy of each month so incidents are not counted twice")
    return sorted(chosen), sorted(skipped)


def _read_head(path: Path) -> bytes:
    with open(path, "rb") as handle:
        head = handle.read(64 * 1024)
    if path.name.lower().endswith(".gz") or head.startswith(b"\x1f\x8b"):
        try:
            return pa.input_stream(str(path), compression="gzip").read(64 * 1024)
        except (OSError, EOFError):
            return head
    return head


def _discover_folder(path: Path) -> SourceListing:
    entries, skipped = [], []
    for p in sorted(path.rglob("*")):
        if p.is_dir() or not _is_csv_name(p.name):
            continue
        kind = non_regular_kind(p)
        if kind is not None:
            skipped.append((str(p.relative_to(path)), f"{kind}, not a regular file"))
            continue
        entries.append((str(p.relative_to(path)), (lambda p=p: _read_head(p)),
                        (lambda p=p: sha256_file(p))))
    chosen, more_skipped = _choose(path, entries)
    skipped = sorted(skipped + more_skipped)
    if not chosen:
        raise InputError("folder holds no .csv or .csv.gz files" if not skipped else
                         "folder holds no police.uk street CSV (skipped: "
                         + "; ".join(f"{n}: {r}" for n, r in skipped[:5]) + ")", path=path,
                         expected="police.uk YYYY-MM-<force>-street.csv files",
                         hint="Choose the folder police.uk's zip was extracted to")
    sources = [_Source(name, _file_opener(path / name), (path / name).stat().st_size)
               for name in chosen]
    return SourceListing(tuple(sources), tuple(skipped))


def _file_opener(file: Path) -> Callable[..., object]:
    def open_file(guard: bool = True):
        raw = pa.input_stream(str(file), compression="gzip"
                              if file.name.lower().endswith(".gz") else None)
        return guarded_reader(raw, file.name) if guard else raw
    return open_file


def _check_member(path: Path, info: zipfile.ZipInfo) -> None:
    """Refuse, by name, a member that zipfile cannot stream or that would blow up memory."""
    member = info.filename
    if info.flag_bits & 0x1:
        raise InputError(f"zip member {member} is encrypted (password-protected)", path=path,
                         expected="an unencrypted zip, as police.uk serves it",
                         hint="Extract it with its password and import the folder")
    if info.compress_type not in _SUPPORTED_COMPRESSION:
        method = _COMPRESSION_NAMES.get(info.compress_type, f"method {info.compress_type}")
        raise InputError(f"zip member {member} is compressed with {method}, which cannot be "
                         "read here", path=path, expected="Deflate (ordinary zip) compression",
                         hint="Extract the zip with your archive tool and import the folder")
    if info.file_size > MAX_MEMBER_BYTES or (
            info.file_size > _RATIO_CHECK_BYTES
            and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)):
        raise InputError(f"zip member {member} would expand to {_size_text(info.file_size)} "
                         f"from {_size_text(info.compress_size)} (a zip bomb or not "
                         "police.uk data)", path=path,
                         expected=f"members under {MAX_MEMBER_BYTES / 1e9:.0f} GB, compressed "
                         f"no more than {MAX_COMPRESSION_RATIO}:1",
                         hint="Download the street-level crime zip from data.police.uk again")


def _size_text(n: int) -> str:
    return f"{n / 1e9:,.1f} GB" if n >= 1e9 else f"{n / 1e6:,.1f} MB"


def _discover_zip(path: Path) -> SourceListing:
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
        archive.close()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise InputError(f"not a readable zip archive ({exc})", path=path,
                         hint="The download may be incomplete; download it again") from exc
    members = {i.filename: i for i in infos
               if not i.is_dir() and _is_csv_name(Path(i.filename).name)}

    def head(info):
        def read():
            if _skip_reason_by_name(info.filename) is not None:
                return b""
            _check_member(path, info)
            stream = _member_stream(path, info, guard=False)
            try:
                return stream.read(64 * 1024)
            finally:
                stream.close()
        return read

    def digest(info):
        return lambda: f"{info.CRC:08x}:{info.file_size}"

    entries = [(name, head(i), digest(i)) for name, i in members.items()]
    chosen, skipped = _choose(path, entries)
    if not chosen:
        raise InputError("zip archive holds no CSV files" if not skipped else
                         "zip archive holds no police.uk street CSV (skipped: "
                         + "; ".join(f"{n}: {r}" for n, r in skipped[:5]) + ")", path=path,
                         expected="police.uk YYYY-MM/YYYY-MM-<force>-street.csv members",
                         hint="Download the street-level crime zip from data.police.uk")
    for name in chosen:
        _check_member(path, members[name])

    def opener(info: zipfile.ZipInfo):
        return lambda guard=True: _member_stream(path, info, guard=guard)

    sources = [_Source(f"{path.name}/{name}", opener(members[name]), members[name].file_size)
               for name in chosen]
    return SourceListing(tuple(sources), tuple(skipped))


def _member_stream(path: Path, info: zipfile.ZipInfo, *, guard: bool = True):
    """The member's bytes as a bounded stream (never read whole into memory)."""
    import gzip
    name = f"{path.name}/{info.filename}"
    try:
        archive = zipfile.ZipFile(path)
        raw = archive.open(info)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError,
            ValueError, zlib_error()) as exc:
        raise InputError(f"zip member {info.filename} cannot be read ({exc})", path=path,
                         hint="The download may be truncated; download it again") from exc
    if info.filename.lower().endswith(".gz"):
        raw = gzip.GzipFile(fileobj=raw, mode="rb")
    reader = _ZipMemberReader(raw, archive, path, info.filename)
    return guarded_reader(reader, name, max_bytes=MAX_MEMBER_BYTES) if guard else reader


class _ZipMemberReader:
    """Turns zipfile's errors mid-stream (bad CRC, truncated data) into ``InputError``."""

    def __init__(self, raw, archive: zipfile.ZipFile, path: Path, member: str):
        self._raw, self._archive, self._path, self._member = raw, archive, path, member

    def read(self, n: int = -1) -> bytes:
        try:
            return self._raw.read(n)
        except (zipfile.BadZipFile, OSError, EOFError, zlib_error()) as exc:
            raise InputError(f"zip member {self._member} cannot be read ({exc})",
                             path=self._path,
                             hint="The download may be truncated; download it again") from exc

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            self._archive.close()


def zlib_error():
    import zlib
    return zlib.error


def _is_csv_name(name: str) -> bool:
    name = name.lower()
    return name.endswith(".csv") or name.endswith(".csv.gz")


def _is_street_name(name: str) -> bool:
    return street_key(name) is not None


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
    """A binary stream of the (decompressed) file, for the slow diagnostic scan."""
    return source.open_bytes()


def _head_of(source: _Source) -> bytes:
    try:
        stream = source.open_bytes(guard=False)   # unguarded: a PNG is named as a PNG
        try:
            return stream.read(64 * 1024)
        finally:
            stream.close()
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
    stream = source.open_bytes()
    try:
        try:
            reader = pacsv.open_csv(stream, read_options=read, parse_options=parse,
                                    convert_options=convert)
        except StopIteration:
            return
        except pa.ArrowInvalid:
            raise
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
    finally:
        stream.close()


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

    def finish(self, source_names: list[str], warnings: list[str],
               skipped: tuple[tuple[str, str], ...] = ()) -> IncidentSet:
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
                           warnings=tuple(warnings), skipped=tuple(skipped))


__all__ = ["load_police_uk", "is_police_uk_header", "list_sources", "SourceListing",
           "street_key", "REQUIRED_COLUMNS"]
