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
    except StopIteration:
        return None
    for number, row in enumerate(reader, start=1):
        if row and len(row) != expected:
            return number, expected, len(row)
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
