"""The recommendation: officers needed per unit and hour, a roster per shift and lending.

Pipeline (each step's inputs are printed in the plan's ``method`` and ``basis``):
population present (flows) -> demand per unit-hour (demand) -> officers needed for the
response standards (Erlang C) + hotspot patrol + visibility floor -> static home strength
-> roster and lending LP per day type (allocate) -> plan, hourly, lending and impact tables.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workstation.deploy.allocate import ROSTER_MIN_SHARE, allocate_day
from workstation.deploy.demand import DAY_TYPES, DAYS_PER_WEEK, Demand, build_demand
from workstation.deploy.erlang import (officers_needed_with_travel, share_within_standard,
                                       travel_points)
from workstation.deploy.plan import ShiftPlan
from workstation.deploy.scenario import DeploymentScenario
from workstation.deploy.units import PlanningUnits, planning_units
from workstation.domain import CancelToken, ProgressFn, check_cancel, no_progress
from workstation.errors import InputError

# Seed report calibration: one borough's emergency response teams were 139 officers in five
# teams on 9-hour shifts, answering about 10,000 I-grade and 14,400 S-grade calls in eight
# months.
SEED_BOROUGH_I_PER_YEAR = 10_000 * 12 / 8
SEED_BOROUGH_S_PER_YEAR = 14_400 * 12 / 8
SEED_BOROUGH_OFFICERS = 139
# Demand window: the latest 24 months in the pack (the backtest fits on earlier months).
DEMAND_FIRST_MONTH = "2022-02"
DEMAND_LAST_MONTH = "2024-01"
# A stricter target on which spare officers are placed (halfway from the target to 100%).
BUFFER_TARGET_GAP = 0.5


@dataclass(frozen=True)
class Requirement:
    """Officers needed per unit, day type and hour, and its parts."""

    queue: np.ndarray        # Erlang C officers for the response standards
    patrol: np.ndarray       # hotspot patrol officers
    floor: np.ndarray        # visibility floor
    required: np.ndarray     # max(queue + patrol, floor)
    buffer: np.ndarray       # officers for the stricter (buffer) target, >= required


def grade_load(demand: Demand, grade: str) -> np.ndarray:
    """Incidents per hour a grade's queue sees. I-grade calls pre-empt lower grades
    (an officer on an S-grade job is diverted), so the I queue sees only I-grade load;
    lower grades wait behind everything, so they see all attended incidents (Green &
    Kolesar's approach for patrol-car allocation; Larson 1981, ch. 4)."""
    return demand.immediate_per_hour if grade == "I" else demand.attended_per_hour


def cover(officers: np.ndarray, demand: Demand, scenario: DeploymentScenario,
          grade: str, d: int | slice = slice(None)) -> np.ndarray:
    """Share of a grade's incidents answered within its standard with ``officers`` on duty
    (of whom only the available share answer calls)."""
    servers = np.floor(np.asarray(officers) * scenario.officer_availability + 1e-9).astype(np.int64)
    standard = _standard(scenario, grade)
    return share_within_standard(servers, grade_load(demand, grade)[:, d],
                                 demand.officer_hours_per_incident[:, d],
                                 standard.standard_minutes,
                                 travel_nodes(scenario, standard.standard_minutes))


def travel_nodes(scenario: DeploymentScenario, standard_minutes: float):
    return travel_points(standard_minutes, scenario.travel_minutes_to_scene,
                         scenario.travel_time_shape)


def _standard(scenario: DeploymentScenario, grade: str):
    for standard in scenario.standards:
        if standard.grade == grade:
            return standard
    raise InputError(f"scenario has no response standard for grade {grade}",
                     column="standards", expected="standards for grades I and S")


def requirement(demand: Demand, scenario: DeploymentScenario, *, patrol_units: np.ndarray
                ) -> Requirement:
    service = demand.officer_hours_per_incident
    queue = np.zeros(demand.attended_per_hour.shape, dtype=np.int64)
    buffer = np.zeros_like(queue)
    for standard in scenario.standards:
        nodes = travel_nodes(scenario, standard.standard_minutes)
        rate = grade_load(demand, standard.grade)
        queue = np.maximum(queue, officers_needed_with_travel(
            rate, service, standard.standard_minutes, nodes, standard.target_share))
        stricter = standard.target_share + (1 - standard.target_share) * BUFFER_TARGET_GAP
        buffer = np.maximum(buffer, officers_needed_with_travel(
            rate, service, standard.standard_minutes, nodes, stricter))
    # officers on duty = officers answering calls / the share of time available for calls
    queue = np.ceil(queue / scenario.officer_availability - 1e-9).astype(np.int64)
    buffer = np.ceil(buffer / scenario.officer_availability - 1e-9).astype(np.int64)
    rate = demand.attended_per_hour
    visits = float(scenario.hotspot_visits_per_hour)
    patrol_officers = visits * (scenario.patrol_minutes_per_hotspot_visit
                                + scenario.travel_minutes_to_scene) / 60.0
    patrol = np.ceil(patrol_officers * patrol_units[:, None, None]
                     * np.ones(rate.shape)).astype(np.int64)
    floor = np.full(rate.shape, int(scenario.visibility_floor_per_borough), dtype=np.int64)
    required = np.maximum(queue + patrol, floor)
    return Requirement(queue, patrol, floor, required, np.maximum(buffer + patrol, required))


def _largest_remainder(shares: np.ndarray, total: int) -> np.ndarray:
    raw = shares / shares.sum() * total if shares.sum() > 0 else np.full(len(shares), total / len(shares))
    out = np.floor(raw).astype(np.int64)
    for i in np.argsort(-(raw - out))[: total - int(out.sum())]:
        out[i] += 1
    return out


def static_strength(units: PlanningUnits, requirement_all_days: np.ndarray,
                    scenario: DeploymentScenario) -> tuple[np.ndarray, str]:
    """Officers on duty per unit and shift under static staffing, and how it was set.

    Default: the London total per shift split in proportion to each unit's mean officers
    needed over a whole week (every hour and day type weighted by its days), the same in
    every shift: borough-by-borough planning as if the city stood still. A strength CSV
    (``unit_code``/``gss_code``, ``officers``, optional ``shift``) overrides it.
    """
    n_shifts = len(scenario.shifts)
    if scenario.strength_csv:
        return _strength_from_csv(Path(scenario.strength_csv), units, scenario), (
            f"Home strength: read from {Path(scenario.strength_csv).name}.")
    days = np.array([DAYS_PER_WEEK[d] for d in DAY_TYPES], dtype=float)
    weekly_need = (requirement_all_days.sum(axis=2) * days[None, :]).sum(axis=1)
    per_unit = _largest_remainder(weekly_need.astype(float), int(scenario.officers_on_duty))
    return np.repeat(per_unit[:, None], n_shifts, axis=1), (
        f"Home strength (static): {scenario.officers_on_duty} officers on duty per shift "
        "London-wide, split by each unit's share of the officers needed over a whole week, "
        "the same in every shift and day.")


def _strength_from_csv(path: Path, units: PlanningUnits, scenario: DeploymentScenario) -> np.ndarray:
    shift_names = [s.name for s in scenario.shifts]
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            fields = reader.fieldnames or []
            rows = list(reader)
    except FileNotFoundError:
        raise InputError("strength file not found", path=str(path),
                         expected="a CSV with unit_code (or gss_code) and officers") from None
    except UnicodeDecodeError:
        raise InputError("strength file is not UTF-8 text", path=str(path),
                         hint="Save it as CSV UTF-8") from None
    code_column = "unit_code" if "unit_code" in fields else "gss_code" if "gss_code" in fields else None
    if code_column is None or "officers" not in fields:
        raise InputError("strength file lacks its columns", path=str(path), row=1,
                         expected="columns unit_code (or gss_code), officers and optionally shift")
    out = np.full((len(units.codes), len(shift_names)), -1, dtype=np.int64)
    for i, row in enumerate(rows, start=2):
        code = (row.get(code_column) or "").strip()
        if code not in units.codes:
            raise InputError(f"unknown planning unit '{code}'", path=str(path), row=i,
                             column=code_column,
                             expected=f"one of the {len(units.codes)} {units.kind} codes, e.g. "
                                      f"{units.codes[0]}")
        text = (row.get("officers") or "").strip()
        try:
            officers = int(float(text))
        except ValueError:
            raise InputError(f"'{text}' is not a number of officers", path=str(path), row=i,
                             column="officers", expected="a whole number, 0 or more") from None
        if officers < 0 or float(text) != officers:
            raise InputError(f"{text} is not a valid number of officers", path=str(path), row=i,
                             column="officers", expected="a whole number, 0 or more")
        shift = (row.get("shift") or "").strip()
        if shift and shift not in shift_names:
            raise InputError(f"unknown shift '{shift}'", path=str(path), row=i, column="shift",
                             expected="one of " + ", ".join(shift_names))
        targets = [shift_names.index(shift)] if shift else range(len(shift_names))
        for s in targets:
            out[units.index(code), s] = officers
    missing = [units.codes[u] for u in range(len(units.codes)) if (out[u] < 0).any()]
    if missing:
        raise InputError(f"strength file has no officers for {len(missing)} units, e.g. "
                         f"{missing[0]}", path=str(path), column=code_column,
                         expected="a row for every planning unit (and shift)")
    return out


def _population_by_borough(pack, scenario: DeploymentScenario, population=None
                           ) -> tuple[tuple[str, ...], np.ndarray]:
    """Population present (n_boroughs, 4 day types, 24); a caller that already holds one
    (the app's session) passes it to save recomputing."""
    from workstation.flows.population import PopulationAssumptions, population_present
    if population is not None and not _population_matches(population, scenario):
        population = None          # built with other assumptions: recompute
    present = population if population is not None else population_present(
        pack, assumptions=PopulationAssumptions(tfl_year=scenario.tfl_year,
                                                include_visitors=scenario.include_visitors))
    return tuple(present.gss_codes), present.hourly()


def _harm_weights(scenario: DeploymentScenario):
    from workstation.maps.harm import load_harm_weights
    return load_harm_weights(scenario.extra.get("harm_weights_csv"))


def _population_matches(population, scenario: DeploymentScenario) -> bool:
    has_visitors = bool(np.any(population.components.get("day_visitors", 0)))
    year_text = f"TfL Annual Station Counts {scenario.tfl_year}"
    return has_visitors == scenario.include_visitors and any(year_text in b for b in population.basis)


def demand_for(pack, scenario: DeploymentScenario, units: PlanningUnits, *, incidents=None,
               crime_rates: pd.DataFrame | None = None, first_month: str = DEMAND_FIRST_MONTH,
               last_month: str = DEMAND_LAST_MONTH, all_day_types: bool = False,
               population=None, profiles=None) -> Demand:
    """Demand per planning unit (BCUs sum their boroughs). ``profiles`` (a
    ``demand.ProfileSpec``) perturbs time-of-day profiles (backtest stress tests); an
    import times demand only if the scenario allows it (``extra.fit_profiles_from_import``,
    set by the import dialog when the user agrees)."""
    if not scenario.extra.get("fit_profiles_from_import", True):
        incidents = None
    codes, present = _population_by_borough(pack, scenario, population)
    keep = [i for i, c in enumerate(codes) if any(c in m for m in units.members.values())]
    gss = tuple(codes[i] for i in keep)
    names = dict(zip(pack.table("boroughs")["gss_code"], pack.table("boroughs")["name"]))
    day_types = DAY_TYPES if all_day_types else scenario.day_types
    demand = build_demand(
        pack, population_present=present[keep], gss_codes=gss,
        names=tuple(names[c] for c in gss), day_types=day_types,
        harm_weights=_harm_weights(scenario),
        non_crime_multiplier=scenario.non_crime_multiplier,
        follow_population=scenario.demand_follows_population,
        demand_table=scenario.extra.get("demand_table_csv"), incidents=incidents,
        crime_rates=crime_rates, first_month=first_month, last_month=last_month,
        profiles=profiles)
    if units.kind == "borough":
        return demand
    return demand.aggregate(units.members, dict(zip(units.codes, units.names)))


def _patrol_units(units: PlanningUnits, hotspots) -> np.ndarray:
    """1 for units that get hotspot patrols: all, or those holding a hotspot when given."""
    if hotspots is None:
        return np.ones(len(units.codes))
    frame = getattr(hotspots, "hotspots", hotspots)
    held = set(frame["gss_code"].astype(str)) if "gss_code" in frame else set()
    return np.array([1.0 if held & set(units.members[c]) else 0.0 for c in units.codes])


def recommend(pack, scenario: DeploymentScenario | None = None, *, hotspots=None,
              incidents=None, population=None, progress: ProgressFn = no_progress,
              cancel: CancelToken | None = None) -> ShiftPlan:
    """The deployment plan for ``scenario`` on the data pack (see module docstring).

    ``population`` (a ``PopulationPresent``) is reused when given; it must have been built
    with the scenario's TfL year and visitor setting. ``incidents`` (an ``IncidentSet``
    with timestamps) replaces the assumed crime time-of-day profiles.
    """
    scenario = (scenario or DeploymentScenario()).validate()
    progress(0.02, "planning units and travel graph")
    units = planning_units(pack, kind=scenario.units, speed_kmh=scenario.blue_light_speed_kmh)
    check_cancel(cancel)
    progress(0.1, "population present and demand")
    demand_all = demand_for(pack, scenario, units, incidents=incidents, all_day_types=True,
                            population=population)
    check_cancel(cancel)
    progress(0.4, "officers needed (Erlang C)")
    need_all = requirement(demand_all, scenario, patrol_units=_patrol_units(units, hotspots))
    static, strength_basis = static_strength(units, need_all.required, scenario)
    check_cancel(cancel)
    return _assemble(units, demand_all, need_all, static, strength_basis, scenario,
                     progress=progress, cancel=cancel)


def plan_from_parts(units: PlanningUnits, demand_all: Demand, need_all: Requirement,
                    static: np.ndarray, scenario: DeploymentScenario, *, reprofile: bool = True
                    ) -> dict:
    """Allocation per requested day type (used by the backtest with other demand)."""
    out = {}
    shift_hours = [s.hours for s in scenario.shifts]
    for day in scenario.day_types:
        d = demand_all.index(day)
        weight = _shortfall_weight(demand_all, need_all, d)
        out[day] = allocate_day(
            required=need_all.required[:, d], required_buffer=need_all.buffer[:, d],
            weight=weight, static=static, shift_hours=shift_hours,
            travel_minutes=units.travel_minutes,
            max_lending_minutes=scenario.max_lending_minutes,
            floor_share=scenario.floor_share, reprofile=reprofile)
    return out


def _shortfall_weight(demand: Demand, need: Requirement, d: int) -> np.ndarray:
    """Harm at stake per officer short: harm per hour / officers needed, mean 1."""
    harm = demand.harm_per_hour[:, d]
    required = np.maximum(need.required[:, d], 1)
    per_officer = harm / required
    mean = per_officer.mean() if per_officer.mean() > 0 else 1.0
    return per_officer / mean + 1e-3


def _assemble(units: PlanningUnits, demand_all: Demand, need_all: Requirement,
              static: np.ndarray, strength_basis: str, scenario: DeploymentScenario, *,
              progress: ProgressFn, cancel: CancelToken | None) -> ShiftPlan:
    shift_names = [s.name for s in scenario.shifts]
    shift_of_hour = np.empty(24, dtype=np.int64)
    for s, shift in enumerate(scenario.shifts):
        shift_of_hour[list(shift.hours)] = s
    plan_rows, hourly_rows, lending_rows, impact_rows = [], [], [], []
    travel_hours = 0.0
    i_target, s_target = _target(scenario), _target(scenario, "S")   # once: quadrature
    statuses = []
    for k, day in enumerate(scenario.day_types):
        check_cancel(cancel)
        progress(0.5 + 0.4 * k / len(scenario.day_types), f"allocating {day.value}")
        d = demand_all.index(day)
        allocation = plan_from_parts(units, demand_all, need_all, static,
                                     scenario.with_changes(day_types=(day,)))[day]
        statuses.append(allocation.status)
        rate = demand_all.attended_per_hour[:, d]
        final_h = allocation.final[:, shift_of_hour]                 # (n, 24)
        static_h = static[:, shift_of_hour]
        share_plan = cover(final_h, demand_all, scenario, "I", d)
        share_static = cover(static_h, demand_all, scenario, "I", d)
        s_plan = cover(final_h, demand_all, scenario, "S", d)
        s_static = cover(static_h, demand_all, scenario, "S", d)
        harm_i = demand_all.harm_immediate_per_hour[:, d]
        for u, code in enumerate(units.codes):
            for h in range(24):
                hourly_rows.append((code, day.value, h,
                                    float(demand_all.population_present[u, d, h]),
                                    float(rate[u, h]), float(demand_all.harm_per_hour[u, d, h]),
                                    int(need_all.required[u, d, h]), int(static_h[u, h]),
                                    int(final_h[u, h]), float(share_plan[u, h]),
                                    float(share_static[u, h]), float(harm_i[u, h]),
                                    float(s_plan[u, h]), float(s_static[u, h])))
        for s, shift in enumerate(scenario.shifts):
            hours = list(shift.hours)
            for u, code in enumerate(units.codes):
                i_rate = demand_all.immediate_per_hour[u, d, hours]
                weights = i_rate if i_rate.sum() > 0 else np.ones(len(hours))
                plan_share = float(np.average(share_plan[u, hours], weights=weights))
                static_share = float(np.average(share_static[u, hours], weights=weights))
                a_rate = rate[u, hours] if rate[u, hours].sum() > 0 else np.ones(len(hours))
                plan_s = float(np.average(s_plan[u, hours], weights=a_rate))
                static_s = float(np.average(s_static[u, hours], weights=a_rate))
                lent = int(allocation.lend[u, :, s].sum())
                borrowed = int(allocation.lend[:, u, s].sum())
                final = int(allocation.final[u, s])
                gap = need_all.required[u, d, hours] - final
                worst = int(np.argmax(gap))
                plan_rows.append((code, units.names[u], day.value, shift.name,
                                  int(allocation.own[u, s]), int(need_all.required[u, d, hours].max()),
                                  lent, borrowed, final, plan_share, static_share,
                                  int(static[u, s]), float(rate[u, hours].sum()), plan_s,
                                  static_s))
                change = final - int(static[u, s])
                impact_rows.append((code, units.names[u], day.value, shift.name, change,
                                    100.0 * (plan_share - static_share), int(hours[worst]),
                                    max(int(gap[worst]), 0),
                                    _statement(units.names[u], day.value, shift.name,
                                               int(static[u, s]), final, lent, borrowed,
                                               static_share, plan_share, static_s, plan_s,
                                               int(hours[worst]), int(gap[worst]),
                                               i_target, s_target)))
            for i in range(len(units.codes)):
                for j in np.nonzero(allocation.lend[i, :, s])[0]:
                    officers = int(allocation.lend[i, j, s])
                    minutes = float(units.travel_minutes[i, j])
                    travel_hours += officers * minutes / 60.0 * DAYS_PER_WEEK[day]
                    lending_rows.append((day.value, shift.name, units.codes[i], units.names[i],
                                         units.codes[int(j)], units.names[int(j)], officers,
                                         round(minutes, 1)))
    progress(0.95, "tables")
    plan = pd.DataFrame(plan_rows, columns=[
        "unit_code", "unit_name", "day_type", "shift", "home", "required", "lent", "borrowed",
        "final", "share_within_standard", "static_share_within_standard", "static_home",
        "expected_incidents", "s_share_within_standard", "static_s_share_within_standard"])
    hourly = pd.DataFrame(hourly_rows, columns=[
        "unit_code", "day_type", "hour", "population_present", "demand_per_hour",
        "harm_per_hour", "required", "static", "allocated", "share_within_standard",
        "static_share_within_standard", "harm_immediate_per_hour", "s_share_within_standard",
        "static_s_share_within_standard"])
    lending = pd.DataFrame(lending_rows, columns=[
        "day_type", "shift", "from_code", "from_name", "to_code", "to_name", "officers",
        "travel_minutes"])
    impact = pd.DataFrame(impact_rows, columns=[
        "unit_code", "unit_name", "day_type", "shift", "officer_change", "cover_change_points",
        "worst_hour", "worst_hour_shortfall", "statement"])
    totals = _totals(plan, hourly, lending, demand_all, static, scenario, travel_hours)
    totals["calibration"] = calibration(demand_all, need_all, units, static, scenario)
    totals["reachable_share_by_grade"] = reachable_shares(scenario)
    progress(1.0, "done")
    return ShiftPlan(
        scenario=scenario, plan=plan, hourly=hourly, lending=lending, impact=impact,
        basis=_basis(demand_all, strength_basis, units),
        method=method_lines(scenario, units), totals=totals,
        solver="scipy.optimize.linprog (HiGHS dual simplex), one LP per day type; "
               + "; ".join(sorted(set(statuses))))


def _target(scenario: DeploymentScenario, grade: str = "I") -> float:
    """The target a grade can be held to: its target, or just under the best share travel
    times allow when the target is out of reach whatever the staffing."""
    for standard in scenario.standards:
        if standard.grade == grade:
            reachable = float(np.sum(travel_nodes(scenario, standard.standard_minutes)[1]))
            return min(standard.target_share, reachable - 0.01)
    return 0.0


def reachable_shares(scenario: DeploymentScenario) -> dict[str, float]:
    """Best share of each grade reachable within its standard given travel times alone."""
    return {s.grade: float(np.sum(travel_nodes(scenario, s.standard_minutes)[1]))
            for s in scenario.standards}


def _statement(name: str, day: str, shift: str, static: int, final: int, lent: int,
               borrowed: int, static_share: float, plan_share: float, static_s: float,
               plan_s: float, worst_hour: int, worst_gap: int, target: float,
               s_target: float) -> str:
    """One sentence a commander can read out: who loses cover, when, by how much, the risk."""
    moves = []
    if lent:
        moves.append(f"lends {lent}")
    if borrowed:
        moves.append(f"borrows {borrowed}")
    change = final - static
    what = (f"{name}, {day} {shift}: {final} officers against {static} under static staffing"
            f" ({change:+d}{'; ' + ', '.join(moves) if moves else ''}).")
    cover = (f" Within standard: I-grade {100 * static_share:.0f}% -> {100 * plan_share:.0f}%,"
             f" S-grade {100 * static_s:.0f}% -> {100 * plan_s:.0f}%")
    short = (f", worst at {worst_hour:02d}:00 ({worst_gap} officers short of need)"
             if worst_gap > 0 else "")
    loses = plan_share < static_share - 0.005 or plan_s < static_s - 0.005
    if plan_share < target:
        risk = f"; I-grade below {100 * target:.0f}%{short}: HIGH risk."
    elif plan_s < s_target:
        risk = (f"; {'loses cover and ' if loses else ''}S-grade below "
                f"{100 * s_target:.0f}%{short}: MEDIUM risk.")
    elif loses:
        risk = f"; loses cover but stays above target{short}: LOW risk."
    else:
        risk = "; no loss of cover: no added risk."
    return what + cover + risk


def _totals(plan: pd.DataFrame, hourly: pd.DataFrame, lending: pd.DataFrame, demand: Demand,
            static: np.ndarray, scenario: DeploymentScenario, travel_hours: float) -> dict:
    served_plan = harm_served_share(hourly, "share_within_standard", "s_share_within_standard")
    served_static = harm_served_share(hourly, "static_share_within_standard",
                                      "static_s_share_within_standard")
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
        "harm_weighted_share_within_standard_plan": served_plan,
        "harm_weighted_share_within_standard_static": served_static,
        "understaffed_unit_hours_plan": int((hourly["allocated"] < hourly["required"]).sum()),
        "understaffed_unit_hours_static": int((hourly["static"] < hourly["required"]).sum()),
        "travel_officer_hours_per_week": round(travel_hours, 1),
        "by_day_type": by_day,
    }


