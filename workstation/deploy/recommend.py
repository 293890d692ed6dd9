"""The recommendation, as a pipeline of stages with plain typed results.

    units (units.py) -> demand per unit-hour (unit_demand.py) -> officers needed
    (requirement.py) -> static strength (strength.py) -> roster and lending per day type
    (allocate.py) -> assessment: cover, risk, tables, totals (assess.py, risk.py) and
    calibration (calibration.py) -> ShiftPlan

Each step's inputs are printed in the plan's ``method`` and ``basis``. The stage functions
are re-exported here because the backtest and older callers import them from this module.
"""

from __future__ import annotations

import numpy as np

from workstation.deploy.allocate import (LENDING_PENALTY, ROSTER_MOVE_PENALTY,
                                         officer_cap, plan_from_parts)
from workstation.deploy.assess import (assess_day, cover, grade_targets, harm_served_share,
                                       hourly_table, impact_table, lending_table, plan_table,
                                       totals)
from workstation.deploy.calibration import calibration
from workstation.deploy.demand import Demand
from workstation.deploy.plan import ShiftPlan
from workstation.deploy.requirement import (Requirement, ShareTables, _patrol_units,
                                            grade_load, requirement)
from workstation.deploy.scenario import DeploymentScenario
from workstation.deploy.response import DEFAULT_RESPONSE, ResponseModel
from workstation.deploy.strength import _largest_remainder, static_strength, strength_given
from workstation.deploy.unit_demand import _population_matches, demand_for
from workstation.deploy.units import PlanningUnits, planning_units
from workstation.domain import CancelToken, ProgressFn, check_cancel, no_progress

__all__ = ["recommend", "method_lines", "cover", "demand_for", "plan_from_parts",
           "requirement", "static_strength", "_patrol_units", "Requirement", "grade_load",
           "harm_served_share", "calibration", "_population_matches", "_largest_remainder",
           "plan_for"]


def recommend(pack, scenario: DeploymentScenario | None = None, *, hotspots=None,
              incidents=None, population=None, response: ResponseModel | None = None,
              progress: ProgressFn = no_progress, cancel: CancelToken | None = None
              ) -> ShiftPlan:
    """The deployment plan for ``scenario`` on the data pack (see module docstring).

    ``population`` (a ``PopulationPresent``) is reused when given; it must have been built
    with the scenario's TfL year and visitor setting. ``incidents`` (an ``IncidentSet``
    with timestamps) replaces the assumed crime time-of-day profiles. ``response`` holds
    the response model's parameters (default: the calibrated ``DEFAULT_RESPONSE``).
    """
    scenario = (scenario or DeploymentScenario()).validate()
    response = response or DEFAULT_RESPONSE
    progress(0.02, "planning units and travel graph")
    units = planning_units(pack, kind=scenario.units, speed_kmh=scenario.blue_light_speed_kmh)
    check_cancel(cancel)
    progress(0.1, "population present and demand")
    demand = demand_for(pack, scenario, units, incidents=incidents, all_day_types=True,
                        population=population)
    check_cancel(cancel)
    return plan_for(units, demand, scenario, response=response,
                    patrol_units=_patrol_units(units, hotspots), progress=progress,
                    cancel=cancel)


def plan_for(units: PlanningUnits, demand: Demand, scenario: DeploymentScenario, *,
             response: ResponseModel | None = None, tables: ShareTables | None = None,
             patrol_units=None, progress: ProgressFn = no_progress,
             cancel: CancelToken | None = None) -> ShiftPlan:
    """Stages 2-4 on a demand already built: requirement, static strength, allocation per
    day type, assessment. ``tables`` (built for this demand, the scenario's availability
    and standards) may be shared between scenarios that differ only in officers."""
    response = response or DEFAULT_RESPONSE
    progress(0.4, "officers needed")
    static, strength_basis = static_strength(units, demand, scenario)
    # the queue-and-travel shares, computed once, wide enough for any plan's officers
    tables = tables or ShareTables(demand, scenario, response,
                                   officers=int(officer_cap(static).max()))
    patrol_units = np.ones(len(units.codes)) if patrol_units is None else patrol_units
    need = requirement(demand, scenario, patrol_units=patrol_units, tables=tables)
    days = []
    for k, day in enumerate(scenario.day_types):
        check_cancel(cancel)
        progress(0.5 + 0.4 * k / len(scenario.day_types), f"allocating {day.value}")
        allocation = plan_from_parts(units, demand, need, static,
                                     scenario.with_changes(day_types=(day,)),
                                     tables=tables)[day]
        days.append(assess_day(day, allocation, demand, static, scenario, tables))
    progress(0.95, "tables")
    targets = grade_targets(scenario, tables.response)
    plan = plan_table(days, units, demand, need, static, scenario, targets)
    hourly = hourly_table(days, units, demand, need)
    lending, travel_hours = lending_table(days, units, scenario)
    summary = totals(plan, hourly, lending, static, travel_hours)
    summary["calibration"] = calibration(demand, need, units, static, scenario,
                                         tables.response, tables=tables)
    summary["strength_given_units"] = strength_given(units, scenario)
    summary["reachable_share_by_grade"] = {g: t.ceiling for g, t in targets.items()}
    progress(1.0, "done")
    return ShiftPlan(
        scenario=scenario, plan=plan, hourly=hourly, lending=lending,
        impact=impact_table(plan), basis=_basis(demand, strength_basis, units),
        method=method_lines(scenario, units, tables.response), totals=summary,
        solver="scipy.optimize.milp (HiGHS): the LP relaxation per day type, the MIP where "
               "it is not integral; " + "; ".join(sorted({a.allocation.status for a in days})))


