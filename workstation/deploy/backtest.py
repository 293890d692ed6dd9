"""Backtest: does a plan fitted on the past beat fair baselines on months it never saw?

Fit demand, officers needed, static strength and the plan on recorded crime of the fit
window (default 2019-01..2021-12); score every staffing against the demand of the test
window (default 2022-02..2024-01), never used to fit, at equal officer-hours per unit and
day. Score: harm-weighted demand answered within its standard (I and S grades).

Staffings compared (each the same officers-hours per unit and day):
* **static** — the same officers in every shift (the split by weekly need);
* **shift rule** — what a competent analyst would do without a model: each unit's shifts
  in proportion to its fitted workload per shift (incidents x officer-hours), no lending;
* **roster only** — the plan without lending;
* **plan** — the full plan (roster and lending).

Honesty rules built in:
* the test demand's *timing* is an assumption (crime profiles and TfL 2019 population
  timing are the same in both windows): the stress tests perturb it and report each
  result; the real-timing collision backtest (``real_timing``) is the one score whose
  test timing is observed;
* intervals: a bootstrap over test months (fixed seed) resamples the test volumes; it
  does not cover the timing assumption (the stress tests do);
* harm weights per offence group come from the fit window and stay fixed in scoring.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from workstation.deploy.assess import ShareTables
from workstation.deploy.demand import (DAY_TYPES, DAYS_PER_WEEK, NOMINAL, ProfileSpec,
                                       monthly_crime_rates)
from workstation.deploy.recommend import (cover, demand_for, plan_from_parts, requirement,
                                          static_strength, _patrol_units)
from workstation.deploy.scenario import DeploymentScenario
from workstation.deploy.units import planning_units
from workstation.domain import CancelToken, DayType, ProgressFn, check_cancel, no_progress
from workstation.errors import InputError

FIT_MONTHS = ("2019-01", "2021-12")
TEST_MONTHS = ("2022-02", "2024-01")
BOOTSTRAP_DRAWS = 200
BOOTSTRAP_SEED = 20_261_201
STRESS = {
    "shift_-2h": ProfileSpec(shift_hours=-2),
    "shift_+2h": ProfileSpec(shift_hours=2),
    "shift_+4h": ProfileSpec(shift_hours=4),
    "flat_crime": ProfileSpec(flat_crime=True),
    "flat_all": ProfileSpec(flat_all=True),
}
POLICIES = ("static", "shift_rule", "roster_only", "plan")


class WindowError(InputError, ValueError):
    """Fit and test windows overlap (a ValueError too, for older callers)."""


class CountsPack:
    """The data pack with its crime table replaced by the backtest's counts (pack months
    and ``--crime-counts`` files), so the engine reads them like the pack's own."""

    def __init__(self, pack, crime: pd.DataFrame):
        self._pack = pack
        self._crime = crime

    def table(self, name: str):
        if name == "crime_borough_month":
            return self._crime
        return self._pack.table(name)

    def __getattr__(self, name):
        return getattr(self._pack, name)


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
    officer_hours_per_week: float  # equal for every staffing
    by_unit: pd.DataFrame          # unit_code, unit_name, served_static, served_plan, ratio, ...
    notes: tuple[str, ...]
    served: dict = field(default_factory=dict)        # policy -> harm-weighted share served
    baselines: dict = field(default_factory=dict)     # baseline -> {ratio, ci95, served}
    lending_marginal: float = float("nan")           # plan / roster only
    stress: dict = field(default_factory=dict)        # name -> plan / static under it
    stress_detail: dict = field(default_factory=dict)  # name -> {policy: served share}
    windows: dict = field(default_factory=dict)
    bootstrap: dict = field(default_factory=dict)     # draws, seed, unit
    planning_profiles: str = ""
    real_timing: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "fit_months": list(self.fit_months), "test_months": list(self.test_months),
            "served_static": self.served_static, "served_plan": self.served_plan,
            "ratio": self.ratio, "ratio_lending_only": self.ratio_lending_only,
            "baselines": self.baselines, "lending_marginal": self.lending_marginal,
            "stress": self.stress, "stress_detail": self.stress_detail,
            "real_timing": self.real_timing, "windows": self.windows,
            "bootstrap": self.bootstrap, "served": self.served,
            "planning_profiles": self.planning_profiles,
            "understaffed_unit_hours_static": self.understaffed_hours_static,
            "understaffed_unit_hours_plan": self.understaffed_hours_plan,
            "travel_officer_hours_per_week": self.travel_officer_hours_per_week,
            "officer_hours_per_week": self.officer_hours_per_week,
            "by_unit": self.by_unit.to_dict(orient="records"), "notes": list(self.notes),
        }


