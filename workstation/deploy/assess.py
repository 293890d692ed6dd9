"""Stage 4 of the recommendation: assess an allocation against static staffing.

Cover (share of each grade answered within its standard with given officers), then one
function per output table: hourly, plan (with risk as fields), impact (sentences built from
those fields), lending, and the London totals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workstation.deploy.allocate import DayAllocation
from workstation.deploy.demand import DAYS_PER_WEEK, Demand
from workstation.deploy.requirement import Requirement, ShareTables
from workstation.deploy.response import DEFAULT_RESPONSE, ResponseModel
from workstation.deploy.risk import GradeTarget, Risk, assess_risk, statement
from workstation.deploy.scenario import DeploymentScenario
from workstation.deploy.units import PlanningUnits
from workstation.domain import DayType


def cover(officers: np.ndarray, demand: Demand, scenario: DeploymentScenario,
          grade: str, d: int | slice = slice(None), *,
          response: ResponseModel | None = None, tables: ShareTables | None = None
          ) -> np.ndarray:
    """Share of a grade's incidents answered within its standard with ``officers`` on duty
    per unit and hour (of whom the available share answer calls), in the queue-and-travel
    model with each unit's area. ``officers`` matches ``demand.attended_per_hour[:, d]``.
    ``tables`` (built for this demand and scenario) saves recomputing the queue."""
    tables = tables or ShareTables(demand, scenario, response)
    return tables.share(grade, officers, d)


def grade_targets(scenario: DeploymentScenario, response: ResponseModel | None = None
                  ) -> dict[str, GradeTarget]:
    """Each grade's target as the user set it, with the best share reachable at any staffing."""
    response = response or DEFAULT_RESPONSE
    return {s.grade: GradeTarget(s.grade, s.standard_minutes, s.target_share,
                                 response.ceiling(s.standard_minutes))
            for s in scenario.standards}


@dataclass(frozen=True)
class DayAssessment:
    """One day type's allocation with hourly officers and shares, plan and static."""

    day: DayType
    d: int                      # index of the day type in the demand arrays
    allocation: DayAllocation
    final_h: np.ndarray         # (n_units, 24) officers on duty under the plan
    static_h: np.ndarray        # (n_units, 24) under static staffing
    i_plan: np.ndarray          # (n_units, 24) I-grade share within standard
    i_static: np.ndarray
    s_plan: np.ndarray          # (n_units, 24) S-grade share within standard
    s_static: np.ndarray


def assess_day(day: DayType, allocation: DayAllocation, demand: Demand, static: np.ndarray,
               scenario: DeploymentScenario, tables: ShareTables) -> DayAssessment:
    shift_of_hour = _shift_of_hour(scenario)
    d = demand.index(day)
    final_h = allocation.final[:, shift_of_hour]
    static_h = static[:, shift_of_hour]
    return DayAssessment(day, d, allocation, final_h, static_h,
                         tables.share("I", final_h, d), tables.share("I", static_h, d),
                         tables.share("S", final_h, d), tables.share("S", static_h, d))


def _shift_of_hour(scenario: DeploymentScenario) -> np.ndarray:
    out = np.empty(24, dtype=np.int64)
    for s, shift in enumerate(scenario.shifts):
        out[list(shift.hours)] = s
    return out


def hourly_table(days: list[DayAssessment], units: PlanningUnits, demand: Demand,
                 need: Requirement) -> pd.DataFrame:
    n = len(units.codes)
    parts = []
    for a in days:
        d = a.d
        parts.append(pd.DataFrame({
            "unit_code": np.repeat(units.codes, 24), "day_type": a.day.value,
            "hour": np.tile(np.arange(24), n),
            "population_present": demand.population_present[:, d].ravel().astype(float),
            "demand_per_hour": demand.attended_per_hour[:, d].ravel().astype(float),
            "harm_per_hour": demand.harm_per_hour[:, d].ravel().astype(float),
            "required": need.required[:, d].ravel().astype(int),
            "static": a.static_h.ravel().astype(int),
            "allocated": a.final_h.ravel().astype(int),
            "share_within_standard": a.i_plan.ravel().astype(float),
            "static_share_within_standard": a.i_static.ravel().astype(float),
            "harm_immediate_per_hour": demand.harm_immediate_per_hour[:, d].ravel().astype(float),
            "s_share_within_standard": a.s_plan.ravel().astype(float),
            "static_s_share_within_standard": a.s_static.ravel().astype(float)}))
    return pd.concat(parts, ignore_index=True)


