"""What changed since the last plan: a previous plan file against the current plan.

The previous plan is read from JSON — ``write_plan_json``'s ``ldw-shift-plan`` format
(``workstation report --plan-json``, ``workstation plan --out plan.json``) or
``workstation plan --json``'s ``units`` list — so a planner can keep last month's file
and ask the report for the difference. Only what a reader of the plan acts on is
compared: scenario values, London totals, officers per unit-shift and risk grades.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from workstation.deploy.plan import ShiftPlan
from workstation.errors import InputError
from workstation.exports.tables import _day_value, risk_from_statement, risk_table

KEYS = ["unit_code", "day_type", "shift"]
RISK_ORDER = {"NONE": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3}


@dataclass(frozen=True)
class PreviousPlan:
    """The parts of a saved plan the comparison needs."""

    path: str
    scenario: dict
    totals: dict
    rows: pd.DataFrame        # KEYS + unit_name, final, required, share_within_standard, risk_level


def _flat(prefix: str, value: Any, out: dict) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flat(f"{prefix}.{key}" if prefix else str(key), inner, out)
    elif isinstance(value, (list, tuple)):
        if value and all(isinstance(v, dict) for v in value):
            for i, item in enumerate(value):
                label = item.get("grade", str(i))
                for key, inner in item.items():
                    if key != "grade":
                        _flat(f"{prefix}.{label}.{key}", inner, out)
        else:
            out[prefix] = ", ".join(str(v) for v in value)
    else:
        out[prefix] = value


def load_plan_json(path: str | Path) -> PreviousPlan:
    """Read a previous plan; ``InputError`` naming the file and what was expected."""
    path = Path(path)
    expected = ("a plan JSON written by `workstation report --plan-json` or "
                "`workstation plan --out plan.json`")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the previous plan ({exc.strerror or exc})",
                         path=path) from exc
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", path=path, expected=expected) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg})", path=path, row=exc.lineno,
                         expected=expected) from exc
    if not isinstance(data, dict):
        raise InputError("expected a JSON object", path=path, expected=expected)
    records = data.get("plan") if isinstance(data.get("plan"), list) else data.get("units")
    if not isinstance(records, list) or not records:
        raise InputError("no 'plan' (or 'units') records", path=path, expected=expected)
    rows = pd.DataFrame.from_records(records)
    missing = [c for c in KEYS + ["final"] if c not in rows.columns]
    if missing:
        raise InputError(f"plan records lack {', '.join(missing)}", path=path,
                         expected=expected)
    rows["day_type"] = rows["day_type"].map(_day_value)
    rows["risk_level"] = _previous_risk(rows, data)
    for column in ("unit_name", "required", "share_within_standard"):
        if column not in rows.columns:
            rows[column] = None
    keep = KEYS + ["unit_name", "final", "required", "share_within_standard", "risk_level"]
    return PreviousPlan(str(path), dict(data.get("scenario") or {}),
                        dict(data.get("totals") or {}), rows.loc[:, keep])


def _previous_risk(rows: pd.DataFrame, data: dict) -> pd.Series:
    """Risk per record: ``risk_level`` or ``risk.level`` fields, else the impact statements."""
    if "risk_level" in rows.columns:
        return rows["risk_level"].fillna("NONE").astype(str).str.upper()
    if "risk" in rows.columns:
        return rows["risk"].map(lambda r: str((r or {}).get("level", "NONE")).upper()
                                if isinstance(r, dict) else "NONE")
    impact = data.get("impact")
    if isinstance(impact, list) and impact:
        frame = pd.DataFrame.from_records(impact)
        if set(KEYS + ["statement"]) <= set(frame.columns):
            frame["day_type"] = frame["day_type"].map(_day_value)
            grades = {tuple(k): risk_from_statement(s)[0] for k, s in
                      zip(frame[KEYS].itertuples(index=False, name=None), frame["statement"])}
            return pd.Series([grades.get(k, "NONE") for k in
                              rows[KEYS].itertuples(index=False, name=None)], index=rows.index)
    return pd.Series("NONE", index=rows.index)


@dataclass(frozen=True)
class PlanChanges:
    """The difference, ready to print."""

    previous_path: str
    scenario: list[tuple[str, Any, Any]]          # (name, before, after), changed only
    totals: list[tuple[str, Any, Any]]            # (name, before, after), numeric, changed
    risk_counts: list[tuple[str, int, int]]       # (grade, before, after)
    moves: pd.DataFrame                           # unit-shifts whose officers changed
    risk_changes: pd.DataFrame                    # unit-shifts whose grade changed
    added: list[str]                              # "Camden Fri 07-15" now planned, not before
    removed: list[str]
    unchanged_rows: int


TOTAL_KEYS = ("officers_on_duty", "officers_lent", "loans", "officer_shifts_lent",
              "share_within_standard", "static_share_within_standard",
              "harm_weighted_share_within_standard", "unit_hours_short",
              "static_unit_hours_short")


def compare_plans(plan: ShiftPlan, previous: PreviousPlan) -> PlanChanges:
    """What changed from ``previous`` to ``plan``."""
    before_s: dict = {}
    _flat("", previous.scenario, before_s)
    after_s: dict = {}
    _flat("", plan.scenario.to_dict(), after_s)     # same keys as the saved plan's scenario
    scenario = [(k, before_s.get(k), after_s.get(k)) for k in sorted(set(before_s) | set(after_s))
                if k != "extra" and not k.startswith("extra.")
                and _differs(before_s.get(k), after_s.get(k))]
    before_t, after_t = {}, {}
    _flat("", previous.totals, before_t)
    _flat("", dict(plan.totals), after_t)
    totals = [(k, before_t[k], after_t[k]) for k in after_t
              if k in before_t and _numeric(after_t[k]) and _numeric(before_t[k])
              and "." not in k and _differs(before_t[k], after_t[k])]
    now = plan.plan.loc[:, KEYS + ["unit_name", "final", "required",
                                   "share_within_standard"]].copy()
    now["day_type"] = now["day_type"].map(_day_value)
    now = now.merge(risk_table(plan)[KEYS + ["risk_level"]], on=KEYS, how="left")
    merged = previous.rows.merge(now, on=KEYS, how="outer", suffixes=("_before", "_after"),
                                 indicator=True)
    both = merged[merged["_merge"] == "both"].copy()
    both["change"] = (pd.to_numeric(both["final_after"])
                      - pd.to_numeric(both["final_before"]))
    moves = both[both["change"] != 0].copy()
    moves = moves.reindex(moves["change"].abs().sort_values(ascending=False).index)
    risk_changes = both[both["risk_level_before"].fillna("NONE")
                        != both["risk_level_after"].fillna("NONE")].copy()
    # astype(float): an empty selection (nothing changed) keeps the text dtype otherwise
    risk_changes["worse"] = (
        risk_changes["risk_level_after"].map(RISK_ORDER).astype(float).fillna(0)
        - risk_changes["risk_level_before"].map(RISK_ORDER).astype(float).fillna(0))
    risk_changes = risk_changes.sort_values(["worse", "unit_name_after"],
                                            ascending=[False, True])

    def label(frame, side):
        from workstation.exports.tables import day_label
        name = frame[f"unit_name_{side}"].fillna(frame["unit_code"])
        return [f"{n} {day_label(d)} {s}" for n, d, s in
                zip(name, frame["day_type"], frame["shift"])]
    added = label(merged[merged["_merge"] == "right_only"], "after")
    removed = label(merged[merged["_merge"] == "left_only"], "before")
    counts = []
    for grade in ("HIGH", "MEDIUM", "LOW"):
        counts.append((grade, int((previous.rows["risk_level"] == grade).sum()),
                       int((now["risk_level"] == grade).sum())))
    return PlanChanges(previous.path, scenario, totals, counts, moves.reset_index(drop=True),
                       risk_changes.reset_index(drop=True), added, removed,
                       int(len(both) - len(moves)))


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _differs(a: Any, b: Any) -> bool:
    if a in (None, "") and b in (None, ""):
        return False
    if _numeric(a) and _numeric(b):
        return abs(float(a) - float(b)) > 1e-9 * max(1.0, abs(float(a)))
    return str(a) != str(b)
