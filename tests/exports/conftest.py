"""Fixtures for export tests: a small hand-built ShiftPlan (unit tests only) and,
once per module, the real engine's plan on the shipped pack."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workstation.deploy.plan import ShiftPlan
from workstation.deploy.scenario import DeploymentScenario
from workstation.domain import DayType

UNITS = (("E09000001", "City of London"), ("E09000007", "Camden"), ("E09000019", "Islington"))


def build_small_plan() -> ShiftPlan:
    """Three boroughs, two day types, three shifts; Camden lends to City and Islington."""
    scenario = DeploymentScenario(name="Unit-test scenario",
                                  day_types=(DayType.WEEKDAY, DayType.SATURDAY))
    rng = np.random.default_rng(7)
    plan_rows, hourly_rows, lending_rows, impact_rows = [], [], [], []
    for day in scenario.day_types:
        for shift in scenario.shifts:
            moves = {("E09000007", "E09000001"): 3, ("E09000007", "E09000019"): 2}
            for code, name in UNITS:
                home = {"E09000001": 6, "E09000007": 30, "E09000019": 22}[code]
                lent = sum(v for (f, _), v in moves.items() if f == code)
                borrowed = sum(v for (_, t), v in moves.items() if t == code)
                final = home - lent + borrowed
                share = 0.9 if borrowed else 0.85
                static = 0.8 if borrowed else 0.86
                plan_rows.append(dict(unit_code=code, unit_name=name, day_type=day,
                                      shift=shift.name, home=home, required=final + 1,
                                      lent=lent, borrowed=borrowed, final=final,
                                      share_within_standard=share,
                                      static_share_within_standard=static))
                impact_rows.append(dict(
                    unit_code=code, unit_name=name, day_type=day, shift=shift.name,
                    officer_change=final - home,
                    cover_change_points=round((share - static) * 100, 1),
                    worst_hour=shift.hours[2], worst_hour_shortfall=1.5 if lent else 0.0,
                    statement=(f"{name} gives {lent} officers on {day.label} {shift.name}; "
                               f"cover falls by {(static - share) * 100:.1f} points at "
                               f"{shift.hours[2]:02d}:00." if lent else
                               f"{name} gains {borrowed} officers on {day.label} {shift.name}.")))
            for (f, t), officers in moves.items():
                lending_rows.append(dict(day_type=day, shift=shift.name, from_code=f,
                                         from_name=dict(UNITS)[f], to_code=t,
                                         to_name=dict(UNITS)[t], officers=officers,
                                         travel_minutes=6.5 if t == "E09000001" else 4.0))
        for code, _ in UNITS:
            for hour in range(24):
                demand = float(rng.uniform(1, 8))
                hourly_rows.append(dict(
                    unit_code=code, day_type=day, hour=hour,
                    population_present=float(rng.uniform(5e4, 3e5)),
                    demand_per_hour=demand, harm_per_hour=demand * 2.5,
                    required=float(np.ceil(demand * 2)), static=10.0, allocated=11.0,
                    share_within_standard=0.88, static_share_within_standard=0.86))
    return ShiftPlan(
        scenario=scenario, plan=pd.DataFrame(plan_rows), hourly=pd.DataFrame(hourly_rows),
        lending=pd.DataFrame(lending_rows), impact=pd.DataFrame(impact_rows),
        basis=("Unit-test basis line: hand-built numbers.",),
        method=("Demand: unit-test method line.", "Queueing: Erlang C (unit test)."),
        totals={"officers": 58, "lent": 5}, solver="unit-test")


@pytest.fixture(scope="module")
def small_plan() -> ShiftPlan:
    return build_small_plan()