def shift_hours_of(scenario: DeploymentScenario) -> np.ndarray:
    shift_of_hour = np.empty(24, dtype=np.int64)
    for s, shift in enumerate(scenario.shifts):
        shift_of_hour[list(shift.hours)] = s
    return shift_of_hour


def shift_rule(static: np.ndarray, demand, scenario: DeploymentScenario) -> dict:
    """Officers per unit and shift for each day type: each unit's own officer-hours per day
    (as static) split between shifts in proportion to its fitted workload in each shift
    (attended incidents x officer-hours per incident), under the same roster minimum as the
    plan (a competent analyst obeys the same rules), rounded keeping the unit's total."""
    lengths = np.array([len(s.hours) for s in scenario.shifts], dtype=float)
    out = {}
    for day in demand.day_types:
        d = demand.index(day)
        work = demand.attended_per_hour[:, d] * demand.officer_hours_per_incident[:, d]
        officers = np.zeros_like(static)
        for u in range(static.shape[0]):
            per_shift = np.array([work[u, list(s.hours)].sum() for s in scenario.shifts])
            hours_total = float((static[u] * lengths).sum())
            if per_shift.sum() <= 0 or hours_total <= 0:
                officers[u] = static[u]
                continue
            minimum = np.ceil(scenario.roster_minimum_share * static[u] - 1e-9)
            officers[u] = _whole_shifts(_proportional_with_minimum(
                per_shift, lengths, hours_total, minimum), minimum, int(round(static[u].sum())))
        out[day] = officers
    return out


def _proportional_with_minimum(weight: np.ndarray, lengths: np.ndarray, hours_total: float,
                               minimum: np.ndarray) -> np.ndarray:
    """Officers per shift in proportion to ``weight`` with ``hours_total`` officer-hours,
    no shift below ``minimum`` (shifts lifted to it are fixed; the rest share what is left)."""
    fixed = np.zeros(len(weight), dtype=bool)
    while True:
        left = hours_total - float((minimum[fixed] * lengths[fixed]).sum())
        free_weight = weight[~fixed].sum()
        raw = np.where(fixed, minimum, 0.0)
        if free_weight > 0:
            raw[~fixed] = left * weight[~fixed] / free_weight / lengths[~fixed]
        below = ~fixed & (raw < minimum - 1e-9)
        if not below.any():
            return raw
        fixed |= below


def _whole_shifts(raw: np.ndarray, minimum: np.ndarray, total: int) -> np.ndarray:
    """Largest remainders to whole officers summing to ``total``, never below ``minimum``."""
    base = np.maximum(np.floor(raw + 1e-9), minimum).astype(np.int64)
    for i in np.argsort(-(raw - base))[: max(total - int(base.sum()), 0)]:
        base[i] += 1
    return base


