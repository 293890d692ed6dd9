"""Read a commander's home-strength CSV: officers on duty per planning unit (and shift).

Columns: ``unit_code`` (or ``gss_code``), ``officers`` and optionally ``shift`` (e.g.
``07-15``). A file may name only some units and shifts: the deployment engine keeps the
default split for the rest and says which were given. Every error names the file, row and
column, because analysts fix their own extracts.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from workstation.errors import InputError

EXPECTED = "a CSV with unit_code (or gss_code), officers and optionally shift"


@dataclass(frozen=True, slots=True)
class StrengthFile:
    """Officers given per (unit code, shift name); only what the file names."""

    path: Path
    officers: dict[tuple[str, str], int]

    @property
    def unit_codes(self) -> tuple[str, ...]:
        """Units the file names, in file order."""
        return tuple(dict.fromkeys(code for code, _ in self.officers))


def read_strength_csv(path: str | Path, *, unit_codes: tuple[str, ...],
                      shift_names: tuple[str, ...], unit_kind: str = "borough") -> StrengthFile:
    """Parse and check ``path`` against the planning units and shift pattern.

    A row without a shift sets every shift of its unit; a later row for the same unit and
    shift replaces an earlier one (as a spreadsheet user expects of a correction row).
    """
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            fields = [f.strip() for f in (reader.fieldnames or [])]
            reader.fieldnames = fields
            rows = list(reader)
    except FileNotFoundError:
        raise InputError("strength file not found", path=str(path), expected=EXPECTED) from None
    except UnicodeDecodeError:
        raise InputError("strength file is not UTF-8 text", path=str(path),
                         hint="Save it as CSV UTF-8") from None
    code_column = next((c for c in ("unit_code", "gss_code") if c in fields), None)
    if code_column is None or "officers" not in fields:
        raise InputError("strength file lacks its columns", path=str(path), row=1,
                         expected="columns unit_code (or gss_code), officers and optionally shift")
    if not rows:
        raise InputError("strength file has no rows", path=str(path), row=2, expected=EXPECTED)
    officers: dict[tuple[str, str], int] = {}
    for i, row in enumerate(rows, start=2):
        code = (row.get(code_column) or "").strip()
        if code not in unit_codes:
            raise InputError(f"unknown planning unit '{code}'", path=str(path), row=i,
                             column=code_column,
                             expected=f"one of the {len(unit_codes)} {unit_kind} codes, e.g. "
                                      f"{unit_codes[0]}")
        count = _officers(row.get("officers"), path, i)
        shift = (row.get("shift") or "").strip()
        if shift and shift not in shift_names:
            raise InputError(f"unknown shift '{shift}'", path=str(path), row=i, column="shift",
                             expected="one of " + ", ".join(shift_names))
        for name in ([shift] if shift else shift_names):
            officers[(code, name)] = count
    return StrengthFile(path, officers)


def _officers(value: str | None, path: Path, row: int) -> int:
    text = (value or "").strip()
    try:
        number = float(text)
    except ValueError:
        raise InputError(f"'{text}' is not a number of officers", path=str(path), row=row,
                         column="officers", expected="a whole number, 0 or more") from None
    if number < 0 or number != int(number):
        raise InputError(f"{text} is not a valid number of officers", path=str(path), row=row,
                         column="officers", expected="a whole number, 0 or more")
    return int(number)
