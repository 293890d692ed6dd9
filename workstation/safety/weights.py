"""Published, editable domain weights and analyst-added domains, read from CSV.

Why CSV: the index is meant to be co-owned by the Mayor's office, boroughs and partners
(seed report, Rotterdam's Safety Index), so the weights must be a file they can read, argue
about and edit, not constants in code. Errors name the file, row and column.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workstation.csvtext import read_csv_rows
from workstation.errors import InputError

DEFAULT_WEIGHTS_PATH = Path(__file__).resolve().parent / "safety_weights.csv"
WEIGHT_COLUMNS = ("domain", "weight", "basis")
DIRECTIONS = ("higher_is_worse", "higher_is_better", "percent_higher_is_better")


@dataclass(frozen=True, slots=True)
class DomainWeights:
    """domain -> weight (>= 0) with the basis text of each, in file order."""

    weights: tuple[tuple[str, float, str], ...]
    source: str

    def get(self, domain: str) -> float | None:
        for name, weight, _ in self.weights:
            if name == domain:
                return weight
        return None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n, _, _ in self.weights)

    def with_weight(self, domain: str, weight: float, basis: str = "") -> "DomainWeights":
        """A copy with one domain's weight set (added at the end if new)."""
        rows = [r for r in self.weights if r[0] != domain]
        old = next((r for r in self.weights if r[0] == domain), None)
        row = (domain, float(weight), basis or (old[2] if old else ""))
        if old is not None:
            rows.insert(self.names.index(domain), row)
        else:
            rows.append(row)
        return DomainWeights(tuple(rows), self.source)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.weights), columns=list(WEIGHT_COLUMNS))


def _number(text: str, path: Path, row: int, column: str, expected: str) -> float:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise InputError(f"'{text}' is not a number", path=path, row=row, column=column,
                         expected=expected) from None
    if not math.isfinite(value):
        raise InputError(f"'{text}' is not finite", path=path, row=row, column=column,
                         expected=expected)
    return value


def load_domain_weights(path: str | Path | None = None) -> DomainWeights:
    """Read ``domain,weight,basis`` (default: the shipped table). Weight 0 drops a domain."""
    path = Path(path) if path is not None else DEFAULT_WEIGHTS_PATH
    header, rows = read_csv_rows(path, WEIGHT_COLUMNS)
    index = {c: header.index(c) for c in WEIGHT_COLUMNS}
    out: list[tuple[str, float, str]] = []
    seen: dict[str, int] = {}
    for line_no, record in rows:
        name = record[index["domain"]]
        if not name:
            raise InputError("empty domain name", path=path, row=line_no, column="domain")
        weight = _number(record[index["weight"]], path, line_no, "weight", "a number >= 0")
        if weight < 0:
            raise InputError(f"weight {weight:g} is negative", path=path, row=line_no,
                             column="weight", expected="a number >= 0")
        if name in seen:
            raise InputError(f"domain '{name}' is listed twice (first on row {seen[name]})",
                             path=path, row=line_no, column="domain")
        seen[name] = line_no
        out.append((name, weight, record[index["basis"]]))
    if not out or sum(w for _, w, _ in out) <= 0:
        raise InputError("no positive weight in file", path=path,
                         expected="at least one domain with weight > 0")
    return DomainWeights(tuple(out), str(path))


@dataclass(frozen=True)
class CustomDomain:
    """An analyst-added domain: one value per area code (optionally per month)."""

    name: str
    values: pd.DataFrame          # area_code, month (str or ""), value
    direction: str
    weight: float | None          # from the file's weight column, if given
    reference: float | None       # the value that scores 7 (default: median of values)
    source: str


def load_custom_domain(path: str | Path) -> CustomDomain:
    """Read a domain CSV keyed by area code (see docs/method-safety-index.md, "Adding a domain").

    Required: ``area_code, value``. Optional: ``domain`` (default: the file name),
    ``direction`` (higher_is_worse | higher_is_better | percent_higher_is_better),
    ``month`` (YYYY-MM: the latest month <= the index month is used), ``weight``,
    ``reference``. Single-valued columns must hold one value for the whole file.
    """
    path = Path(path)
    header, rows = read_csv_rows(path, ("area_code", "value"))
    col = {c: header.index(c) for c in header}
    if not rows:
        raise InputError("no data rows", path=path, expected="one row per area code")

    def single(name: str) -> str | None:
        if name not in col:
            return None
        values = {r[col[name]] for _, r in rows if r[col[name]]}
        if len(values) > 1:
            raise InputError(f"column '{name}' must hold one value for the whole file, found "
                             f"{sorted(values)[:3]}", path=path, column=name)
        return values.pop() if values else None

    name = single("domain") or path.stem
    direction = (single("direction") or "higher_is_worse").lower()
    if direction not in DIRECTIONS:
        raise InputError(f"unknown direction '{direction}'", path=path, column="direction",
                         expected=" or ".join(DIRECTIONS))
    weight_text, ref_text = single("weight"), single("reference")
    weight = None if weight_text is None else _number(weight_text, path, 2, "weight", ">= 0")
    if weight is not None and weight < 0:
        raise InputError("weight is negative", path=path, column="weight", expected=">= 0")
    reference = None if ref_text is None else _number(ref_text, path, 2, "reference", "> 0")
    records = []
    seen: dict[tuple[str, str], int] = {}
    for line_no, r in rows:
        code = r[col["area_code"]].upper()
        if not code:
            raise InputError("empty area code", path=path, row=line_no, column="area_code")
        month = r[col["month"]] if "month" in col else ""
        if month and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise InputError(f"month '{month}' is not YYYY-MM", path=path, row=line_no,
                             column="month", expected="YYYY-MM")
        value = _number(r[col["value"]], path, line_no, "value", "a number")
        if direction == "percent_higher_is_better" and not 0 <= value <= 100:
            raise InputError(f"value {value:g} is not a percentage", path=path, row=line_no,
                             column="value", expected="0..100")
        if direction != "percent_higher_is_better" and value < 0:
            raise InputError(f"value {value:g} is negative", path=path, row=line_no,
                             column="value", expected="a number >= 0 (scores use ratios)")
        key = (code, month)
        if key in seen:
            raise InputError(f"area {code}{' ' + month if month else ''} is listed twice "
                             f"(first on row {seen[key]})", path=path, row=line_no,
                             column="area_code")
        seen[key] = line_no
        records.append((code, month, value, line_no))
    values = pd.DataFrame(records, columns=["area_code", "month", "value", "row"])
    return CustomDomain(name=name, values=values, direction=direction, weight=weight,
                        reference=reference, source=str(path))