def harm_served_share(hourly: pd.DataFrame, i_share: str, s_share: str) -> float:
    """Harm-weighted share of attended demand answered within its standard (I and S)."""
    harm = hourly["harm_per_hour"].to_numpy()
    harm_i = hourly["harm_immediate_per_hour"].to_numpy()
    served = harm_i * hourly[i_share].to_numpy() + (harm - harm_i) * hourly[s_share].to_numpy()
    return float(served.sum() / max(harm.sum(), 1e-9))


def calibration(demand: Demand, need: Requirement, units: PlanningUnits, static: np.ndarray,
                scenario: DeploymentScenario) -> dict:
    """Model versus the seed report's borough (139 ERT officers; I and S calls a year) and
    the Met's achieved performance (I 86.9% in 15 min, S 81.9% in 60, to Sep 2018)."""
    days = np.array([DAYS_PER_WEEK[d] for d in demand.day_types], dtype=float) * 365.25 / 7
    officers = np.broadcast_to(static[:, :1, None], demand.attended_per_hour.shape)
    weight_i = demand.immediate_per_hour * days[None, :, None]
    weight_s = (demand.attended_per_hour - demand.immediate_per_hour) * days[None, :, None]
    static_i = float((cover(officers, demand, scenario, "I") * weight_i).sum() / weight_i.sum())
    static_s = float((cover(officers, demand, scenario, "S") * weight_s).sum() / weight_s.sum())
    immediate = float((demand.immediate_per_hour.sum(axis=2) * days[None]).sum(axis=1).mean())
    attended = float((demand.attended_per_hour.sum(axis=2) * days[None]).sum(axis=1).mean())
    mean_required = float(need.required.mean())
    # 139 officers in five teams on 9-hour shifts: about 139 * 9 / (5 * 24) ~ 10 on duty
    # per team-hour on average, up to ~28 (one team) when a single team is on.
    return {
        "model_mean_unit_I_per_year": round(immediate),
        "model_mean_unit_S_per_year": round(attended - immediate),
        "seed_borough_I_per_year": round(SEED_BOROUGH_I_PER_YEAR),
        "seed_borough_S_per_year": round(SEED_BOROUGH_S_PER_YEAR),
        "model_mean_required_on_duty": round(mean_required, 1),
        "seed_borough_team_size": round(SEED_BOROUGH_OFFICERS / 5, 1),
        "model_static_I_within_standard": round(static_i, 3),
        "met_achieved_I_within_standard": 0.869,
        "model_static_S_within_standard": round(static_s, 3),
        "met_achieved_S_within_standard": 0.819,
        "units": units.kind,
    }


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