def _basis(demand: Demand, strength_basis: str, units: PlanningUnits) -> tuple[str, ...]:
    return demand.basis + (
        "Population present: workstation.flows (2011 census commuting timed by TfL counts, "
        "mid-2019 residents).",
        strength_basis,
        f"Planning units: {len(units.codes)} {'boroughs' if units.kind == 'borough' else 'BCUs'}"
        " (the City of London is policed by the City of London Police and is not planned).",
        "Travel: centroid distance between touching units at the blue-light speed; lending "
        "only along paths within the maximum travel time.",
    )


def method_lines(scenario: DeploymentScenario, units: PlanningUnits | None = None,
                 response: ResponseModel | None = None) -> tuple[str, ...]:
    """How each number in the plan is produced (printed in the app and every report)."""
    response = response or DEFAULT_RESPONSE
    standards = "; ".join(f"{s.grade}-grade within {s.standard_minutes:g} min for "
                          f"{100 * s.target_share:.0f}%" for s in scenario.standards)
    return (
        "Demand: recorded crime per unit and offence group (mean month, latest 24 months) "
        "plus non-crime incidents (x" f"{scenario.non_crime_multiplier:.2f} of crime; mental "
        "health 17.5% of incidents; road collisions) spread over day types and hours by "
        "time-of-day profiles"
        + (", moved with population present" if scenario.demand_follows_population else "")
        + ". Graded I/S shares and officer-hours per incident come from the demand types table.",
        "Harm: each attended incident weighted by the ONS Crime Severity Score of its offence "
        "group (non-crime weights are stated policy in the demand table).",
        f"Response: each hour is an M/M/c (Erlang C) queue (SIPP, Green, Kolesar & Soares "
        f"2001); I-grade calls pre-empt lower grades so their queue sees I-grade load only, "
        f"S-grade calls queue behind all attended incidents. A call that finds an officer "
        f"free gets the nearest free car: distance {response.square_root_law_constant:g} x "
        f"sqrt(unit area / free cars) (square-root law, Kolesar & Blum 1973; Larson & Odoni "
        f"1981 ch. 3; {response.officers_per_car:g} officers per car); a call that waits gets "
        f"the next car to clear, anywhere in the unit. Travel = dispatch delay (mean "
        f"{response.dispatch_delay_minutes:g} min, fitted to the Met's 86.9% of I-grade "
        f"within 15 min) + distance at {response.speed_kmh:g} km/h. The share within a "
        f"standard rises with officers and falls with area, up to the ceiling P(dispatch "
        f"delay <= standard).",
        f"Officers needed: the smallest number on duty whose available share "
        f"({scenario.officer_availability:.1%} of a shift is free for calls after briefings, "
        f"breaks, custody and court; fitted to the Met's 81.9% of S-grade within 60 min) "
        f"meets each target ({standards}). Targets are never changed: where one is above the "
        f"ceiling, officers are sized to come within one point of the ceiling (or until one "
        f"more adds under 0.1 point) and every output says the target is not reachable.",
        f"Hotspot patrol: {scenario.hotspot_visits_per_hour} visits per hour of "
        f"{scenario.patrol_minutes_per_hotspot_visit:g} min (Koper 1995) added per unit.",
        f"Visibility floor: at least {scenario.visibility_floor_per_borough} officers per unit "
        "every hour. Visibility is a policy choice, not an output of the model.",
        f"Static staffing: the same officers every shift, split by workload (officer-hours "
        f"of attended incidents) over the week; the plan keeps each unit's officer-hours per "
        f"day (so London's too) but rosters them by value (each shift keeps at least "
        f"{scenario.roster_minimum_share:.0%} of its static strength, in whole officers: "
        f"rosters are published a month ahead, Police Regulations 2003 reg. 22).",
        f"Plan: per day type, HiGHS (scipy.optimize.milp) maximises harm-weighted demand "
        f"answered within standard, each unit-shift's value of officers written as "
        f"piecewise-linear segments of its concave envelope, less a {ROSTER_MOVE_PENALTY:.0%} "
        f"penalty per officer-hour moved from the home roster and, per officer lent, the "
        f"journey's officer-hours plus {LENDING_PENALTY:.0%}; static staffing is feasible, "
        f"so the plan is never worse on this measure (checked on the exact model), and no "
        f"hour static staffing covers is left short. Each unit keeps at least "
        f"{scenario.floor_share:.0%} of its own rostered officers; lent officers are "
        f"conserved in every shift; lending only within {scenario.max_lending_minutes:g} "
        f"minutes at {scenario.blue_light_speed_kmh:g} km/h. "
        + (f"No unit-shift's I-grade share falls more than "
           f"{scenario.cover_loss_limit_points:g} points below static's (a policy limit)."
           if scenario.cover_loss_limit_points < 100.0 else
           "No limit on how much I-grade cover a unit-shift may lose against static."),
        "Share within standard: each grade's share in the response model with the final "
        "officers each hour, averaged over the shift weighted by its incidents; harm-weighted "
        "demand served combines I and S shares.",
    )
