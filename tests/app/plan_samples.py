"""A small, hand-checkable ShiftPlan for view tests (unit-test data only, not used by the
app). Units are the pack's real boroughs; the numbers are chosen so that the shortfall,
sorting and filtering are easy to assert."""

from __future__ import annotations

import pandas as pd

from workstation.deploy.plan import ShiftPlan
from workstation.deploy.scenario import DeploymentScenario
from workstation.domain import check_cancel, no_progress


def sample_plan(boroughs: pd.DataFrame, scenario: DeploymentScenario | None = None,
                *, extra_officers: int = 0) -> ShiftPlan:
    scenario = scenario or DeploymentScenario()
    rows, lending, impact, hourly = [], [], [], []
    codes = list(boroughs["gss_code"])
    names = dict(zip(boroughs["gss_code"], boroughs["name"]))
    for day in scenario.day_types:
        for shift in scenario.shifts:
            for i, code in enumerate(codes):
                home = 40 + i + extra_officers
                required = 30 + 2 * i              # rows i > 10 are short of officers
                lent = 3 if i == 0 else 0          # City lends 3 to Westminster
                borrowed = 3 if code == "E09000033" else 0
                final = home - lent + borrowed
                share = min(0.99, 0.6 + 0.01 * final - 0.005 * required)
                rows.append(dict(unit_code=code, unit_name=names[code], day_type=day.value,
                                 shift=shift.name, home=home, required=required, lent=lent,
                                 borrowed=borrowed, final=final, share_within_standard=share,
                                 static_share_within_standard=share - 0.01))
                impact.append(dict(unit_code=code, unit_name=names[code], day_type=day.value,
                                   shift=shift.name, officer_change=final - home,
                                   cover_change_points=-1.5 if lent else 0.0,
                                   worst_hour=shift.start_hour, worst_hour_shortfall=0.0,
                                   statement=(f"{names[code]} lends {lent} officers "
                                              f"({shift.name}, {day.value})") if lent else ""))
                for hour in shift.hours:
                    hourly.append(dict(unit_code=code, day_type=day.value, hour=hour,
                                       population_present=0.0, demand_per_hour=0.0,
                                       harm_per_hour=0.0, required=required, static=home,
                                       allocated=final, share_within_standard=share,
                                       static_share_within_standard=share - 0.01))
            lending.append(dict(day_type=day.value, shift=shift.name, from_code=codes[0],
                                from_name=names[codes[0]], to_code="E09000033",
                                to_name=names["E09000033"], officers=3, travel_minutes=4.2))
    plan = pd.DataFrame(rows)
    return ShiftPlan(scenario=scenario, plan=plan, hourly=pd.DataFrame(hourly),
                     lending=pd.DataFrame(lending), impact=pd.DataFrame(impact),
                     basis=("unit-test sample",), method=("unit-test sample: fixed numbers",),
                     totals={"officers_final": int(plan["final"].sum()),
                             "lent": int(plan["lent"].sum())})


def slow_sample_recommend(pack, scenario, *, population=None, hotspots=None, incidents=None,
                          progress=no_progress, cancel=None, steps: int = 2_000_000):
    """Stand-in with the engine's signature: polls cancel through a long loop, then returns
    a sample plan. Used only while the real engine is not importable."""
    for i in range(steps):
        if i % 1000 == 0:
            check_cancel(cancel)
            progress(i / steps, "working")
    return sample_plan(pack.table("boroughs"), scenario)
