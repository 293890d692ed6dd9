"""Shift plan as an Excel workbook: Plan, a Plan sheet per day type, Lending, Hourly, Impact
and Assumptions.

Numbers are written as numbers with display formats (shares as percentages), headers
are frozen and columns sized to their content, every sheet is an Excel Table (filter and
sort work at once, and the Risk column filters to HIGH in one click), and every sheet is
set up to print: landscape, fit to one page wide, header row repeated, footer with the
scenario name, the date and "Page n of N". Day types read "Mon–Thu", "Fri", "Sat", "Sun"
(the CSV and JSON keep the stable values). The Assumptions sheet prints every scenario
value, weight, basis and method line: a plan that leaves the building carries its own
method.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from workstation.deploy.plan import ShiftPlan
from workstation.domain import CancelToken, ProgressFn, check_cancel, no_progress
from workstation.exports._common import check_target, output_path, plain_value, safe_text_cell
from workstation.exports.tables import (PLAN_HEADERS, SHARE_COLUMNS, assumption_rows,
                                        contract_table, day_label, plan_table, risk_table)

HEADERS = {
    **PLAN_HEADERS,
    "from_code": "From code", "from_name": "From", "to_code": "To code", "to_name": "To",
    "officers": "Officers", "travel_minutes": "Travel (minutes)", "hour": "Hour",
    "population_present": "Population present", "demand_per_hour": "Demand per hour",
    "harm_per_hour": "Harm per hour", "static": "Static (home)", "allocated": "Allocated",
    "officer_change": "Officer change", "cover_change_points": "Cover change (points)",
    "worst_hour": "Worst hour", "worst_hour_shortfall": "Worst-hour shortfall",
    "statement": "Statement",
}
FORMATS = {
    "population_present": "#,##0",
    "demand_per_hour": "0.00", "harm_per_hour": "0.00",
    "travel_minutes": "0.0",
    "cover_change_points": "+0.0;-0.0;0.0",
    "hour": "0", "worst_hour": "0",
}
MAX_WIDTH = 60


def _cell(value: Any) -> Any:
    """Python scalars only (openpyxl rejects numpy types); missing -> empty cell."""
    return safe_text_cell(plain_value(value))


def _number_format(column: str, series: pd.Series) -> str | None:
    if column in SHARE_COLUMNS:
        return "0.0%"
    if column in FORMATS:
        return FORMATS[column]
    if pd.api.types.is_integer_dtype(series):
        return "0"
    if pd.api.types.is_float_dtype(series):
        values = series.dropna()
        return "0" if len(values) and (values == values.round()).all() else "0.0"
    return None


def _append_row(sheet, values: Iterable[Any]) -> None:
    """The one place a row of cells is written (every sheet goes through here)."""
    sheet.append([_cell(v) for v in values])


def _table_name(title: str, used: set[str]) -> str:
    """An Excel Table name from a sheet title: letters, digits, underscores, unique."""
    base = re.sub(r"[^A-Za-z0-9_]", "", title.replace("–", "_")) or "Table"
    if not base[0].isalpha():
        base = "T" + base
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base}{n}", n + 1
    used.add(name.lower())
    return name


def _as_table(sheet, n_columns: int, n_rows: int, used: set[str]) -> None:
    """Make the sheet's block an Excel Table (its own filter buttons; banded rows)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    if n_rows == 0:   # a Table needs one data row: an empty one, so filters still show
        _append_row(sheet, [None] * n_columns)
    ref = f"A1:{get_column_letter(n_columns)}{max(n_rows, 1) + 1}"
    table = Table(displayName=_table_name(sheet.title, used), ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True,
                                          showColumnStripes=False)
    sheet.add_table(table)


