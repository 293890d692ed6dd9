"""The incident model every analysis reads: one frame of placed incidents, one of rows
that could not be placed (never silently dropped), and the files they came from.

Columns use compact dtypes (categoricals for repeated text, Arrow-backed strings for
ids) so a million incidents stay a few tens of MB.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from pandas.api.types import union_categoricals

INCIDENT_COLUMNS: tuple[str, ...] = (
    "incident_id", "month", "occurred_at", "crime_type", "easting_m", "northing_m",
    "gss_code", "force", "source",
)
"""Exact column order of ``IncidentSet.frame``."""

UNPLACED_COLUMNS: tuple[str, ...] = ("source", "row", "reason", "month")
"""Columns of ``IncidentSet.unplaced``; ``row`` is the 1-based data row in ``source``
(header excluded) and ``month`` is "" when the row had no valid month."""

# Reasons a row is not placed. Kept as constants so tests, docs and the app agree.
REASON_NO_COORDINATES = "no coordinates"
REASON_INVALID_COORDINATES = "invalid coordinates"
REASON_OUTSIDE_LONDON = "outside London"
REASON_OUTSIDE_GB = "outside Great Britain"
REASON_INVALID_MONTH = "invalid month"
REASON_INVALID_TIMESTAMP = "invalid timestamp"

OUTSIDE_LONDON_CODE = ""
"""``gss_code`` of a placed incident outside the 33 boroughs (kept, e.g. Met-recorded
crime located just over the boundary, so totals reconcile with police.uk)."""


def _string_series(values, index=None) -> pd.Series:
    return pd.Series(values, index=index, dtype=pd.StringDtype("pyarrow"))


def empty_incident_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "incident_id": _string_series([]),
        "month": pd.Categorical([]),
        "occurred_at": pd.Series([], dtype="datetime64[ns]"),
        "crime_type": pd.Categorical([]),
        "easting_m": pd.Series([], dtype="float64"),
        "northing_m": pd.Series([], dtype="float64"),
        "gss_code": pd.Categorical([]),
        "force": pd.Categorical([]),
        "source": pd.Categorical([]),
    })


def empty_unplaced_frame() -> pd.DataFrame:
    return pd.DataFrame({"source": pd.Categorical([]), "row": pd.Series([], dtype="int64"),
                         "reason": pd.Categorical([]), "month": pd.Categorical([])})


@dataclass(frozen=True)
class IncidentSet:
    """Incidents from one import. ``frame`` holds placed rows in file/row order
    (EPSG:27700 metres); ``unplaced`` accounts for every other input row."""

    frame: pd.DataFrame
    unplaced: pd.DataFrame
    sources: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())
    # Files of a folder or zip that were not read, with the reason: (name, reason).
    skipped: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        if tuple(self.frame.columns) != INCIDENT_COLUMNS:
            raise ValueError(f"IncidentSet.frame columns must be {INCIDENT_COLUMNS}, "
                             f"got {tuple(self.frame.columns)}")
        if tuple(self.unplaced.columns) != UNPLACED_COLUMNS:
            raise ValueError(f"IncidentSet.unplaced columns must be {UNPLACED_COLUMNS}, "
                             f"got {tuple(self.unplaced.columns)}")

    @property
    def rows_placed(self) -> int:
        return int(len(self.frame))

    @property
    def rows_unplaced(self) -> int:
        return int(len(self.unplaced))

    @property
    def rows_total(self) -> int:
        return self.rows_placed + self.rows_unplaced

    @property
    def months(self) -> tuple[str, ...]:
        return tuple(sorted(_present(self.frame["month"])))

    @property
    def forces(self) -> tuple[str, ...]:
        return tuple(sorted(f for f in _present(self.frame["force"]) if f))

    @property
    def crime_types(self) -> tuple[str, ...]:
        return tuple(sorted(_present(self.frame["crime_type"])))

    @property
    def rows_outside_london(self) -> int:
        return int((self.frame["gss_code"] == OUTSIDE_LONDON_CODE).sum())


def _present(column: pd.Series) -> list[str]:
    if isinstance(column.dtype, pd.CategoricalDtype):
        counts = column.value_counts(sort=False)
        return [str(v) for v, c in counts.items() if c > 0]
    return [str(v) for v in column.dropna().unique()]


def _counts(column: pd.Series) -> dict[str, int]:
    counts = column.value_counts(sort=False)
    return {str(k): int(v) for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])) if v > 0}


def summary(incidents: IncidentSet) -> dict:
    """What an analyst needs to trust an import: every row accounted for, by reason."""
    frame = incidents.frame
    months = incidents.months
    ids = frame["incident_id"]
    return {
        "rows_total": incidents.rows_total,
        "rows_placed": incidents.rows_placed,
        "rows_unplaced": incidents.rows_unplaced,
        "unplaced_reasons": _counts(incidents.unplaced["reason"]),
        "rows_outside_london": incidents.rows_outside_london,
        "rows_with_time": int(frame["occurred_at"].notna().sum()),
        "duplicate_ids": int(ids.duplicated().sum()),
        "months": {"first": months[0] if months else None,
                   "last": months[-1] if months else None,
                   "count": len(months), "list": list(months)},
        "forces": _counts(frame["force"][frame["force"] != ""]),
        "crime_types": _counts(frame["crime_type"]),
        "boroughs": int(frame["gss_code"][frame["gss_code"] != OUTSIDE_LONDON_CODE].nunique()),
        "sources": list(incidents.sources),
        "skipped_files": [{"file": name, "reason": reason} for name, reason in incidents.skipped],
        "warnings": list(incidents.warnings),
    }


def concat_incident_sets(sets: list[IncidentSet]) -> IncidentSet:
    """Join several imports (e.g. one per file) keeping categoricals compact."""
    if not sets:
        return IncidentSet(empty_incident_frame(), empty_unplaced_frame(), ())
    frame = _concat_categorical([s.frame for s in sets], INCIDENT_COLUMNS)
    unplaced = _concat_categorical([s.unplaced for s in sets], UNPLACED_COLUMNS)
    sources = tuple(dict.fromkeys(src for s in sets for src in s.sources))
    warnings = tuple(dict.fromkeys(w for s in sets for w in s.warnings))
    skipped = tuple(dict.fromkeys(k for s in sets for k in s.skipped))
    return IncidentSet(frame, unplaced, sources, warnings, skipped)


def _concat_categorical(frames: list[pd.DataFrame], columns: tuple[str, ...]) -> pd.DataFrame:
    out = {}
    for col in columns:
        parts = [f[col] for f in frames]
        if isinstance(parts[0].dtype, pd.CategoricalDtype):
            merged = union_categoricals([pd.Categorical(p) for p in parts], sort_categories=True)
            out[col] = merged
        else:
            out[col] = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(out)[list(columns)]
