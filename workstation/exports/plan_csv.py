"""Shift plan as CSV: the Plan table (one row per unit x day type x shift), for any tool."""

from __future__ import annotations

from pathlib import Path

from workstation.deploy.plan import ShiftPlan
from workstation.domain import CancelToken, ProgressFn, check_cancel, no_progress
from workstation.exports._common import check_target, output_path, safe_text_frame
from workstation.exports.tables import contract_table, plan_table

TABLE_NAMES = ("plan", "lending", "hourly", "impact")


def write_plan_csv(plan: ShiftPlan, path: str | Path, *, table: str = "plan",
                   progress: ProgressFn = no_progress,
                   cancel: CancelToken | None = None) -> Path:
    """Write one table of ``plan`` (default the Plan table) as UTF-8 CSV, atomically.

    Shares are fractions 0..1 (machine-readable); the XLSX shows them as percentages.
    Text cells that a spreadsheet would run as a formula are written as text
    (``_common.safe_text_cell``).
    Headers and values are the stable names ("weekday"), not the display labels.
    """
    if table not in TABLE_NAMES:
        raise ValueError(f"unknown plan table {table!r}; use one of {TABLE_NAMES}")
    check_target(path)
    frame = plan_table(plan) if table == "plan" else contract_table(plan, table)
    check_cancel(cancel)
    progress(0.5, "writing CSV")
    path = Path(path)
    with output_path(path) as tmp:
        # CRLF line ends (RFC 4180): the csv writer then quotes any text holding a CR or LF,
        # so a stray carriage return in a name cannot split a row.
        safe_text_frame(frame).to_csv(tmp, index=False, encoding="utf-8", lineterminator="\r\n")
        check_cancel(cancel)
    progress(1.0, "CSV written")
    return path
