"""Export-shaped views of a ``ShiftPlan``, shared by CSV, XLSX, JSON and the PDF.

One place decides what a row of the exported plan says (e.g. "lent to Camden (3)"),
so the spreadsheet, the JSON and the report can never disagree.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workstation.deploy.plan import (HOURLY_COLUMNS, IMPACT_COLUMNS, LENDING_COLUMNS,
                                     PLAN_COLUMNS, ShiftPlan)

# Plan sheet/CSV columns: the contract's, with the names of partners beside the counts.
PLAN_EXPORT_COLUMNS = (
    "unit_code", "unit_name", "day_type", "shift",
    "home", "required", "final",
    "lent", "lent_to", "borrowed", "borrowed_from",
    "share_within_standard", "static_share_within_standard",
)
PLAN_HEADERS = {
    "unit_code": "Unit code", "unit_name": "Unit", "day_type": "Day type", "shift": "Shift",
    "home": "Home strength", "required": "Required", "final": "Final",
    "lent": "Lent", "lent_to": "Lent to", "borrowed": "Borrowed",
    "borrowed_from": "Borrowed from",
    "share_within_standard": "Share within standard (plan)",
    "static_share_within_standard": "Share within standard (static)",
}
SHARE_COLUMNS = frozenset({"share_within_standard", "static_share_within_standard"})


def _day_value(value: Any) -> str:
    """Day types may arrive as ``DayType`` members or plain strings."""
    return str(getattr(value, "value", value))


def _partners(moves: pd.DataFrame, key: str, name: str) -> dict[tuple, str]:
    """(unit, day type, shift) -> "Camden (3), Islington (2)", largest first."""
    out: dict[tuple, str] = {}
    if moves.empty:
        return out
    frame = moves.assign(_day=moves["day_type"].map(_day_value))
    for (code, day, shift), group in frame.groupby([key, "_day", "shift"], sort=False):
        group = group.sort_values(["officers", name], ascending=[False, True])
        out[(code, day, shift)] = ", ".join(
            f"{row[name]} ({_number_text(row['officers'])})" for _, row in group.iterrows())
    return out


def _number_text(value: Any) -> str:
    value = float(value)
    return f"{value:.0f}" if value.is_integer() else f"{value:.1f}"


def plan_table(plan: ShiftPlan) -> pd.DataFrame:
    """One row per unit x day type x shift, with whom each unit lends to / borrows from."""
    frame = plan.plan.loc[:, list(PLAN_COLUMNS)].copy()
    frame["day_type"] = frame["day_type"].map(_day_value)
    lent_to = _partners(plan.lending, "from_code", "to_name")
    borrowed_from = _partners(plan.lending, "to_code", "from_name")
    keys = list(zip(frame["unit_code"], frame["day_type"], frame["shift"]))
    frame["lent_to"] = [lent_to.get(k, "") for k in keys]
    frame["borrowed_from"] = [borrowed_from.get(k, "") for k in keys]
    return frame.loc[:, list(PLAN_EXPORT_COLUMNS)].reset_index(drop=True)


def contract_table(plan: ShiftPlan, name: str) -> pd.DataFrame:
    """``lending``/``hourly``/``impact`` restricted to the contract's columns, day types as text."""
    columns = {"lending": LENDING_COLUMNS, "hourly": HOURLY_COLUMNS,
               "impact": IMPACT_COLUMNS}[name]
    frame = getattr(plan, name).loc[:, list(columns)].copy()
    frame["day_type"] = frame["day_type"].map(_day_value)
    return frame.reset_index(drop=True)


def scenario_rows(plan: ShiftPlan) -> list[tuple[str, Any]]:
    """Every scenario value as (dotted name, value): the Assumptions sheet and report appendix."""
    rows: list[tuple[str, Any]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            if not value:
                rows.append((prefix, ""))
            for key in value:
                walk(f"{prefix}.{key}", value[key])
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                label = item.get("grade", str(len(rows)))
                for key, inner in item.items():
                    if key != "grade":
                        walk(f"{prefix}.{label}.{key}", inner)
        elif isinstance(value, (list, tuple)):
            rows.append((prefix, ", ".join(str(v) for v in value)))
        else:
            rows.append((prefix, "" if value is None else value))

    for key, value in plan.scenario.to_dict().items():
        walk(key, value)
    return rows


def assumption_rows(plan: ShiftPlan) -> list[tuple[str, str, Any]]:
    """(section, name, value) for every scenario value, weight, total, basis and method line."""
    rows: list[tuple[str, str, Any]] = [("scenario", k, v) for k, v in scenario_rows(plan)]
    for key, value in plan.totals.items():
        rows.append(("totals", str(key), _plain(value)))
    if plan.solver:
        rows.append(("solver", "solver", plan.solver))
    rows += [("basis", f"basis {i + 1}", line) for i, line in enumerate(plan.basis)]
    rows += [("method", f"method {i + 1}", line) for i, line in enumerate(plan.method)]
    return rows


def _plain(value: Any) -> Any:
    """numpy scalars -> Python; containers -> readable text (a cell holds one value)."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, (dict, list, tuple)):
        return str(value)
    return value
