"""Look at a file's first bytes before parsing, so a PNG or a workbook renamed ``.csv``
gets a message that says what it is rather than a parser error."""

from __future__ import annotations

import csv
import io

from workstation.errors import InputError

_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a zip archive or Excel .xlsx workbook"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"PAR1", "a Parquet file"),
)


def describe_binary(head: bytes) -> str | None:
    """What a non-text file looks like, or None if it looks like text."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if b"\x00" in head[:4096]:
        return "binary data"
    return None


def check_text_header(head: bytes, name: str) -> list[str]:
    """Column names from the first bytes of a CSV; InputError if it is not CSV text."""
    if not head.strip():
        raise InputError("file is empty", path=name, expected="a CSV header row and data rows")
    what = describe_binary(head)
    if what is not None:
        hint = "Rename it to .csv.gz" if what.startswith("gzip") else (
            "Export the data as CSV (or import the workbook with its .xlsx name)")
        raise InputError(f"is {what}, not CSV text", path=name, expected="comma-separated text",
                         hint=hint)
    text = head.decode("utf-8-sig", errors="replace")
    first = text.splitlines()[0] if text.splitlines() else ""
    try:
        header = next(csv.reader(io.StringIO(first)))
    except (csv.Error, StopIteration) as exc:
        raise InputError(f"header row cannot be read ({exc})", path=name, row=0) from exc
    header = [h.strip() for h in header]
    if len(header) < 2:
        raise InputError("header has fewer than two columns", path=name, row=0,
                         expected="comma-separated column names",
                         hint="Is the file separated by ';' or tabs? Save it as comma-separated CSV")
    return header


def first_ragged_row(stream, encoding: str = "utf-8") -> tuple[int, int, int] | None:
    """(1-based data row, fields expected, fields found) of the first row whose field count
    differs from the header's, scanning a binary stream; None if every row fits. Used only
    after the fast parser failed, to tell the user which row to fix."""
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    reader = csv.reader(text)
    try:
        expected = len(next(reader))
        for number, row in enumerate(reader, start=1):
            if row and len(row) != expected:
                return number, expected, len(row)
    except (StopIteration, csv.Error):
        # csv.Error: a field over the csv module's size limit (e.g. a run of NUL bytes):
        # no row to point at, the caller's message stands without one.
        return None
    return None


def looks_like_utf8(head: bytes) -> bool:
    """True if the first bytes decode as UTF-8 (a character cut at the end is allowed)."""
    import codecs
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def parse_error_message(text: str) -> str:
    """pyarrow's parse error without the row's content (which may hold personal data)."""
    first = text.splitlines()[0] if text else "parse error"
    return first.split(": ", 2)[1] if first.count(": ") >= 2 else first


# --- what is safe to open ----------------------------------------------------------------

def non_regular_kind(path) -> str | None:
    """What a path is when it is not a regular file ("a named pipe", "a socket"...), from
    ``lstat``-free ``stat`` (follows symlinks, never opens the file), else None.

    Opening a named pipe blocks until something writes to it, so the CLI hung and the
    window froze on a FIFO called ``.csv``; a device file may never end."""
    import os
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def require_regular_file(path) -> None:
    """InputError unless ``path`` is a regular file or folder (checked without opening it)."""
    kind = non_regular_kind(path)
    if kind is not None:
        raise InputError(f"is {kind}, not a regular file", path=path,
                         expected="a CSV, XLSX, Parquet or zip file saved on disk",
                         hint="Save the data to a file first, then import that file")


class GuardedStream(io.RawIOBase):
    """A read-only binary stream that stops, with a named ``InputError``, on damage the
    CSV parser would otherwise chew on for gigabytes: NUL bytes (a file padded with zeros
    by an interrupted copy or a disk fault) and more bytes than ``max_bytes`` (a zip member
    larger than its header says, or a decompression bomb). Reads in whatever chunk sizes
    the caller asks for, so memory stays bounded by the parser's block size."""

    def __init__(self, raw, name: str, *, max_bytes: int | None = None):
        super().__init__()
        self._raw = raw
        self._name = name
        self._max = max_bytes
        self.offset = 0
        self.newlines = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        n = len(data)
        if not n:
            return b""
        nul = data.find(b"\x00")
        if nul >= 0:
            row = self.newlines + data.count(b"\n", 0, nul)
            raise InputError(f"holds NUL (zero) bytes from byte {self.offset + nul:,}, "
                             f"after about {max(row - 1, 0):,} data rows", path=self._name,
                             row=max(row, 1), expected="CSV text only",
                             hint="The file is damaged (e.g. an interrupted copy padded with "
                             "zeros); download or export it again")
        self.newlines += data.count(b"\n")
        self.offset += n
        if self._max is not None and self.offset > self._max:
            raise InputError(f"expands beyond {self._max:,} bytes", path=self._name,
                             expected="a police.uk month or an extract of ordinary size",
                             hint="The archive is damaged or is a decompression bomb; "
                             "download it again")
        return data

    def close(self) -> None:
        try:
            close = getattr(self._raw, "close", None)
            if close is not None:
                close()
        finally:
            super().close()


def guarded_reader(raw, name: str, *, max_bytes: int | None = None):
    """A ``GuardedStream`` over ``raw`` that pyarrow can read (``pa.PythonFile`` accepts
    it); reads pass straight through in the parser's block size (no extra copy)."""
    return GuardedStream(raw, name, max_bytes=max_bytes)
