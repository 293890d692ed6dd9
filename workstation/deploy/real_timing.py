"""Real-timing backtest: road collisions, the one demand stream with observed hours.

Every other backtest score takes the test window's *timing* from the same assumptions as
the plan. Collisions have true times, so this score is the honest check of timing:

* **fit** (years before the test year, from the pack's STATS19 table, which has hour of day
  by borough but no weekday): each borough's hour-of-day profile, lightly shrunk towards
  London's (``SHRINK_COLLISIONS`` pseudo-collisions), the same on every day type (the fit
  data cannot say more), and each borough's share of London's collisions;
* **test** (a DfT-layout file, e.g. 2022: date, time, coordinates): each borough's
  collisions per hour of each day type (weekday = Monday-Thursday), as observed;
* the collision stream is scaled to the main model's London-wide attended load (one
  factor for all boroughs and hours, stated in the result), so the queue works at the
  workstation's operating point (890 officers); grades, officer time and harm are the
  demand table's collision row. Static, the shift rule and the plan are then fitted on
  the fit-years demand and scored on the observed test-year demand at equal officer-hours;
* interval: a bootstrap over the test year's weeks (fixed seed).

What it does not show: crime timing (still assumed); and the weekday/weekend difference is
unknown to the plan (the fit years' data have no weekday), which the score includes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from workstation.deploy.demand import DAY_TYPES, DAYS_PER_WEEK, Demand, load_demand_table
from workstation.deploy.recommend import (plan_from_parts, requirement, static_strength,
                                          _patrol_units)
from workstation.deploy.scenario import DeploymentScenario
from workstation.domain import DayType

SHRINK_COLLISIONS = 240.0   # ~10 pseudo-collisions per hour of day towards London's shape


@dataclass(frozen=True)
class CollisionBacktest:
    fit_years: tuple[int, int]
    test_year: int
    ratio: float                  # plan / static on observed test-year timing
    ci95: list
    ratio_shift_rule: float       # plan / shift rule
    ci95_shift_rule: list
    served: dict
    scale: float                  # collision stream x this = the main model's attended load
    level: float                  # test year x this = the fit years' London total
    bias: dict                    # mean of the draws minus the point, per ratio
    collisions_fit_per_year: float
    collisions_test: int
    draws: int
    seed: int
    source: str
    notes: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"fit_years": list(self.fit_years), "test_year": self.test_year,
                "ratio": self.ratio, "ci95": self.ci95,
                "ratio_shift_rule": self.ratio_shift_rule,
                "ci95_shift_rule": self.ci95_shift_rule, "bootstrap_bias": self.bias,
                "served": self.served,
                "scale": self.scale, "level": self.level, "collisions_fit_per_year": self.collisions_fit_per_year,
                "collisions_test": self.collisions_test, "bootstrap_draws": self.draws,
                "seed": self.seed, "source": self.source, "notes": list(self.notes)}


def _collision_type(scenario: DeploymentScenario):
    types = load_demand_table(scenario.extra.get("demand_table_csv"))
    for kind in types:
        if kind.source == "collisions":
            return kind
    raise ValueError("the demand table has no collisions row")


def _demand(rate: np.ndarray, codes, names, kind, population: np.ndarray) -> Demand:
    """A one-type Demand from collisions per hour (n, 4, 24)."""
    graded = kind.share_immediate + kind.share_significant
    weight = kind.harm_weight if kind.harm_weight is not None else 1.0
    attended = rate * graded
    return Demand(tuple(codes), tuple(names), DAY_TYPES, (kind.name,), rate[..., None],
                  attended, rate * kind.share_immediate,
                  np.full(rate.shape, kind.officer_hours_per_incident), attended * weight,
                  rate * kind.share_immediate * weight, population,
                  ("Road collisions only: real-timing backtest.",), "collisions")


def fitted_collision_rates(pack, codes, years: tuple[int, int]) -> tuple[np.ndarray, float]:
    """(n, 4, 24) collisions per hour from the pack's fit years, and collisions a year."""
    table = pack.table("collisions_borough_hour")
    window = table[(table["year"] >= years[0]) & (table["year"] <= years[1])]
    counts = (window.groupby(["gss_code", "hour"])["collisions"].sum().unstack(fill_value=0)
              .reindex(index=list(codes), columns=range(24), fill_value=0).to_numpy(float))
    london = counts.sum(axis=0) / max(counts.sum(), 1)
    shape = counts + SHRINK_COLLISIONS * london[None]
    shape /= shape.sum(axis=1, keepdims=True)
    n_years = years[1] - years[0] + 1
    per_day = counts.sum(axis=1) / (n_years * 365.25)
    rate = np.repeat((per_day[:, None] * shape)[:, None, :], 4, axis=1)
    return rate, float(counts.sum() / n_years)


