"""The output of the deployment engine, consumed by the app's plan view and by exports.

Tables are long-format DataFrames so the same object feeds the plan table, the
XLSX/CSV/JSON exports, charts and the PDF report without reshaping logic in each.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workstation.deploy.scenario import DeploymentScenario

# Column contracts (engines must fill all of these; views and exports rely on them).
PLAN_COLUMNS = (
    "unit_code", "unit_name", "day_type", "shift",
    "home",            # officers on duty from the unit's own strength (rostered by the plan)
    "required",        # officers needed for the standard in the shift's busiest hour
    "lent",            # officers lent to other units
    "borrowed",        # officers borrowed from other units
    "final",           # home - lent + borrowed
    "share_within_standard",         # expected share of I-grade within standard, plan
    "static_share_within_standard",  # same under static staffing (home)
)
# The deployment engine also fills, per plan row: risk_level (HIGH, MEDIUM, LOW, NONE),
# risk_reason (short text), and per grade g in I, S: target_g (the user's target),
# target_ceiling_g (best share reachable at any staffing, 0..1), target_reachable_g (bool),
# target_note_g ("" or "target 90% not reachable here: ceiling 88% at this travel time").
# Impact rows carry risk_level and risk_reason too; statements are built from these fields.
HOURLY_COLUMNS = (
    "unit_code", "day_type", "hour",
    "population_present", "demand_per_hour", "harm_per_hour",
    "required", "static", "allocated",
    "share_within_standard", "static_share_within_standard",
)
LENDING_COLUMNS = (
    "day_type", "shift", "from_code", "from_name", "to_code", "to_name",
    "officers", "travel_minutes",
)
IMPACT_COLUMNS = (
    "unit_code", "unit_name", "day_type", "shift",
    "officer_change",          # final - static_home (versus static staffing)
    "cover_change_points",     # change in share within standard, percentage points
    "worst_hour", "worst_hour_shortfall",
    "statement",               # one plain-English sentence: who loses cover, when, by how much
)


@dataclass(frozen=True)
class ShiftPlan:
    scenario: DeploymentScenario
    plan: pd.DataFrame        # PLAN_COLUMNS, one row per unit x day type x shift
    hourly: pd.DataFrame      # HOURLY_COLUMNS, one row per unit x day type x hour
    lending: pd.DataFrame     # LENDING_COLUMNS, one row per move
    impact: pd.DataFrame      # IMPACT_COLUMNS, one row per unit x day type x shift
    basis: tuple[str, ...]    # data basis lines, printed in every output
    method: tuple[str, ...]   # how each number was produced, printed in every output
    totals: dict = field(default_factory=dict)
    solver: str = ""

    def __post_init__(self) -> None:
        for name, columns in (("plan", PLAN_COLUMNS), ("hourly", HOURLY_COLUMNS),
                              ("lending", LENDING_COLUMNS), ("impact", IMPACT_COLUMNS)):
            frame = getattr(self, name)
            missing = [c for c in columns if c not in frame.columns]
            if missing:
                raise ValueError(f"ShiftPlan.{name} lacks columns {missing}")
