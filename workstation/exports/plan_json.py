"""Shift plan as JSON for other tools: stable top-level keys, one record list per table.

Format ``{"format": "ldw-shift-plan", "version": 1, "scenario": ..., "basis": [...],
"method": [...], "totals": {...}, "solver": "...", "plan": [...], "lending": [...],
"hourly": [...], "impact": [...]}``. Records carry exactly the contract columns of
``workstation.deploy.plan`` (the plan records add ``lent_to``/``borrowed_from``);
missing numbers are ``null``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from workstation.deploy.plan import ShiftPlan
from workstation.domain import CancelToken, ProgressFn, check_cancel, no_progress
from workstation.exports._common import check_target, output_path, plain_value
from workstation.exports.tables import contract_table, plan_table

FORMAT_NAME = "ldw-shift-plan"
FORMAT_VERSION = 1


def plan_to_dict(plan: ShiftPlan) -> dict[str, Any]:
    """The JSON document as a dict (also used by the CLI to print a plan)."""
    def records(frame) -> list[dict]:
        return [plain_value(dict(zip(frame.columns, row)))
                for row in frame.itertuples(index=False, name=None)]
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "scenario": plain_value(plan.scenario.to_dict()),
        "basis": list(plan.basis),
        "method": list(plan.method),
        "totals": plain_value(dict(plan.totals)),
        "solver": plan.solver,
        "plan": records(plan_table(plan)),
        "lending": records(contract_table(plan, "lending")),
        "hourly": records(contract_table(plan, "hourly")),
        "impact": records(contract_table(plan, "impact")),
    }


def write_plan_json(plan: ShiftPlan, path: str | Path, *, progress: ProgressFn = no_progress,
                    cancel: CancelToken | None = None) -> Path:
    """Write ``plan_to_dict(plan)`` as indented UTF-8 JSON, atomically."""
    check_target(path)
    path = Path(path)
    text = json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=False, allow_nan=False)
    check_cancel(cancel)
    progress(0.5, "writing JSON")
    with output_path(path) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
        check_cancel(cancel)
    progress(1.0, "JSON written")
    return path