def _day_type(weekday: np.ndarray) -> np.ndarray:
    return np.select([weekday <= 3, weekday == 4, weekday == 5], [0, 1, 2], 3)


def observed_rates(frame: pd.DataFrame, codes, weeks: np.ndarray | None = None
                   ) -> np.ndarray:
    """(n, 4, 24) collisions per hour observed; ``weeks`` (indices into the year's weeks,
    with repeats) resamples the year."""
    index = {c: i for i, c in enumerate(codes)}
    unit = frame["gss_code"].map(index)
    times = frame["occurred_at"]
    week = ((times.dt.day_of_year - 1) // 7).to_numpy()
    keep = unit.notna().to_numpy() & (week < 52)
    u = unit.to_numpy()[keep].astype(np.int64)
    d = _day_type(times.dt.day_of_week.to_numpy()[keep])
    h = times.dt.hour.to_numpy()[keep]
    w = week[keep]
    counts = np.zeros((52, len(codes), 4, 24))
    np.add.at(counts, (w, u, d, h), 1.0)
    picks = np.arange(52) if weeks is None else weeks
    days = np.array([DAYS_PER_WEEK[t] for t in DAY_TYPES], dtype=float)
    return counts[picks].sum(axis=0) / (len(picks) * days[None, :, None])


def collision_backtest(pack, scenario: DeploymentScenario, collisions, *, units,
                       reference_demand: Demand, draws: int = 200, seed: int = 20_261_201
                       ) -> CollisionBacktest:
    """Fit on the pack's years before the test year, score on ``collisions`` (one year)."""
    from workstation.deploy.backtest import _Scorer, _interval, shift_rule

    years = collisions.years
    if len(years) != 1:
        raise ValueError(f"the collision file holds years {list(years)}: give one test year")
    test_year = years[0]
    pack_years = sorted(int(y) for y in pack.table("collisions_borough_hour")["year"].unique())
    earlier = [y for y in pack_years if y < test_year]
    if not earlier:
        raise ValueError(f"no collision years before {test_year} in the pack to fit on")
    fit_years = (earlier[0], earlier[-1])
    scenario = scenario.with_changes(day_types=DAY_TYPES)
    members = units.members
    boroughs = tuple(sorted({c for m in members.values() for c in m}))
    names = dict(zip(pack.table("boroughs")["gss_code"], pack.table("boroughs")["name"]))
    kind = _collision_type(scenario)
    fit_rate, per_year = fitted_collision_rates(pack, boroughs, fit_years)
    population = np.ones_like(fit_rate)
    days = np.array([DAYS_PER_WEEK[t] for t in DAY_TYPES], dtype=float)
    weekly = lambda a: float((a.sum(axis=(0, 2)) * days).sum())   # noqa: E731
    fit_one = _demand(fit_rate, boroughs, [names[c] for c in boroughs], kind, population)
    scale = weekly(reference_demand.attended_per_hour) / weekly(fit_one.attended_per_hour)

    def demand(rate: np.ndarray) -> Demand:
        built = _demand(rate * scale, boroughs, [names[c] for c in boroughs], kind, population)
        if units.kind != "borough":
            built = built.aggregate(members, dict(zip(units.codes, units.names)))
        if built.unit_codes != tuple(units.codes):
            built = _reorder(built, [built.unit_codes.index(c) for c in units.codes])
        return replace(built, area_km2=getattr(units, "area_km2", None))

    fitted = demand(fit_rate)
    need = requirement(fitted, scenario, patrol_units=_patrol_units(units, None))
    static, _ = static_strength(units, fitted, scenario)   # as recommend(): split by workload
    plan = plan_from_parts(units, fitted, need, static, scenario)
    staffings = {"static": {d: static for d in DAY_TYPES},
                 "shift_rule": shift_rule(static, fitted, scenario),
                 "plan": {d: plan[d].final for d in DAY_TYPES}}
    scorer = _Scorer(scenario, DAY_TYPES)

    observed = observed_rates(collisions.frame, boroughs)
    # The pack's STATS19 copy and DfT's full file count differently (the pack holds 16,870
    # collisions for 2022, DfT's file 23,466): the test year is rescaled to the fit years'
    # London level, so borough shares and timing are observed and the level is matched.
    level = weekly(fit_rate) / weekly(observed)

    def score(rate):
        return scorer.shares(staffings, demand(rate * level))

    served = score(observed)
    rng = np.random.default_rng(seed)
    ratios, ratios_rule = [], []
    for _ in range(draws):
        shares = score(observed_rates(collisions.frame, boroughs, rng.integers(0, 52, 52)))
        ratios.append(shares["plan"] / shares["static"])
        ratios_rule.append(shares["plan"] / shares["shift_rule"])
    in_units = collisions.frame["gss_code"].isin(boroughs)
    notes = (
        f"Fit: collisions {fit_years[0]}-{fit_years[1]} (pack STATS19 table: hour of day by "
        "borough; no weekday, so the plan assumes the same hours every day type).",
        f"Test: {int(in_units.sum()):,} collisions of {test_year} with their true date and "
        f"time ({collisions.to_dict()['path']}), placed by their point; the City of London "
        "and points outside the boroughs are not planned.",
        f"Scale: the collision stream x {scale:.1f} carries the main model's London-wide "
        "attended load, so 890 officers are at the workstation's operating point; "
        "all boroughs and hours scaled alike.",
        f"Level: the test year is rescaled by {level:.3f} to the fit years' London total "
        "(the pack's copy and DfT's file count collisions differently); borough shares and "
        "hours are as observed.",
        f"Interval: bootstrap over the 52 weeks of {test_year} ({draws} draws, seed {seed}).",
    )
    return CollisionBacktest(
        fit_years, test_year, round(served["plan"] / served["static"], 4),
        _interval(np.array(ratios)), round(served["plan"] / served["shift_rule"], 4),
        _interval(np.array(ratios_rule)), {k: round(v, 4) for k, v in served.items()},
        round(scale, 2), round(level, 4),
        {"ratio": round(float(np.mean(ratios)) - served["plan"] / served["static"], 4)
         if ratios else None,
         "ratio_shift_rule": round(float(np.mean(ratios_rule))
                                   - served["plan"] / served["shift_rule"], 4)
         if ratios_rule else None},
        round(per_year, 1), int(in_units.sum()), draws, seed,
        collisions.to_dict()["path"], notes)


def _reorder(demand: Demand, order: list[int]) -> Demand:
    take = lambda a: a[order]   # noqa: E731
    return replace(demand, unit_codes=tuple(demand.unit_codes[i] for i in order),
                   unit_names=tuple(demand.unit_names[i] for i in order),
                   by_type_per_hour=take(demand.by_type_per_hour),
                   attended_per_hour=take(demand.attended_per_hour),
                   immediate_per_hour=take(demand.immediate_per_hour),
                   officer_hours_per_incident=take(demand.officer_hours_per_incident),
                   harm_per_hour=take(demand.harm_per_hour),
                   harm_immediate_per_hour=take(demand.harm_immediate_per_hour),
                   population_present=take(demand.population_present))
