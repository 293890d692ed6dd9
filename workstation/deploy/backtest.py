"""Backtest: does a plan fitted on the past beat static staffing on months it never saw?

Fit demand, officers needed, static strength and the plan on recorded crime up to the end
of 2021; then score both static staffing and the fitted plan against the demand of
2022-02..2024-01 at equal officer-hours (the plan only re-rosters and lends). Scores:
harm-weighted demand answered within its standard (I and S grades), unit-hours below the
officers the test demand needs, and officer-hours spent travelling to lend.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workstation.deploy.demand import DAYS_PER_WEEK, monthly_crime_rates
from workstation.deploy.recommend import (cover, demand_for, plan_from_parts, requirement,
                                          static_strength, _patrol_units)
from workstation.deploy.scenario import DeploymentScenario
from workstation.deploy.units import planning_units
from workstation.domain import CancelToken, ProgressFn, check_cancel, no_progress

FIT_MONTHS = ("2019-01", "2021-12")
TEST_MONTHS = ("2022-02", "2024-01")


@dataclass(frozen=True)
class BacktestResult:
    fit_months: tuple[str, str]
    test_months: tuple[str, str]
    served_static: float          # harm-weighted share of test demand within standard
    served_plan: float
    ratio: float                  # plan / static
    ratio_lending_only: float     # lending without re-rostering / static
    understaffed_hours_static: int
    understaffed_hours_plan: int
    travel_officer_hours_per_week: float
    officer_hours_per_week: float  # equal for both
    by_unit: pd.DataFrame          # unit_code, unit_name, served_static, served_plan, ratio, ...
    notes: tuple[str, ...]

    def to_dict(self) -> dict:
        return {
            "fit_months": list(self.fit_months), "test_months": list(self.test_months),
            "served_static": self.served_static, "served_plan": self.served_plan,
            "ratio": self.ratio, "ratio_lending_only": self.ratio_lending_only,
            "understaffed_unit_hours_static": self.understaffed_hours_static,
            "understaffed_unit_hours_plan": self.understaffed_hours_plan,
            "travel_officer_hours_per_week": self.travel_officer_hours_per_week,
            "officer_hours_per_week": self.officer_hours_per_week,
            "by_unit": self.by_unit.to_dict(orient="records"), "notes": list(self.notes),
        }


def backtest(pack, scenario: DeploymentScenario | None = None, *,
             fit_months: tuple[str, str] = FIT_MONTHS, test_months: tuple[str, str] = TEST_MONTHS,
             progress: ProgressFn = no_progress, cancel: CancelToken | None = None
             ) -> BacktestResult:
    scenario = (scenario or DeploymentScenario()).validate()
    if fit_months[1] >= test_months[0]:
        raise ValueError("the fit window must end before the test window starts")
    units = planning_units(pack, kind=scenario.units, speed_kmh=scenario.blue_light_speed_kmh)
    progress(0.1, "fitting demand")
    fit_rates = monthly_crime_rates(pack, first_month=fit_months[0], last_month=fit_months[1])
    fitted = demand_for(pack, scenario, units, crime_rates=fit_rates, first_month=fit_months[0],
                        last_month=fit_months[1], all_day_types=True)
    need_fit = requirement(fitted, scenario, patrol_units=_patrol_units(units, None))
    static, _ = static_strength(units, need_fit.required, scenario)
    check_cancel(cancel)
    progress(0.4, "planning on the fitted demand")
    allocations = plan_from_parts(units, fitted, need_fit, static, scenario)
    lending_only = plan_from_parts(units, fitted, need_fit, static, scenario, reprofile=False)
    check_cancel(cancel)
    progress(0.7, "scoring on the test months")
    test_rates = monthly_crime_rates(pack, first_month=test_months[0], last_month=test_months[1])
    actual = demand_for(pack, scenario, units, crime_rates=test_rates,
                        first_month=test_months[0], last_month=test_months[1],
                        all_day_types=True)
    need_test = requirement(actual, scenario, patrol_units=_patrol_units(units, None))

    shift_of_hour = np.empty(24, dtype=np.int64)
    for s, shift in enumerate(scenario.shifts):
        shift_of_hour[list(shift.hours)] = s
    n = len(units.codes)
    served = {"static": np.zeros(n), "plan": np.zeros(n), "lending_only": np.zeros(n)}
    harm_total = np.zeros(n)
    under = {"static": 0, "plan": 0, "lending_only": 0}
    travel_hours = 0.0
    officer_hours = 0.0
    for day, allocation in allocations.items():
        d = actual.index(day)
        days = DAYS_PER_WEEK[day]
        harm = actual.harm_per_hour[:, d]
        harm_i = actual.harm_immediate_per_hour[:, d]
        harm_total += harm.sum(axis=1) * days
        for name, officers in (("static", static[:, shift_of_hour]),
                               ("plan", allocation.final[:, shift_of_hour]),
                               ("lending_only", lending_only[day].final[:, shift_of_hour])):
            share_i = cover(officers, actual, scenario, "I", d)
            share_s = cover(officers, actual, scenario, "S", d)
            served[name] += (harm_i * share_i + (harm - harm_i) * share_s).sum(axis=1) * days
            under[name] += int((officers < need_test.required[:, d]).sum()) * days
        for s in range(len(scenario.shifts)):
            moved = allocation.lend[:, :, s]
            travel_hours += float((moved * np.where(np.isfinite(units.travel_minutes),
                                                    units.travel_minutes, 0)).sum()) / 60 * days
        lengths = np.array([len(sh.hours) for sh in scenario.shifts])
        officer_hours += float((static * lengths[None]).sum()) * days
    served_static = float(served["static"].sum() / harm_total.sum())
    served_plan = float(served["plan"].sum() / harm_total.sum())
    by_unit = pd.DataFrame({
        "unit_code": units.codes, "unit_name": units.names,
        "served_static": served["static"] / harm_total, "served_plan": served["plan"] / harm_total,
    })
    by_unit["ratio"] = by_unit["served_plan"] / by_unit["served_static"].where(
        by_unit["served_static"] > 0)
    notes = (
        f"Fitted on recorded crime {fit_months[0]}..{fit_months[1]} (includes the 2020-21 "
        "pandemic months); scored on "
        f"{test_months[0]}..{test_months[1]}, never used in fitting.",
        "Equal officer-hours: the plan re-rosters each unit's own officer-hours and lends; "
        "static staffing keeps the same officers in every shift.",
        "Population present and time-of-day profiles are the same in both windows (TfL 2019 "
        "timing); only recorded crime volumes and mix change.",
        f"Day types scored: {', '.join(d.value for d in scenario.day_types)} "
        "(weighted by days per week).",
    )
    progress(1.0, "done")
    return BacktestResult(fit_months, test_months, served_static, served_plan,
                          served_plan / served_static if served_static > 0 else float("inf"),
                          float(served["lending_only"].sum() / harm_total.sum()) / served_static
                          if served_static > 0 else float("inf"),
                          under["static"], under["plan"], round(travel_hours, 1),
                          round(officer_hours, 1), by_unit, notes)
