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
# Optional columns the engine adds beyond the contract; exported (after the contract's)
# whenever present, so the files carry the static comparison and the S-grade shares
# that the impact statements quote.
OPTIONAL_COLUMNS = {
    "plan": ("static_home", "expected_incidents", "s_share_within_standard",
             "static_s_share_within_standard", "risk_level", "risk_reason",
             "target_ceiling_I", "target_reachable_I", "target_ceiling_S",
             "target_reachable_S"),
    "hourly": ("harm_immediate_per_hour", "s_share_within_standard",
               "static_s_share_within_standard"),
    "lending": (), "impact": ("risk_level", "risk_reason"),
}
PLAN_HEADERS = {
    "unit_code": "Unit code", "unit_name": "Unit", "day_type": "Day type", "shift": "Shift",
    "home": "Home strength", "required": "Required", "final": "Final",
    "lent": "Lent", "lent_to": "Lent to", "borrowed": "Borrowed",
    "borrowed_from": "Borrowed from",
    "share_within_standard": "Share within standard (plan)",
    "static_share_within_standard": "Share within standard (static)",
    "static_home": "Static strength", "expected_incidents": "Expected incidents",
    "s_share_within_standard": "S-grade share within standard (plan)",
    "static_s_share_within_standard": "S-grade share within standard (static)",
    "harm_immediate_per_hour": "I-grade harm per hour",
    "risk_level": "Risk", "risk_reason": "Risk reason (and any unreachable target)",
    "target_ceiling_I": "I-grade ceiling (any staffing)",
    "target_reachable_I": "I-grade target reachable",
    "target_ceiling_S": "S-grade ceiling (any staffing)",
    "target_reachable_S": "S-grade target reachable",
}
SHARE_COLUMNS = frozenset({"share_within_standard", "static_share_within_standard",
                           "s_share_within_standard", "static_s_share_within_standard",
                           "target_ceiling_I", "target_ceiling_S"})


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
    extras = _present(plan.plan, "plan")
    frame = plan.plan.loc[:, list(PLAN_COLUMNS) + extras].copy()
    frame["day_type"] = frame["day_type"].map(_day_value)
    lent_to = _partners(plan.lending, "from_code", "to_name")
    borrowed_from = _partners(plan.lending, "to_code", "from_name")
    keys = list(zip(frame["unit_code"], frame["day_type"], frame["shift"]))
    frame["lent_to"] = [lent_to.get(k, "") for k in keys]
    frame["borrowed_from"] = [borrowed_from.get(k, "") for k in keys]
    return frame.loc[:, list(PLAN_EXPORT_COLUMNS) + extras].reset_index(drop=True)


def _present(frame: pd.DataFrame, name: str) -> list[str]:
    return [c for c in OPTIONAL_COLUMNS[name] if c in frame.columns]


def contract_table(plan: ShiftPlan, name: str) -> pd.DataFrame:
    """``lending``/``hourly``/``impact``: the contract's columns (then any known optional
    ones the engine filled), day types as text."""
    columns = {"lending": LENDING_COLUMNS, "hourly": HOURLY_COLUMNS,
               "impact": IMPACT_COLUMNS}[name]
    source = getattr(plan, name)
    frame = source.loc[:, list(columns) + _present(source, name)].copy()
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


def totals_rows(plan: ShiftPlan) -> list[tuple[str, Any]]:
    """``plan.totals`` flattened to (dotted name, scalar): nested dicts (per day type,
    calibration) become one readable row each instead of one unreadable cell."""
    rows: list[tuple[str, Any]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        else:
            rows.append((prefix, _plain(value)))

    walk("", dict(plan.totals))
    return rows


def demand_type_rows(plan: ShiftPlan) -> list[dict[str, Any]]:
    """The demand types the engine used (grade shares, officer time, harm weight, basis).

    Read from the same table the engine reads (``scenario.extra["demand_table_csv"]`` or
    the shipped one), so the printed weights are the ones behind the numbers. Empty if the
    deployment engine's table cannot be loaded (the report then says so).
    """
    try:
        from workstation.deploy.demand import load_demand_table
        table = load_demand_table(plan.scenario.extra.get("demand_table_csv"))
    except Exception:  # a report must still be written; the caller prints the gap
        return []
    return [{"demand_type": t.name, "share_immediate": t.share_immediate,
             "share_significant": t.share_significant,
             "officer_hours_per_incident": t.officer_hours_per_incident,
             "harm_weight": t.harm_weight, "basis": t.basis} for t in table]


def harm_weight_rows(plan: ShiftPlan, scheme: str = "met_subgroup") -> list[tuple[str, float, str]]:
    """(category, weight, basis) of the crime harm weights the engine used (ONS CSS by Met
    offence subgroup, or the scenario's own table). Empty if the table cannot be loaded."""
    try:
        from workstation.maps.harm import load_harm_weights
        weights = load_harm_weights(plan.scenario.extra.get("harm_weights_csv"))
    except Exception:  # a report must still be written; the caller prints the gap
        return []
    return [(c, float(w), b) for c, s, w, b in weights.rows if s == scheme]


def assumption_rows(plan: ShiftPlan) -> list[tuple[str, str, Any]]:
    """(section, name, value) for every scenario value, weight, total, basis and method line."""
    rows: list[tuple[str, str, Any]] = [("scenario", k, v) for k, v in scenario_rows(plan)]
    for row in demand_type_rows(plan):
        for key in ("share_immediate", "share_significant", "officer_hours_per_incident",
                    "harm_weight", "basis"):
            value = row[key]
            rows.append(("demand type", f"{row['demand_type']}: {key}",
                         "" if value is None else value))
    for category, weight, _ in harm_weight_rows(plan):
        rows.append(("harm weight", category, weight))
    for key, value in totals_rows(plan):
        rows.append(("totals", key, value))
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