def _print_setup(sheet, *, scenario: str, date: str) -> None:
    """Landscape, one page wide, header row on every page, footer: scenario, date, page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0          # as many pages tall as it takes
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.oddFooter.left.text = scenario.replace("&", "&&")
    sheet.oddFooter.center.text = date
    sheet.oddFooter.right.text = "Page &P of &N"
    for footer in (sheet.oddFooter.left, sheet.oddFooter.center, sheet.oddFooter.right):
        footer.size = 8


def _write_frame(sheet, frame: pd.DataFrame) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    columns = list(frame.columns)
    _append_row(sheet, [HEADERS.get(c, c) for c in columns])
    for row in frame.itertuples(index=False, name=None):
        _append_row(sheet, row)
    bold = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        header = sheet.cell(row=1, column=index)
        header.font = bold
        header.alignment = Alignment(wrap_text=True, vertical="top")
        fmt = _number_format(column, frame[column])
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = fmt
        texts = [str(HEADERS.get(column, column))] + [
            str(v) for v in frame[column].head(500).tolist()]
        width = min(MAX_WIDTH, max(8, max(len(t) for t in texts) + 2))
        if fmt == "0.0%":
            width = max(10, len(HEADERS.get(column, column)) // 2 + 2)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _write_assumptions(sheet, rows: Iterable[tuple[str, str, Any]]) -> None:
    from openpyxl.styles import Alignment, Font

    rows = list(rows)
    _append_row(sheet, ["Section", "Name", "Value"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for section, name, value in rows:
        _append_row(sheet, [section, name, value])
    sheet.column_dimensions["A"].width = max([9] + [len(r[0]) + 2 for r in rows])
    sheet.column_dimensions["B"].width = min(70, max([30] + [len(r[1]) + 2 for r in rows]))
    sheet.column_dimensions["C"].width = 110
    for (cell,) in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if isinstance(cell.value, float) and not float(cell.value).is_integer():
            cell.number_format = "0.00##"
    sheet.freeze_panes = "A2"


def plan_sheet_frame(plan: ShiftPlan) -> pd.DataFrame:
    """The Plan table as a person reads it: day types labelled, the engine's risk grade
    and reason beside each unit-shift (Risk after Shift so it filters at a glance)."""
    frame = plan_table(plan)
    for column in ("risk_level", "risk_reason"):
        if column in frame.columns:
            frame = frame.drop(columns=column)
    risk = risk_table(plan)
    frame = frame.merge(risk, on=["unit_code", "day_type", "shift"], how="left")
    frame["risk_level"] = frame["risk_level"].fillna("NONE")
    frame["risk_reason"] = frame["risk_reason"].fillna("")
    order = list(frame.columns)
    order.remove("risk_level")
    order.insert(order.index("shift") + 1, "risk_level")
    order.remove("risk_reason")
    order.append("risk_reason")
    frame = frame.loc[:, order]
    frame["day_type"] = frame["day_type"].map(day_label)
    return frame


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    if "day_type" in out.columns:
        out["day_type"] = out["day_type"].map(day_label)
    return out


def write_plan_xlsx(plan: ShiftPlan, path: str | Path, *,
                    generated: dt.datetime | None = None,
                    progress: ProgressFn = no_progress,
                    cancel: CancelToken | None = None, safety=None) -> Path:
    """Write the shift plan workbook atomically; ``OutputError`` if it cannot be written.

    A cancel (checked between sheets) leaves no file at ``path``."""
    from openpyxl import Workbook

    check_target(path)
    generated = generated or dt.datetime.now()
    date = generated.strftime("%d %b %Y")
    scenario = str(plan.scenario.name)
    book = Workbook()
    used: set[str] = set()
    sheets: list[tuple[str, pd.DataFrame]] = []
    plan_frame = plan_sheet_frame(plan)
    sheets.append(("Plan", plan_frame))
    for day in dict.fromkeys(plan_frame["day_type"]):   # one sheet per day type, in order
        sheets.append((f"Plan {day}", plan_frame[plan_frame["day_type"] == day]))
    for name in ("lending", "hourly", "impact"):
        sheets.append((name.capitalize(), _labelled(contract_table(plan, name))))
    path = Path(path)
    # Everything inside the atomic write: a cancel at any step removes the temp file.
    with output_path(path) as tmp:
        for index, (title, frame) in enumerate(sheets):
            check_cancel(cancel)
            progress(0.05 + 0.8 * index / len(sheets), f"writing sheet {title}")
            sheet = book.active if index == 0 else book.create_sheet(title)
            sheet.title = title
            _write_frame(sheet, frame.reset_index(drop=True))
            _as_table(sheet, len(frame.columns), len(frame), used)
            _print_setup(sheet, scenario=scenario, date=date)
        check_cancel(cancel)
        sheet = book.create_sheet("Assumptions")
        rows = assumption_rows(plan)
        _write_assumptions(sheet, rows)
        _as_table(sheet, 3, len(rows), used)
        _print_setup(sheet, scenario=scenario, date=date)
        if safety is not None:   # issue 20: a SafetyIndex adds its "Safety index"/"weights" sheets
            from workstation.exports.safety_index import add_safety_sheets
            add_safety_sheets(book, safety)
        book.properties.title = f"Shift plan - {scenario}"
        book.properties.creator = "London Deployment Workstation"
        check_cancel(cancel)
        progress(0.9, "saving workbook")
        book.save(tmp)
        check_cancel(cancel)
    progress(1.0, "workbook written")
    return path
