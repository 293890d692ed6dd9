"""Harm weights: how much one incident of a type counts, so a robbery outweighs a shoplifting.

Counting incidents treats a homicide and a cannabis possession alike; the ONS Crime
Severity Score (CSS, ONS 2016, weights from sentencing data: average days of custody
equivalent per offence) gives each notifiable offence a weight instead. The shipped table
``css_weights.csv`` holds one weight per police.uk crime type (``scheme=police_uk``) and per
Met offence subgroup (``scheme=met_subgroup``, the Met borough counts' MinorText), with the
basis of every number in its ``basis`` column. Anti-social behaviour is not notifiable and
has no CSS weight: it is 0 by default (a stated, editable policy). Users may edit a copy;
``load_harm_weights`` validates it and names the bad row and column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from workstation.csvtext import read_csv_rows
from workstation.errors import InputError

DEFAULT_WEIGHTS_PATH = Path(__file__).resolve().parent / "css_weights.csv"
SCHEMES = ("police_uk", "met_subgroup")
COLUMNS = ("category", "scheme", "weight", "basis")


def _key(category: str) -> str:
    """Case- and space-insensitive key: extracts spell types as 'BURGLARY' or 'Burglary '."""
    return " ".join(str(category).split()).casefold()


@dataclass(frozen=True, slots=True)
class HarmWeights:
    """Validated harm weight table. ``weights[scheme][key]`` is the weight per incident."""

    rows: tuple[tuple[str, str, float, str], ...]  # (category, scheme, weight, basis) as read
    source: str

    def _lookup(self, scheme: str) -> dict[str, float]:
        return {_key(c): w for c, s, w, _ in self.rows if s == scheme}

    def categories(self, scheme: str = "police_uk") -> tuple[str, ...]:
        return tuple(c for c, s, _, _ in self.rows if s == scheme)

    def weight(self, category: str, scheme: str = "police_uk") -> float:
        """Weight of one category; InputError (with a hint) if the table lacks it."""
        lookup = self._lookup(scheme)
        try:
            return lookup[_key(category)]
        except KeyError:
            raise InputError(f"no harm weight for crime type '{category}' ({scheme})",
                             path=self.source, column="category",
                             hint="Add a row for it to the harm weights table") from None

    def weights_for(self, categories: Iterable[str], scheme: str = "police_uk") -> np.ndarray:
        """Vectorised ``weight`` over an array of categories (looks up each distinct value once)."""
        values = np.asarray(list(categories) if not isinstance(categories, np.ndarray) else categories,
                            dtype=object)
        if values.size == 0:
            return np.zeros(0, dtype=np.float64)
        uniques, inverse = np.unique(values.astype(str), return_inverse=True)
        per_unique = np.array([self.weight(u, scheme) for u in uniques], dtype=np.float64)
        return per_unique[inverse.reshape(-1)]

    def to_frame(self):
        import pandas as pd
        return pd.DataFrame(list(self.rows), columns=list(COLUMNS))


def load_harm_weights(path: str | Path | None = None) -> HarmWeights:
    """Read and validate a harm weight CSV (default: the shipped ONS CSS table).

    Rows are numbered as a spreadsheet shows them (header = row 1), so an analyst can go
    straight to the bad cell.
    """
    path = Path(path) if path is not None else DEFAULT_WEIGHTS_PATH
    header, records = read_csv_rows(path, COLUMNS, what="harm weights file")
    index = {c: header.index(c) for c in COLUMNS}
    rows: list[tuple[str, str, float, str]] = []
    seen: dict[tuple[str, str], int] = {}
    for line_no, record in records:
        category = record[index["category"]].strip()
        scheme = record[index["scheme"]].strip().lower()
        raw_weight = record[index["weight"]].strip()
        basis = record[index["basis"]].strip()
        if not category:
            raise InputError("empty category", path=path, row=line_no, column="category")
        if scheme not in SCHEMES:
            raise InputError(f"unknown scheme '{scheme}'", path=path, row=line_no, column="scheme",
                             expected=" or ".join(SCHEMES))
        try:
            weight = float(raw_weight.replace(",", ""))
        except ValueError:
            raise InputError(f"weight '{raw_weight}' is not a number", path=path, row=line_no,
                             column="weight", expected="a number >= 0") from None
        if not math.isfinite(weight) or weight < 0:
            raise InputError(f"weight {raw_weight} is out of range", path=path, row=line_no,
                             column="weight", expected="a finite number >= 0")
        key = (scheme, _key(category))
        if key in seen:
            raise InputError(f"'{category}' ({scheme}) is listed twice (first on row {seen[key]})",
                             path=path, row=line_no, column="category")
        seen[key] = line_no
        rows.append((category, scheme, weight, basis))
    if not rows:
        raise InputError("no weights in file", path=path, expected="at least one data row")
    return HarmWeights(rows=tuple(rows), source=str(path))