def method_lines(scenario: DeploymentScenario, units: PlanningUnits | None = None
                 ) -> tuple[str, ...]:
    """How each number in the plan is produced (printed in the app and every report)."""
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
        f"Officers needed: the smallest number such that, in an M/M/c (Erlang C) queue, "
        f"the share reached within the standard (wait + travel) meets its target ({standards}); "
        f"I-grade calls pre-empt lower grades so their queue sees I-grade load only, S-grade "
        f"calls queue behind all attended incidents; travel to scene is gamma distributed "
        f"(mean {scenario.travel_minutes_to_scene:g} min, shape {scenario.travel_time_shape:g}); "
        f"where travel alone makes a target unreachable, the requirement is to come within "
        f"one point of the best reachable share; each hour is treated as stationary (SIPP, "
        f"Green, Kolesar & Soares 2001). Officers on duty = officers answering calls / "
        f"{scenario.officer_availability:.0%} (the share of a shift free for calls after "
        f"briefings, breaks, custody and court).",
        f"Hotspot patrol: {scenario.hotspot_visits_per_hour} visits per hour of "
        f"{scenario.patrol_minutes_per_hotspot_visit:g} min (Koper 1995) added per unit.",
        f"Visibility floor: at least {scenario.visibility_floor_per_borough} officers per unit "
        "every hour. Visibility is a policy choice, not an output of the model.",
        f"Static staffing: the same officers every shift, split by need over the week; the "
        f"plan keeps each unit's officer-hours per day but rosters them by need (each shift "
        f"keeps at least {ROSTER_MIN_SHARE:.0%} of its static strength).",
        f"Lending: a linear programme per day type (HiGHS) minimises harm-weighted officer "
        f"shortfall by hour plus travel time lost; each unit keeps at least "
        f"{scenario.floor_share:.0%} of its own rostered officers; officers are conserved; "
        f"lending only within {scenario.max_lending_minutes:g} minutes at "
        f"{scenario.blue_light_speed_kmh:g} km/h.",
        "Share within standard: I-grade share by Erlang C with the final officers each hour, "
        "averaged over the shift weighted by I-grade incidents; harm-weighted demand served "
        "combines I and S shares.",
    )
