"""Small CSV tables an analyst edits (harm weights, index weights, extra domains): read with
errors that name the file, row and column, rows numbered as a spreadsheet shows them
(header = row 1) so the analyst can go straight to the bad cell."""

from __future__ import annotations

import csv
from pathlib import Path

from workstation.errors import InputError


def read_csv_rows(path: str | Path, required: tuple[str, ...], *,
                  what: str = "file") -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(lower-case header, [(row number, stripped cells padded to the header)]), blank rows
    skipped; ``InputError`` if the file is missing, not UTF-8, empty or lacks a column.
    ``what`` names the file in the not-found message ("harm weights file")."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{what} not found", path=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", path=path,
                         hint="Save the file as CSV UTF-8") from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None:
        raise InputError("file is empty", path=path, expected="columns " + ", ".join(required))
    header = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", path=path, row=1,
                         column=missing[0], expected="columns " + ", ".join(required))
    rows = []
    for line_no, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        record = record + [""] * (len(header) - len(record))
        rows.append((line_no, [c.strip() for c in record]))
    return header, rows