class _Scorer:
    """Harm-weighted demand answered within standard for officers per unit and shift."""

    def __init__(self, scenario: DeploymentScenario, day_types: tuple[DayType, ...]):
        self.scenario = scenario
        self.day_types = day_types
        self.shift_of_hour = shift_hours_of(scenario)

    def tables(self, demand) -> ShareTables:
        """The queue-and-travel share tables for one demand, built once for every staffing
        scored against it (the costly part of ``cover``)."""
        return ShareTables(demand, self.scenario, None)

    def served_by_unit(self, officers: dict, demand, tables: ShareTables | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
        """(served harm per unit, total harm per unit), days-weighted over a week."""
        tables = tables if tables is not None else self.tables(demand)
        served = np.zeros(len(demand.unit_codes))
        total = np.zeros(len(demand.unit_codes))
        for day in self.day_types:
            d = demand.index(day)
            days = DAYS_PER_WEEK[day]
            hourly = officers[day][:, self.shift_of_hour]
            harm = demand.harm_per_hour[:, d]
            harm_i = demand.harm_immediate_per_hour[:, d]
            share_i = cover(hourly, demand, self.scenario, "I", d, tables=tables)
            share_s = cover(hourly, demand, self.scenario, "S", d, tables=tables)
            served += (harm_i * share_i + (harm - harm_i) * share_s).sum(axis=1) * days
            total += harm.sum(axis=1) * days
        return served, total

    def shares(self, staffings: dict, demand) -> dict:
        out = {}
        tables = self.tables(demand)
        for name, officers in staffings.items():
            served, total = self.served_by_unit(officers, demand, tables)
            out[name] = float(served.sum() / total.sum()) if total.sum() > 0 else float("nan")
        return out


def _window_counts(pack, window: tuple[str, str], files) -> "CrimeWindow":
    from workstation.loaders.crime_counts import crime_window
    return crime_window(window[0], window[1], tuple(files),
                        pack_table=pack.table("crime_borough_month"))


def _population(pack, scenario: DeploymentScenario):
    from workstation.flows.population import PopulationAssumptions, population_present
    return population_present(pack, assumptions=PopulationAssumptions(
        tfl_year=scenario.tfl_year, include_visitors=scenario.include_visitors))


def _interval(values: np.ndarray) -> list[float]:
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return [float("nan"), float("nan")]
    lo, hi = np.percentile(values, [2.5, 97.5])
    return [round(float(lo), 4), round(float(hi), 4)]


def backtest(pack, scenario: DeploymentScenario | None = None, *,
             fit_months: tuple[str, str] = FIT_MONTHS, test_months: tuple[str, str] = TEST_MONTHS,
             crime_counts: tuple = (), day_types: tuple[DayType, ...] | None = None,
             draws: int = BOOTSTRAP_DRAWS, seed: int = BOOTSTRAP_SEED, stress: bool = True,
             planning_profiles: ProfileSpec | None = None, collisions=None,
             collision_draws: int | None = None, real_timing_default: bool = True,
             progress: ProgressFn = no_progress, cancel: CancelToken | None = None
             ) -> BacktestResult:
    """Score static, the shift rule, roster only and the plan on the test window (see the
    module docstring). ``crime_counts`` are ``CrimeCounts`` read from published files (they
    take precedence over the pack for the months they hold); ``day_types`` defaults to all
    four; ``planning_profiles`` defaults to the engine's (``DEFAULT_PLANNING_PROFILES``);
    ``collisions`` (a ``Collisions`` read from a STATS19 file; default the pack's 2022
    ``collisions_timed`` unless ``real_timing_default`` is off) gives the real-timing score."""
    scenario = (scenario or DeploymentScenario()).validate()
    _check_windows(fit_months, test_months)
    day_types = tuple(day_types or DAY_TYPES)
    scenario = scenario.with_changes(day_types=day_types)
    fit_window = _window_counts(pack, fit_months, crime_counts)
    test_window = _window_counts(pack, test_months, crime_counts)
    data = CountsPack(pack, pd.concat([fit_window.table, test_window.table], ignore_index=True))
    units = planning_units(pack, kind=scenario.units, speed_kmh=scenario.blue_light_speed_kmh)
    demand = _demand_builder(data, scenario, units, fit_months, _population(pack, scenario))
    progress(0.05, "fitting demand")

    fit_rates = monthly_crime_rates(data, first_month=fit_months[0], last_month=fit_months[1])
    fitted = demand(fit_rates, planning_profiles)
    scorer = _Scorer(scenario, day_types)
    static, plan, staffings = _fit_staffings(units, fitted, scenario, scorer, progress, cancel)
    check_cancel(cancel)
    progress(0.3, "scoring on the test months")
    test_rates = monthly_crime_rates(data, first_month=test_months[0], last_month=test_months[1])
    actual = demand(test_rates, NOMINAL)
    actual_tables = scorer.tables(actual)
    by_unit_served = {name: scorer.served_by_unit(s, actual, actual_tables)
                      for name, s in staffings.items()}
    harm_total = by_unit_served["static"][1]
    served = {name: float(v[0].sum() / harm_total.sum()) for name, v in by_unit_served.items()}
    under, travel_hours, officer_hours = _test_hours(actual, actual_tables, units, scenario,
                                                     scorer, staffings, plan, static)
    _check_equal_officer_hours(staffings, static, scenario, day_types)

    progress(0.4, "bootstrap over test months")
    scored = {k: v for k, v in staffings.items() if k in POLICIES}
    bootstrap = _bootstrap(test_window.table, test_months, draws, seed,
                           lambda rates: demand(rates, NOMINAL),
                           lambda sample: scorer.shares(scored, sample), cancel)
    baselines = _baselines(served, bootstrap, draws)
    progress(0.8, "stress tests")
    stress_ratio, stress_detail = (_stress_tests(scorer, staffings, demand, test_rates, cancel)
                                   if stress else ({}, {}))
    real_timing = _real_timing(pack, scenario, collisions, real_timing_default, units=units,
                               draws=draws if collision_draws is None else collision_draws,
                               seed=seed, fitted=fitted, progress=progress)

    by_unit = _by_unit_table(units, by_unit_served, harm_total)
    spec_text = fitted.basis[2] if len(fitted.basis) > 2 else ""
    notes = _notes(fit_months, test_months, len(test_window.source_of_month), draws, seed,
                   spec_text, day_types)
    progress(1.0, "done")
    return BacktestResult(
        fit_months, test_months, served["static"], served["plan"],
        served["plan"] / served["static"] if served["static"] > 0 else float("inf"),
        served["lending_only"] / served["static"] if served["static"] > 0 else float("inf"),
        under["static"], under["plan"], round(travel_hours, 1), round(officer_hours, 1),
        by_unit, notes,
        served={k: round(v, 4) for k, v in served.items()}, baselines=baselines,
        lending_marginal=round(served["plan"] / served["roster_only"], 4),
        stress=stress_ratio, stress_detail=stress_detail,
        windows={"fit": fit_window.to_dict(), "test": test_window.to_dict()},
        bootstrap={"draws": draws, "seed": seed, "unit": "test months",
                   "ratio_ci95": baselines["static"]["ci95"]},
        planning_profiles=spec_text, real_timing=real_timing)


def _check_windows(fit_months: tuple[str, str], test_months: tuple[str, str]) -> None:
    """A test month seen in fitting would flatter the plan: the windows must not overlap."""
    if fit_months[1] >= test_months[0]:
        raise WindowError(f"the fit window {fit_months[0]}..{fit_months[1]} must end before "
                          f"the test window {test_months[0]}..{test_months[1]} starts",
                          column="--fit-months", expected="a fit window ending before the test")


def _demand_builder(data, scenario: DeploymentScenario, units, fit_months: tuple[str, str],
                    population):
    """Demand for given monthly crime rates and profiles, with everything else fixed, so the
    fitted, test, bootstrap and stressed demands differ only in what they are meant to."""
    def demand(rates, profiles):
        # harm weights per offence group from the fit window in both (first/last month)
        return demand_for(data, scenario, units, crime_rates=rates, first_month=fit_months[0],
                          last_month=fit_months[1], all_day_types=True,
                          population=population, profiles=profiles)
    return demand


def _fit_staffings(units, fitted, scenario: DeploymentScenario, scorer: _Scorer,
                   progress: ProgressFn, cancel: CancelToken | None
                   ) -> tuple[np.ndarray, dict, dict]:
    """(static officers, the plan per day type, every staffing per day type), all fitted on
    the fit window's demand and at the same officer-hours per unit and day."""
    day_types = scorer.day_types
    fit_tables = scorer.tables(fitted)        # the queue tables, shared by every stage
    need_fit = requirement(fitted, scenario, patrol_units=_patrol_units(units, None),
                           tables=fit_tables)
    static, _ = static_strength(units, fitted, scenario)   # as recommend(): split by workload
    check_cancel(cancel)
    progress(0.15, "planning on the fitted demand")
    plan = plan_from_parts(units, fitted, need_fit, static, scenario, tables=fit_tables)
    roster = plan_from_parts(units, fitted, need_fit, static,
                             scenario.with_changes(floor_share=1.0, max_lending_minutes=0.0),
                             tables=fit_tables)
    lending_only = plan_from_parts(units, fitted, need_fit, static, scenario, reprofile=False,
                                   tables=fit_tables)
    staffings = {
        "static": {day: static for day in day_types},
        "shift_rule": shift_rule(static, fitted, scenario),
        "roster_only": {day: roster[day].final for day in day_types},
        "plan": {day: plan[day].final for day in day_types},
        "lending_only": {day: lending_only[day].final for day in day_types},
    }
    return static, plan, staffings


def _test_hours(actual, actual_tables: ShareTables, units, scenario: DeploymentScenario,
                scorer: _Scorer, staffings: dict, plan: dict, static: np.ndarray
                ) -> tuple[dict, float, float]:
    """(understaffed unit-hours per week for static and the plan against the test demand's
    requirement, lending travel officer-hours per week, officer-hours per week)."""
    need_test = requirement(actual, scenario, patrol_units=_patrol_units(units, None),
                            tables=actual_tables)
    shift_of_hour = scorer.shift_of_hour
    under = {"static": 0, "plan": 0}
    travel_hours = officer_hours = 0.0
    lengths = np.array([len(sh.hours) for sh in scenario.shifts])
    finite_travel = np.where(np.isfinite(units.travel_minutes), units.travel_minutes, 0)
    for day in scorer.day_types:
        d = actual.index(day)
        days = DAYS_PER_WEEK[day]
        for name in under:
            hourly = staffings[name][day][:, shift_of_hour]
            under[name] += int((hourly < need_test.required[:, d]).sum()) * days
        for s in range(len(scenario.shifts)):
            travel_hours += float((plan[day].lend[:, :, s] * finite_travel).sum()) / 60 * days
        officer_hours += float((static * lengths[None]).sum()) * days
    return under, travel_hours, officer_hours


def _check_equal_officer_hours(staffings: dict, static: np.ndarray,
                               scenario: DeploymentScenario, day_types: tuple[DayType, ...]
                               ) -> None:
    """The comparison is only fair at equal officer-hours: fail loudly if a staffing drifts."""
    lengths = np.array([len(sh.hours) for sh in scenario.shifts])
    static_hours = (static * lengths[None]).sum(axis=1)
    for name, officers in staffings.items():
        for day in day_types:
            hours = (officers[day] * lengths[None]).sum(axis=1)
            # lending moves officers between units: conserved London-wide, not per unit
            same = (np.isclose(hours.sum(), static_hours.sum()) if name in ("plan", "lending_only")
                    else np.allclose(hours, static_hours))
            if not same:
                raise AssertionError(f"{name} does not keep officer-hours on {day.value}")


def _baselines(served: dict, bootstrap: dict, draws: int) -> dict:
    """Plan / baseline for each baseline: the point ratio, its bootstrap interval and bias."""
    baselines = {}
    for base in ("static", "shift_rule", "roster_only"):
        ratios = bootstrap["plan"] / bootstrap[base] if draws else np.array([])
        point = served["plan"] / served[base]
        baselines[base] = {"ratio": round(point, 4), "ci95": _interval(ratios),
                           "served": round(served[base], 4),
                           # mean of the draws minus the point: non-zero where the score is
                           # nonlinear in resampled volumes (the percentile interval shifts)
                           "bootstrap_bias": round(float(np.mean(ratios)) - point, 4)
                           if len(ratios) else None}
    return baselines


def _stress_tests(scorer: _Scorer, staffings: dict, demand, test_rates: pd.DataFrame,
                  cancel: CancelToken | None) -> tuple[dict, dict]:
    """(plan / static, served share per staffing) under each timing perturbation of the
    test demand: the test timing is assumed, so show what the gain does when it is wrong."""
    stress_ratio, stress_detail = {}, {}
    for name, spec in STRESS.items():
        check_cancel(cancel)
        shares = scorer.shares(staffings, demand(test_rates, spec))
        stress_detail[name] = {k: round(v, 4) for k, v in shares.items()}
        stress_ratio[name] = round(shares["plan"] / shares["static"], 4)
    return stress_ratio, stress_detail


def _real_timing(pack, scenario: DeploymentScenario, collisions, real_timing_default: bool, *,
                 units, draws: int, seed: int, fitted, progress: ProgressFn) -> dict:
    """The collision backtest, the one score whose test timing is observed ({} without
    collisions)."""
    if collisions is None and real_timing_default:
        from workstation.loaders.stats19 import collisions_from_pack
        collisions = collisions_from_pack(pack)
    if collisions is None:
        return {}
    progress(0.9, "real-timing collision backtest")
    from workstation.deploy.real_timing import collision_backtest
    return {"collisions": collision_backtest(
        pack, scenario, collisions, units=units, draws=draws, seed=seed,
        reference_demand=fitted).to_dict()}


def _by_unit_table(units, by_unit_served: dict, harm_total: np.ndarray) -> pd.DataFrame:
    """Served share per unit for each policy, and the plan's ratio to static and the rule."""
    by_unit = pd.DataFrame({"unit_code": units.codes, "unit_name": units.names})
    for name in POLICIES:
        by_unit[f"served_{name}"] = by_unit_served[name][0] / harm_total
    by_unit["ratio"] = by_unit["served_plan"] / by_unit["served_static"].where(
        by_unit["served_static"] > 0)
    by_unit["ratio_shift_rule"] = by_unit["served_plan"] / by_unit["served_shift_rule"].where(
        by_unit["served_shift_rule"] > 0)
    return by_unit


def _notes(fit_months: tuple[str, str], test_months: tuple[str, str], test_month_count: int,
           draws: int, seed: int, spec_text: str, day_types: tuple[DayType, ...]
           ) -> tuple[str, ...]:
    """What the result rests on, in sentences for the report and the CLI."""
    return (
        f"Fitted on recorded crime {fit_months[0]}..{fit_months[1]}; scored on "
        f"{test_months[0]}..{test_months[1]}, never used in fitting.",
        "Equal officer-hours: every staffing keeps each unit's officer-hours per day; the plan "
        "re-rosters them and lends; static keeps the same officers in every shift; the shift "
        "rule splits them by fitted workload per shift.",
        "What the gain rests on: the test window's volumes by borough and offence group are "
        "observed; its timing is not (crime time-of-day profiles are assumptions and "
        "population timing is TfL 2019 in both windows). Stress tests perturb that timing; "
        "only the collision backtest has observed timing.",
        f"Interval: bootstrap over the {test_month_count} test months "
        f"({draws} draws, seed {seed}); it covers volume, not the timing assumption.",
        f"Planning profiles: {spec_text}",
        f"Day types scored: {', '.join(d.value for d in day_types)} (weighted by days per week).",
    )


def _bootstrap(table: pd.DataFrame, window: tuple[str, str], draws: int, seed: int,
               demand_of, score, cancel) -> dict:
    """Resample the test window's months with replacement ``draws`` times (fixed seed) and
    score each draw's mean month. Demand is affine in the monthly counts (crime, and
    non-crime as a multiple of crime; collisions fixed), so a draw's demand is the weighted
    mean of the months' demands, built once per month. Returns policy -> array of shares."""
    if draws <= 0:
        return {p: np.array([]) for p in POLICIES}
    months = sorted(table["month"].unique())
    per_month = []
    for month in months:
        check_cancel(cancel)
        rows = table[table["month"] == month]
        rates = (rows.groupby(["gss_code", "major_text"])["offences"].sum()
                 .rename("offences_per_month").reset_index())
        per_month.append(demand_of(rates))
    stack = {name: np.stack([getattr(d, name) for d in per_month]) for name in _AFFINE}
    work = np.stack([d.attended_per_hour * d.officer_hours_per_incident for d in per_month])
    rng = np.random.default_rng(seed)
    out: dict[str, list[float]] = {}
    for _ in range(draws):
        check_cancel(cancel)
        weight = np.bincount(rng.integers(0, len(months), len(months)),
                             minlength=len(months)) / len(months)
        mean = {name: np.tensordot(weight, a, axes=1) for name, a in stack.items()}
        hours = np.tensordot(weight, work, axes=1)
        mean["officer_hours_per_incident"] = np.divide(
            hours, mean["attended_per_hour"], out=np.ones_like(hours),
            where=mean["attended_per_hour"] > 0)
        for name, share in score(replace(per_month[0], **mean)).items():
            out.setdefault(name, []).append(share)
    return {k: np.array(v) for k, v in out.items()}


_AFFINE = ("by_type_per_hour", "attended_per_hour", "immediate_per_hour", "harm_per_hour",
           "harm_immediate_per_hour")