def _weighted(share: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Shift mean of (n, hours) shares weighted by incidents (plain mean with none)."""
    total = weight.sum(axis=1, keepdims=True)
    w = np.where(total > 0, weight, 1.0)
    return (share * w).sum(axis=1) / w.sum(axis=1)


def plan_table(days: list[DayAssessment], units: PlanningUnits, demand: Demand,
               need: Requirement, static: np.ndarray, scenario: DeploymentScenario,
               targets: dict[str, GradeTarget]) -> pd.DataFrame:
    """One row per unit, day type and shift; risk and target reachability as fields."""
    rows = []
    t_i, t_s = targets["I"], targets["S"]
    for a in days:
        for s, shift in enumerate(scenario.shifts):
            hours = list(shift.hours)
            i_rate = demand.immediate_per_hour[:, a.d][:, hours]
            rate = demand.attended_per_hour[:, a.d][:, hours]
            shares = {key: _weighted(getattr(a, key)[:, hours], i_rate if key[0] == "i" else rate)
                      for key in ("i_plan", "i_static", "s_plan", "s_static")}
            required_h = need.required[:, a.d][:, hours]
            for u, code in enumerate(units.codes):
                final = int(a.allocation.final[u, s])
                gap = required_h[u] - final
                worst = int(np.argmax(gap))
                risk = assess_risk(plan_i=shares["i_plan"][u], static_i=shares["i_static"][u],
                                   plan_s=shares["s_plan"][u], static_s=shares["s_static"][u],
                                   final=final, required=int(required_h[u].max()),
                                   worst_hour=hours[worst], worst_gap=max(int(gap[worst]), 0),
                                   target_i=t_i, target_s=t_s)
                rows.append({
                    "unit_code": code, "unit_name": units.names[u], "day_type": a.day.value,
                    "shift": shift.name, "home": int(a.allocation.own[u, s]),
                    "required": int(required_h[u].max()),
                    "lent": int(a.allocation.lend[u, :, s].sum()),
                    "borrowed": int(a.allocation.lend[:, u, s].sum()), "final": final,
                    "share_within_standard": float(shares["i_plan"][u]),
                    "static_share_within_standard": float(shares["i_static"][u]),
                    "static_home": int(static[u, s]),
                    "expected_incidents": float(rate[u].sum()),
                    "s_share_within_standard": float(shares["s_plan"][u]),
                    "static_s_share_within_standard": float(shares["s_static"][u]),
                    "worst_hour": int(hours[worst]), "worst_hour_shortfall": max(int(gap[worst]), 0),
                    "risk_level": risk.level, "risk_reason": risk.reason,
                    "target_I": t_i.target_share, "target_ceiling_I": t_i.ceiling,
                    "target_reachable_I": t_i.reachable, "target_note_I": t_i.note(),
                    "target_S": t_s.target_share, "target_ceiling_S": t_s.ceiling,
                    "target_reachable_S": t_s.reachable, "target_note_S": t_s.note()})
    return pd.DataFrame(rows)


def impact_table(plan: pd.DataFrame) -> pd.DataFrame:
    """Per unit-shift change against static staffing, its risk, and the sentence."""
    sentences = [statement(name=r.unit_name, day=r.day_type, shift=r.shift,
                           static=r.static_home, final=r.final, lent=r.lent, borrowed=r.borrowed,
                           static_i=r.static_share_within_standard,
                           plan_i=r.share_within_standard,
                           static_s=r.static_s_share_within_standard,
                           plan_s=r.s_share_within_standard,
                           risk=_risk_of(r))
                 for r in plan.itertuples(index=False)]
    return pd.DataFrame({
        "unit_code": plan["unit_code"], "unit_name": plan["unit_name"],
        "day_type": plan["day_type"], "shift": plan["shift"],
        "officer_change": plan["final"] - plan["static_home"],
        "cover_change_points": 100.0 * (plan["share_within_standard"]
                                        - plan["static_share_within_standard"]),
        "worst_hour": plan["worst_hour"], "worst_hour_shortfall": plan["worst_hour_shortfall"],
        "risk_level": plan["risk_level"], "risk_reason": plan["risk_reason"],
        "statement": sentences})


def _risk_of(row) -> Risk:
    return Risk(row.risk_level, row.risk_reason)


def lending_table(days: list[DayAssessment], units: PlanningUnits,
                  scenario: DeploymentScenario) -> tuple[pd.DataFrame, float]:
    """One row per move, and officer-hours per week spent travelling to lend."""
    rows, travel_hours = [], 0.0
    for a in days:
        for s, shift in enumerate(scenario.shifts):
            for i, j in zip(*np.nonzero(a.allocation.lend[:, :, s])):
                officers = int(a.allocation.lend[i, j, s])
                minutes = float(units.travel_minutes[i, j])
                travel_hours += officers * minutes / 60.0 * DAYS_PER_WEEK[a.day]
                rows.append((a.day.value, shift.name, units.codes[i], units.names[i],
                             units.codes[int(j)], units.names[int(j)], officers,
                             round(minutes, 1)))
    return pd.DataFrame(rows, columns=[
        "day_type", "shift", "from_code", "from_name", "to_code", "to_name", "officers",
        "travel_minutes"]), travel_hours


def totals(plan: pd.DataFrame, hourly: pd.DataFrame, lending: pd.DataFrame,
           static: np.ndarray, travel_hours: float) -> dict:
    by_day = {}
    for day, group in plan.groupby("day_type", sort=False):
        by_day[day] = {"home": int(group["home"].sum()), "final": int(group["final"].sum()),
                       "required_peak_sum": int(group["required"].sum()),
                       "lent": int(group["lent"].sum())}
    return {
        "units": int(plan["unit_code"].nunique()),
        "officers_on_duty_per_shift": int(static[:, 0].sum()),
        "officers_lent": int(lending["officers"].sum()) if len(lending) else 0,
        "lending_moves": int(len(lending)),
        "harm_weighted_share_within_standard_plan": harm_served_share(
            hourly, "share_within_standard", "s_share_within_standard"),
        "harm_weighted_share_within_standard_static": harm_served_share(
            hourly, "static_share_within_standard", "static_s_share_within_standard"),
        "understaffed_unit_hours_plan": int((hourly["allocated"] < hourly["required"]).sum()),
        "understaffed_unit_hours_static": int((hourly["static"] < hourly["required"]).sum()),
        "travel_officer_hours_per_week": round(travel_hours, 1),
        "risk_counts": {level: int((plan["risk_level"] == level).sum())
                        for level in ("HIGH", "MEDIUM", "LOW", "NONE")},
        "by_day_type": by_day,
    }


def harm_served_share(hourly: pd.DataFrame, i_share: str, s_share: str) -> float:
    """Harm-weighted share of attended demand answered within its standard (I and S)."""
    harm = hourly["harm_per_hour"].to_numpy()
    harm_i = hourly["harm_immediate_per_hour"].to_numpy()
    served = harm_i * hourly[i_share].to_numpy() + (harm - harm_i) * hourly[s_share].to_numpy()
    return float(served.sum() / max(harm.sum(), 1e-9))
