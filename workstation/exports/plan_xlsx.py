"""Shift plan as an Excel workbook: Plan, Lending, Hourly, Impact and Assumptions sheets.

Numbers are written as numbers with display formats (shares as percentages), headers
are frozen and columns sized to their content, so analysts can sort and sum at once.
The Assumptions sheet prints every scenario value, weight, basis and method line:
a plan that leaves the building carries its own method.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from workstation.deploy.plan import ShiftPlan
from workstation.exports._common import output_path, plain_value, safe_text_cell
from workstation.exports.tables import (PLAN_HEADERS, SHARE_COLUMNS, assumption_rows,
                                        contract_table, plan_table)

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


def _write_frame(sheet, frame: pd.DataFrame) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    columns = list(frame.columns)
    sheet.append([_cell(HEADERS.get(c, c)) for c in columns])
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_cell(v) for v in row])
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
    if len(frame):
        sheet.auto_filter.ref = sheet.dimensions


def _write_assumptions(sheet, rows: Iterable[tuple[str, str, Any]]) -> None:
    from openpyxl.styles import Alignment, Font

    rows = list(rows)
    sheet.append(["Section", "Name", "Value"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for section, name, value in rows:
        sheet.append([_cell(section), _cell(name), _cell(value)])
    sheet.column_dimensions["A"].width = max([9] + [len(r[0]) + 2 for r in rows])
    sheet.column_dimensions["B"].width = min(70, max([30] + [len(r[1]) + 2 for r in rows]))
    sheet.column_dimensions["C"].width = 110
    for (cell,) in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if isinstance(cell.value, float) and not float(cell.value).is_integer():
            cell.number_format = "0.00##"
    sheet.freeze_panes = "A2"


def write_plan_xlsx(plan: ShiftPlan, path: str | Path, *, safety=None) -> Path:
    """Write the shift plan workbook atomically; ``OutputError`` if it cannot be written."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Plan"
    _write_frame(sheet, plan_table(plan))
    for name in ("lending", "hourly", "impact"):
        _write_frame(book.create_sheet(name.capitalize()), contract_table(plan, name))
    _write_assumptions(book.create_sheet("Assumptions"), assumption_rows(plan))
    if safety is not None:   # issue 20: a SafetyIndex adds its "Safety index"/"weights" sheets
        from workstation.exports.safety_index import add_safety_sheets
        add_safety_sheets(book, safety)
    book.properties.title = f"Shift plan - {plan.scenario.name}"
    book.properties.creator = "London Deployment Workstation"
    path = Path(path)
    with output_path(path) as tmp:
        book.save(tmp)
    return path
