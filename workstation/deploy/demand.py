"""Demand: expected incidents per borough, day type, hour and type, with priority grades,
officer time and harm.

Recorded crime says where and how much, not when: the Met's borough counts are monthly.
Each type is spread over the week and the day by a time-of-day profile: fitted from real
timestamps where the pack has them (STATS19 collisions by hour), or from an analyst's
timestamped import (a CAD extract) when given, otherwise the documented shape assumptions
below. Crime is only part of the load (seed report: 83% of calls are not crimes), so
non-crime demand is modelled too, as an editable multiplier on recorded crime.

The demand types, their grade mix, officer time and profile are the editable table
``demand_types.csv`` (a copy can be passed as ``demand_table``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from workstation.domain import DayType
from workstation.errors import InputError

DEFAULT_DEMAND_TABLE = Path(__file__).resolve().parent / "demand_types.csv"
DEMAND_COLUMNS = ("demand_type", "source", "profile", "follows_population", "share_immediate",
                  "share_significant", "officer_hours_per_incident", "harm_weight", "basis")
SOURCES = ("met_major", "non_crime", "collisions")
DAY_TYPES = (DayType.WEEKDAY, DayType.FRIDAY, DayType.SATURDAY, DayType.SUNDAY)
# Days of each day type in a week: TfL's weekday is Monday-Thursday.
DAYS_PER_WEEK = {DayType.WEEKDAY: 4, DayType.FRIDAY: 1, DayType.SATURDAY: 1, DayType.SUNDAY: 1}
DAYS_PER_MONTH = 365.25 / 12
# Share of all incidents that are mental-health related. Seed report (RSA/Met 2015):
# 15-20% of incidents; the midpoint is used.
MENTAL_HEALTH_SHARE = 0.175

# --- time-of-day shapes (relative weights per clock hour 0..23) -------------------------
# Assumptions, not fits: they set the shape of a type's day where the pack has no
# timestamps. Basis: Felson & Poulsen (2003), "Simple indicators of crime by time of day"
# (crime of each kind has a characteristic daily rhythm: thefts follow shop and travel
# hours, violence and disorder the evening and night-time economy, vehicle crime the night);
# CSEW: most domestic burglaries happen in the evening or at night. Replace them by
# importing timestamped incidents (profiles are then fitted from those).
_WEEKDAY_SHAPES = {
    "daytime": [1.0, .7, .5, .4, .3, .3, .5, 1.2, 2.5, 3.5, 4.5, 5.2,
                5.6, 5.8, 5.8, 6.0, 6.2, 6.0, 5.5, 4.6, 3.6, 2.8, 2.0, 1.4],
    "night_economy": [5.0, 4.0, 3.0, 2.0, 1.5, 1.0, 1.0, 1.2, 1.6, 2.0, 2.4, 2.8,
                      3.2, 3.4, 3.6, 4.0, 4.5, 5.0, 5.4, 5.6, 5.8, 6.0, 6.0, 5.6],
    "evening": [3.0, 2.4, 1.8, 1.4, 1.0, .8, .8, 1.0, 1.5, 2.0, 2.4, 2.8,
                3.0, 3.2, 3.5, 4.0, 4.6, 5.0, 5.4, 5.6, 5.6, 5.2, 4.6, 3.8],
    "residential": [2.0, 1.5, 1.2, 1.0, .8, .7, .8, 1.2, 2.0, 2.8, 3.2, 3.4,
                    3.4, 3.4, 3.4, 3.6, 4.0, 4.8, 5.6, 6.0, 5.8, 5.0, 4.0, 3.0],
    "overnight": [5.0, 5.0, 4.5, 4.0, 3.5, 3.0, 2.5, 2.5, 3.0, 3.0, 3.0, 3.0,
                  3.0, 3.0, 3.0, 3.2, 3.5, 4.0, 4.5, 5.0, 5.5, 5.5, 5.5, 5.2],
    # Calls for service (non-crime): quietest before dawn, busiest late afternoon/evening.
    "calls": [2.5, 2.0, 1.6, 1.3, 1.1, 1.0, 1.1, 1.6, 2.4, 3.2, 3.8, 4.2,
              4.5, 4.6, 4.7, 4.9, 5.2, 5.4, 5.5, 5.3, 5.0, 4.6, 4.0, 3.2],
}
# Weekend nights: the small hours of Saturday and Sunday carry the night-time economy.
_WEEKEND_NIGHT_BOOST = np.array([1.8, 1.9, 2.0, 2.0, 1.7, 1.3] + [1.0] * 15 + [1.1, 1.2, 1.3])
# Relative volume per day of a type on each day type (a week averages to 1). Assumption,
# same basis as the shapes: night-time-economy crime rises at weekends, theft and calls dip
# on Sundays.
_DAY_VOLUME = {
    "daytime": {DayType.WEEKDAY: 1.02, DayType.FRIDAY: 1.05, DayType.SATURDAY: 1.03, DayType.SUNDAY: 0.85},
    "night_economy": {DayType.WEEKDAY: 0.92, DayType.FRIDAY: 1.05, DayType.SATURDAY: 1.20, DayType.SUNDAY: 1.07},
    "evening": {DayType.WEEKDAY: 0.97, DayType.FRIDAY: 1.03, DayType.SATURDAY: 1.07, DayType.SUNDAY: 1.02},
    "residential": {DayType.WEEKDAY: 1.01, DayType.FRIDAY: 1.02, DayType.SATURDAY: 0.98, DayType.SUNDAY: 0.97},
    "overnight": {DayType.WEEKDAY: 1.0, DayType.FRIDAY: 1.0, DayType.SATURDAY: 1.0, DayType.SUNDAY: 1.0},
    "calls": {DayType.WEEKDAY: 1.0, DayType.FRIDAY: 1.04, DayType.SATURDAY: 1.02, DayType.SUNDAY: 0.94},
    "collisions": {DayType.WEEKDAY: 1.0, DayType.FRIDAY: 1.0, DayType.SATURDAY: 1.0, DayType.SUNDAY: 1.0},
}


def assumed_profile(name: str) -> np.ndarray:
    """(4 day types, 24 hours) incidents per day-type-day relative to an average day."""
    if name not in _WEEKDAY_SHAPES:
        raise KeyError(name)
    base = np.asarray(_WEEKDAY_SHAPES[name], dtype=float)
    night = name in ("night_economy", "evening")
    out = np.empty((4, 24))
    for d, day in enumerate(DAY_TYPES):
        shape = base * _WEEKEND_NIGHT_BOOST if night and day in (DayType.SATURDAY, DayType.SUNDAY) else base
        out[d] = shape / shape.sum() * _DAY_VOLUME[name][day]
    return _normalise_week(out)


def _normalise_week(profile: np.ndarray) -> np.ndarray:
    """Scale so that a week's days average to 1 (sum over a week = 7 days)."""
    days = np.array([DAYS_PER_WEEK[d] for d in DAY_TYPES], dtype=float)
    week = float((profile.sum(axis=1) * days).sum())
    return profile * (7.0 / week) if week > 0 else profile


@dataclass(frozen=True)
class DemandType:
    name: str
    source: str
    profile: str
    follows_population: bool
    share_immediate: float
    share_significant: float
    officer_hours_per_incident: float
    harm_weight: float | None
    basis: str


def load_demand_table(path: str | Path | None = None) -> tuple[DemandType, ...]:
    """The demand types table; errors name the file, row and column."""
    source = Path(path) if path else DEFAULT_DEMAND_TABLE
    try:
        with open(source, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError:
        raise InputError("demand table not found", path=str(source),
                         expected="a CSV with columns " + ", ".join(DEMAND_COLUMNS)) from None
    except UnicodeDecodeError:
        raise InputError("demand table is not UTF-8 text", path=str(source)) from None
    if not rows:
        raise InputError("demand table has no rows", path=str(source))
    missing = [c for c in DEMAND_COLUMNS if c not in rows[0]]
    if missing:
        raise InputError(f"demand table lacks columns {missing}", path=str(source),
                         expected=", ".join(DEMAND_COLUMNS))
    out = []
    for i, row in enumerate(rows, start=2):
        def number(column: str, low: float, high: float, optional: bool = False) -> float | None:
            text = (row.get(column) or "").strip()
            if optional and not text:
                return None
            try:
                value = float(text)
            except ValueError:
                raise InputError(f"'{text}' is not a number", path=str(source), row=i,
                                 column=column, expected=f"a number {low}..{high}") from None
            if not low <= value <= high:
                raise InputError(f"{value} is out of range", path=str(source), row=i,
                                 column=column, expected=f"a number {low}..{high}")
            return value
        profile = (row["profile"] or "").strip()
        if profile not in _WEEKDAY_SHAPES and profile != "collisions":
            raise InputError(f"unknown profile '{profile}'", path=str(source), row=i,
                             column="profile",
                             expected=", ".join(sorted(_WEEKDAY_SHAPES) + ["collisions"]))
        src = (row["source"] or "").strip()
        if src not in SOURCES:
            raise InputError(f"unknown source '{src}'", path=str(source), row=i, column="source",
                             expected=", ".join(SOURCES))
        follows = (row["follows_population"] or "").strip().lower()
        if follows not in ("yes", "no"):
            raise InputError(f"'{follows}' is not yes/no", path=str(source), row=i,
                             column="follows_population", expected="yes or no")
        immediate = number("share_immediate", 0.0, 1.0)
        significant = number("share_significant", 0.0, 1.0)
        if immediate + significant > 1.0 + 1e-9:
            raise InputError("immediate + significant shares exceed 1", path=str(source), row=i,
                             column="share_significant", expected="shares that sum to 1 or less")
        out.append(DemandType(
            name=row["demand_type"].strip(), source=src, profile=profile,
            follows_population=follows == "yes", share_immediate=immediate,
            share_significant=significant,
            officer_hours_per_incident=number("officer_hours_per_incident", 0.05, 48.0),
            harm_weight=number("harm_weight", 0.0, 1e5, optional=True),
            basis=(row.get("basis") or "").strip()))
    return tuple(out)


@dataclass(frozen=True)
class Demand:
    """Expected incidents per hour for one planning of units (boroughs or BCUs).

    Arrays are (n_units, n_day_types, 24) unless said otherwise; ``by_type`` is
    (n_units, n_day_types, 24, n_types) incidents per hour of every grade.
    """

    unit_codes: tuple[str, ...]
    unit_names: tuple[str, ...]
    day_types: tuple[DayType, ...]
    type_names: tuple[str, ...]
    by_type_per_hour: np.ndarray
    attended_per_hour: np.ndarray      # I + S graded incidents per hour
    immediate_per_hour: np.ndarray     # I graded incidents per hour
    officer_hours_per_incident: np.ndarray  # mean over attended incidents in that hour
    harm_per_hour: np.ndarray          # harm-weighted attended incidents per hour
    harm_immediate_per_hour: np.ndarray  # the I-graded part of it
    population_present: np.ndarray
    basis: tuple[str, ...] = field(default=())
    profile_source: str = "assumed"
    area_km2: np.ndarray | None = None  # (n_units,) set by deploy.unit_demand for travel

    def index(self, day_type: DayType) -> int:
        return self.day_types.index(DayType(day_type))

    def aggregate(self, groups: dict[str, tuple[str, ...]], names: dict[str, str]) -> "Demand":
        """Sum boroughs into larger units (e.g. BCUs); officer time stays a weighted mean."""
        codes = list(self.unit_codes)
        keys = list(groups)
        member = np.zeros((len(keys), len(codes)))
        for k, key in enumerate(keys):
            for code in groups[key]:
                member[k, codes.index(code)] = 1.0
        def agg(a: np.ndarray) -> np.ndarray:
            return np.tensordot(member, a, axes=(1, 0))
        attended = agg(self.attended_per_hour)
        work = agg(self.attended_per_hour * self.officer_hours_per_incident)
        mean_hours = np.divide(work, attended, out=np.ones_like(work), where=attended > 0)
        return Demand(tuple(keys), tuple(names[k] for k in keys), self.day_types,
                      self.type_names, agg(self.by_type_per_hour), attended,
                      agg(self.immediate_per_hour), mean_hours, agg(self.harm_per_hour),
                      agg(self.harm_immediate_per_hour), agg(self.population_present), self.basis, self.profile_source)


def monthly_crime_rates(pack, *, first_month: str, last_month: str,
                        months: pd.DataFrame | None = None) -> pd.DataFrame:
    """Mean recorded offences per month per borough and Met major group over a window."""
    crime = pack.table("crime_borough_month") if months is None else months
    window = crime[(crime["month"] >= first_month) & (crime["month"] <= last_month)]
    n_months = window["month"].nunique()
    if n_months == 0:
        raise InputError(f"no recorded crime between {first_month} and {last_month}",
                         path="crime_borough_month", column="month",
                         expected="months within 2010-04..2024-01")
    rates = (window.groupby(["gss_code", "major_text"])["offences"].sum() / n_months)
    return rates.rename("offences_per_month").reset_index()


def harm_by_major(pack, harm_weights, *, first_month: str, last_month: str) -> dict[str, float]:
    """Count-weighted mean CSS weight of each Met major group's subgroups over the window."""
    crime = pack.table("crime_borough_month")
    window = crime[(crime["month"] >= first_month) & (crime["month"] <= last_month)]
    per_minor = window.groupby(["major_text", "minor_text"])["offences"].sum().reset_index()
    lookup = {}
    for c in harm_weights.categories("met_subgroup"):
        lookup[" ".join(c.split()).casefold()] = harm_weights.weight(c, "met_subgroup")
    per_minor["weight"] = [lookup.get(" ".join(str(m).split()).casefold(), np.nan)
                           for m in per_minor["minor_text"]]
    known = per_minor.dropna(subset=["weight"])
    out = {}
    for major, group in known.groupby("major_text"):
        total = group["offences"].sum()
        out[str(major)] = float((group["weight"] * group["offences"]).sum() / total) if total else 0.0
    return out


def collisions_profile(pack) -> tuple[pd.Series, np.ndarray]:
    """Collisions per borough per month (mean over the pack's years) and the fitted London
    profile over the hours of the day (the pack has no day of week: same for all days)."""
    collisions = pack.table("collisions_borough_hour")
    n_months = collisions[["year", "month"]].drop_duplicates().shape[0]
    per_borough = collisions.groupby("gss_code")["collisions"].sum() / max(n_months, 1)
    by_hour = collisions.groupby("hour")["collisions"].sum().reindex(range(24), fill_value=0)
    shape = by_hour.to_numpy(dtype=float)
    profile = np.tile(shape / shape.sum(), (4, 1))
    return per_borough, _normalise_week(profile)


def fitted_profile(incidents) -> np.ndarray | None:
    """Profile (4, 24) fitted from an import's timestamps, or None if too few have times.

    A CAD extract's timestamps beat any assumption; 500 timed incidents is enough for a
    stable 96-cell histogram (about 5 per cell) once lightly smoothed over adjacent hours.
    Fits every timed row whatever its type: ``fitted_profiles`` is what demand uses.
    """
    if incidents is None:
        return None
    times = pd.to_datetime(incidents.frame["occurred_at"], errors="coerce").dropna()
    return _profile_from_times(times) if len(times) >= MIN_TIMED_PER_TYPE else None


def _profile_from_times(times: pd.Series) -> np.ndarray:
    weekday = times.dt.day_of_week.to_numpy()   # Monday = 0
    day_index = np.select([weekday <= 3, weekday == 4, weekday == 5], [0, 1, 2], 3)
    counts = np.zeros((4, 24))
    np.add.at(counts, (day_index, times.dt.hour.to_numpy()), 1.0)
    counts = (np.roll(counts, 1, axis=1) + 2 * counts + np.roll(counts, -1, axis=1)) / 4 + 0.5
    days_seen = np.array([DAYS_PER_WEEK[d] for d in DAY_TYPES], dtype=float)
    per_day = counts / days_seen[:, None]
    return _normalise_week(per_day / per_day.sum(axis=1).mean())


# Timed incidents a demand type needs before its profile is fitted (see fitted_profile).
MIN_TIMED_PER_TYPE = 500
# police.uk street crime types (and Met offence groups by name) -> demand types they time.
CRIME_TYPE_TO_DEMAND = {
    "violence and sexual offences": ("Violence Against the Person", "Sexual Offences"),
    "violence against the person": ("Violence Against the Person",),
    "sexual offences": ("Sexual Offences",),
    "robbery": ("Robbery",), "burglary": ("Burglary",),
    "possession of weapons": ("Possession of Weapons",),
    "public order": ("Public Order Offences",), "public order offences": ("Public Order Offences",),
    "drugs": ("Drug Offences",), "drug offences": ("Drug Offences",),
    "criminal damage and arson": ("Arson and Criminal Damage",),
    "arson and criminal damage": ("Arson and Criminal Damage",),
    "bicycle theft": ("Theft",), "other theft": ("Theft",), "shoplifting": ("Theft",),
    "theft from the person": ("Theft",), "theft": ("Theft",),
    "vehicle crime": ("Vehicle Offences",), "vehicle offences": ("Vehicle Offences",),
    "other crime": ("Miscellaneous Crimes Against Society",),
    "miscellaneous crimes against society": ("Miscellaneous Crimes Against Society",),
    # CAD incident types with real times beyond crime
    "road traffic collision": ("Road traffic collisions",),
    "road traffic collisions": ("Road traffic collisions",), "rtc": ("Road traffic collisions",),
}
# Record kinds that are police activity, not demand: they never time demand.
POLICE_ACTIVITY_TYPES = {"person search": "stop and search", "vehicle search": "stop and search",
                         "person and vehicle search": "stop and search"}


@dataclass(frozen=True)
class ProfileFit:
    """Which demand types an import can time, and why the others are not fitted."""

    profiles: dict            # demand type -> (4, 24) fitted profile
    counts: dict              # demand type -> timed incidents behind it
    refused: dict             # import crime type -> reason it fits nothing
    source: str               # the import's file names

    @property
    def fitted(self) -> tuple[str, ...]:
        return tuple(sorted(self.profiles))


def fit_profiles(incidents, *, min_count: int = MIN_TIMED_PER_TYPE) -> ProfileFit:
    """Per demand type profiles from an import's timestamps: only for types the import
    really contains (police.uk crime types or Met offence groups, by name), each with at
    least ``min_count`` timed rows. Stop-and-search and outcome records are police
    activity, not demand, and fit nothing (a stop's time says when officers searched)."""
    source = ", ".join(getattr(incidents, "sources", ()) or ()) if incidents is not None else ""
    if incidents is None or len(incidents.frame) == 0:
        return ProfileFit({}, {}, {}, source)
    frame = incidents.frame
    times = pd.to_datetime(frame["occurred_at"], errors="coerce")
    kinds = frame["crime_type"].astype("string").fillna("").str.strip()
    refused, by_demand = {}, {}
    for kind, rows in times.groupby(kinds.str.casefold(), sort=True):
        label = str(kinds[kinds.str.casefold() == kind].iloc[0]) if kind else "(no type)"
        timed = rows.dropna()
        if kind in POLICE_ACTIVITY_TYPES:
            refused[label] = (f"{POLICE_ACTIVITY_TYPES[kind]}: police activity, not demand "
                              "(its times say when officers acted, not when they were needed)")
        elif kind.startswith("outcome") or "outcome" in kind:
            refused[label] = "an outcome record: police activity, not demand"
        elif not kind:
            refused[label] = "no crime type: cannot say which demand it times"
        elif kind not in CRIME_TYPE_TO_DEMAND:
            refused[label] = "not a crime type the demand table models"
        elif len(timed) == 0:
            refused[label] = "no timestamps (month only)"
        else:
            for name in CRIME_TYPE_TO_DEMAND[kind]:
                by_demand.setdefault(name, []).append(timed)
    profiles, counts = {}, {}
    for name, parts in by_demand.items():
        joined = pd.concat(parts)
        if len(joined) >= min_count:
            profiles[name] = _profile_from_times(joined)
            counts[name] = int(len(joined))
        else:
            refused[name] = f"{len(joined)} timed incidents, fewer than {min_count}"
    return ProfileFit(profiles, counts, refused, source)


def refused_fit(incidents, reason: str) -> ProfileFit:
    """A fit that uses nothing from ``incidents`` (e.g. a stop-and-search file)."""
    kinds = sorted({str(k) for k in incidents.frame["crime_type"].dropna().unique()}) or ["(all rows)"]
    return ProfileFit({}, {}, {k: reason for k in kinds}, ", ".join(incidents.sources))


_BLOCKS = "▁▂▃▄▅▆▇█"


def _spark(values: np.ndarray) -> str:
    top = float(values.max()) or 1.0
    return "".join(_BLOCKS[min(int(v / top * (len(_BLOCKS) - 1) + 0.5), len(_BLOCKS) - 1)]
                   for v in values)


def profile_comparison(fit: ProfileFit, demand_table=None,
                       shifts=((7, 15), (15, 23), (23, 7)), pack=None) -> list[dict]:
    """One row per fitted type: the fitted and the default profile side by side (weekday
    hours as a sparkline, the share of the week in each shift, the weekday peak hour)."""
    types = {t.name: t for t in (load_demand_table(demand_table)
                                 if not isinstance(demand_table, tuple) else demand_table)}
    days = np.array([DAYS_PER_WEEK[d] for d in DAY_TYPES], dtype=float)
    rows = []
    for name in fit.fitted:
        kind = types.get(name)
        if kind is not None and kind.source == "collisions":
            # the default for collisions is the pack's STATS19 fit
            default = collisions_profile(pack)[1] if pack is not None else flat_profile()
        else:
            default = assumed_profile(kind.profile) if kind is not None else flat_profile()
        row = {"demand_type": name, "timed_incidents": fit.counts[name]}
        for label, profile in (("fitted", fit.profiles[name]), ("default", default)):
            week = (profile * days[:, None]).sum(axis=0)
            share = []
            for start, end in shifts:
                hours = [(start + i) % 24 for i in range((end - start) % 24 or 24)]
                share.append(week[hours].sum() / week.sum())
            row[f"{label}_weekday"] = _spark(profile[0])
            row[f"{label}_shift_shares"] = " / ".join(f"{100 * v:.0f}%" for v in share)
            row[f"{label}_peak_hour"] = int(np.argmax(profile[0]))
        rows.append(row)
    return rows


# --- profile variants: stress tests and robust planning ----------------------------------

@dataclass(frozen=True)
class ProfileSpec:
    """How crime time-of-day profiles are set for one demand build.

    ``shift_hours`` moves every crime type's arrivals (its profile after population
    following) later by that many hours of the week (a Saturday 23:00 peak at +2 h lands
    on Sunday 01:00); ``flat_crime`` makes crime arrive evenly through the week (no profile,
    no population timing); ``flat_all`` makes every type flat and switches population
    following off. ``mixture`` plans against a weighted mean of the crime arrivals shifted
    by each (hours, weight) where the profile is *assumed*: the expected demand when the
    assumption's timing is uncertain by an hour or two (fitted profiles, being data, are
    not blurred). Stress tests perturb the test demand; the mixture is for the demand a
    plan is fitted on."""

    shift_hours: int = 0
    flat_crime: bool = False
    flat_all: bool = False
    mixture: tuple[tuple[int, float], ...] = ()

    def describe(self) -> str:
        parts = []
        if self.mixture:
            parts.append("planned against a mixture of the assumed crime profiles shifted "
                         + ", ".join(f"{h:+d} h (weight {w:g})" for h, w in self.mixture))
        if self.shift_hours:
            parts.append(f"crime profiles shifted {self.shift_hours:+d} h")
        if self.flat_crime:
            parts.append("crime profiles flat")
        if self.flat_all:
            parts.append("every profile flat, population following off")
        return "; ".join(parts) or "nominal profiles"


NOMINAL = ProfileSpec()
# Robust planning: the assumed crime profiles are shapes from the literature, not fits; a
# peak an hour or two early or late is as plausible as the stated one. Triangular weights
# over -2..+2 h (the stress range of issue 15).
ROBUST_MIXTURE = ProfileSpec(mixture=((-2, 1.0), (-1, 2.0), (0, 3.0), (1, 2.0), (2, 1.0)))
# The profiles every plan is fitted on unless a caller says otherwise. Nominal, because
# the mixture did not raise the stressed scores in the backtest (docs/method-evaluation.md):
# it is offered (``backtest --robust``), not imposed.
DEFAULT_PLANNING_PROFILES = NOMINAL


def _week_hours(profile: np.ndarray) -> np.ndarray:
    """(4 day types, 24) -> 168 hours Monday 00:00 .. Sunday 23:00."""
    return np.concatenate([profile[0]] * 4 + [profile[1], profile[2], profile[3]])


def _day_types(week: np.ndarray) -> np.ndarray:
    days = week.reshape(7, 24)
    return np.stack([days[:4].mean(axis=0), days[4], days[5], days[6]])


def shift_profile(profile: np.ndarray, hours: int) -> np.ndarray:
    """A (4, 24) profile moved later by ``hours`` through the week (wrapping Sunday)."""
    if not hours:
        return profile
    return _normalise_week(_day_types(np.roll(_week_hours(profile), hours)))


def flat_profile() -> np.ndarray:
    return _normalise_week(np.ones((4, 24)))


def _shift_arrivals(shape: np.ndarray, hours: int) -> np.ndarray:
    """(n, 4, 24) hourly shapes moved later by ``hours`` through the week, each unit's
    weekly volume kept."""
    if not hours:
        return shape
    days = np.array([DAYS_PER_WEEK[d] for d in DAY_TYPES], dtype=float)
    week = np.concatenate([shape[:, 0]] * 4 + [shape[:, 1], shape[:, 2], shape[:, 3]], axis=1)
    rolled = np.roll(week, hours, axis=1).reshape(len(shape), 7, 24)
    out = np.stack([rolled[:, :4].mean(axis=1), rolled[:, 4], rolled[:, 5], rolled[:, 6]], axis=1)
    before = (shape.sum(axis=2) * days).sum(axis=1)
    after = (out.sum(axis=2) * days).sum(axis=1)
    return out * np.divide(before, after, out=np.ones_like(before), where=after > 0)[:, None, None]


def _crime_arrivals(shape: np.ndarray, spec: ProfileSpec, assumed: bool) -> np.ndarray:
    """Crime demand's hourly shape as it arrives (after population following), perturbed
    or mixed as ``spec`` says: shifting the arrivals, not only the assumed shape, moves
    the whole crime timing (the harsher and more honest stress)."""
    if spec.mixture and assumed:
        total = sum(w for _, w in spec.mixture)
        shape = sum(w * _shift_arrivals(shape, h) for h, w in spec.mixture) / total
    return _shift_arrivals(shape, spec.shift_hours)


def build_demand(pack, *, population_present: np.ndarray, gss_codes: tuple[str, ...],
                 names: tuple[str, ...], day_types: tuple[DayType, ...],
                 harm_weights, non_crime_multiplier: float,
                 first_month: str = "2022-02", last_month: str = "2024-01",
                 follow_population: bool = True, demand_table=None, incidents=None,
                 crime_rates: pd.DataFrame | None = None,
                 profiles: ProfileSpec | None = None) -> Demand:
    """Expected incidents per hour for every borough, day type and hour (see module doc).

    ``population_present`` is (n_boroughs, 4 TfL day types, 24) people present;
    ``crime_rates`` (from ``monthly_crime_rates``) overrides the window, e.g. in a backtest.
    ``incidents`` (an import, or a ``ProfileFit`` from it) times the crime types it holds
    enough of; ``profiles`` sets stress perturbations or the planning mixture (default
    ``DEFAULT_PLANNING_PROFILES``).
    """
    spec = DEFAULT_PLANNING_PROFILES if profiles is None else profiles
    types = load_demand_table(demand_table) if not isinstance(demand_table, tuple) else demand_table
    codes = list(gss_codes)
    n = len(codes)
    rates = crime_rates if crime_rates is not None else monthly_crime_rates(
        pack, first_month=first_month, last_month=last_month)
    per_major = rates.pivot_table(index="gss_code", columns="major_text",
                                  values="offences_per_month", aggfunc="sum").reindex(codes).fillna(0.0)
    collisions_per_month, collision_profile = collisions_profile(pack)
    collisions_per_month = collisions_per_month.reindex(codes).fillna(0.0).to_numpy()
    fit = incidents if isinstance(incidents, ProfileFit) else fit_profiles(incidents)
    harm_major = harm_by_major(pack, harm_weights, first_month=first_month, last_month=last_month)

    # Population-following factor: presence relative to the borough's own daily mean.
    presence = population_present / population_present.mean(axis=2, keepdims=True)
    d_index = [DAY_TYPES.index(DayType(d)) for d in day_types]
    monthly = _monthly_by_type(types, per_major, collisions_per_month, non_crime_multiplier)
    per_hour_by_type = []
    for kind, monthly_incidents in zip(types, monthly):
        shape = _arrival_shape(kind, n, spec=spec, fit=fit, collision_profile=collision_profile,
                               presence=presence, follow_population=follow_population)
        per_hour = monthly_incidents[:, None, None] / DAYS_PER_MONTH * shape  # incidents per hour
        per_hour_by_type.append(per_hour[:, d_index])
    loads = _graded_loads(types, per_hour_by_type, (n, len(d_index), 24), harm_major)
    profile_source = (f"fitted from imported timestamps ({fit.source}) for "
                      + ", ".join(fit.fitted) if fit.profiles else "assumed")
    basis = _demand_basis(fit, spec, first_month=first_month, last_month=last_month,
                          non_crime_multiplier=non_crime_multiplier,
                          follow_population=follow_population)
    by_type, attended, immediate, mean_hours, harm, harm_immediate = loads
    return Demand(tuple(codes), tuple(names), tuple(DayType(d) for d in day_types),
                  tuple(k.name for k in types), by_type, attended, immediate, mean_hours, harm,
                  harm_immediate, population_present[:, d_index], basis, profile_source)


def _monthly_by_type(types: tuple[DemandType, ...], per_major: pd.DataFrame,
                     collisions_per_month: np.ndarray, non_crime_multiplier: float
                     ) -> list[np.ndarray]:
    """Incidents per month per borough for each demand type. Non-crime demand is recorded
    crime x (multiplier - 1), of which mental health is its share of all incidents and the
    rest (less collisions, counted from STATS19) the other calls."""
    n = len(per_major)
    crimes_per_month = per_major.sum(axis=1).to_numpy()
    non_crime_total = crimes_per_month * max(non_crime_multiplier - 1.0, 0.0)
    all_incidents = crimes_per_month * max(non_crime_multiplier, 1.0)
    mental_health = np.minimum(MENTAL_HEALTH_SHARE * all_incidents, non_crime_total)
    monthly = []
    for kind in types:
        if kind.source == "met_major":
            monthly.append(per_major[kind.name].to_numpy() if kind.name in per_major.columns
                           else np.zeros(n))
        elif kind.source == "collisions":
            monthly.append(collisions_per_month)
        elif kind.name.lower().startswith("mental health"):
            monthly.append(mental_health)
        else:
            monthly.append(np.maximum(non_crime_total - mental_health - collisions_per_month, 0.0))
    return monthly


def _arrival_shape(kind: DemandType, n: int, *, spec: ProfileSpec, fit: ProfileFit,
                   collision_profile: np.ndarray, presence: np.ndarray,
                   follow_population: bool) -> np.ndarray:
    """(n, 4, 24) relative arrivals of one type: its profile (flat, fitted or assumed), moved
    with the people present where it follows population, then perturbed or mixed as
    ``spec`` says for crime."""
    crime = kind.source == "met_major"
    flat = spec.flat_all or (crime and spec.flat_crime)
    if flat:
        profile = flat_profile()
    elif kind.source == "collisions":
        profile = fit.profiles.get(kind.name, collision_profile)
    elif crime and kind.name in fit.profiles:
        profile = fit.profiles[kind.name]
    else:
        profile = assumed_profile(kind.profile)
    shape = np.broadcast_to(profile[None], (n, 4, 24))
    if follow_population and kind.follows_population and not flat:
        moved = shape * presence
        # keep each borough-day's volume: only the timing follows the people
        shape = moved * (shape.sum(axis=2, keepdims=True) / moved.sum(axis=2, keepdims=True))
    if crime and not flat:
        shape = _crime_arrivals(shape, spec, assumed=kind.name not in fit.profiles)
    return shape


def _graded_loads(types: tuple[DemandType, ...], per_hour_by_type: list[np.ndarray],
                  shape: tuple[int, int, int], harm_major: dict) -> tuple[np.ndarray, ...]:
    """(by type, attended, immediate, officer-hours per attended incident, harm, immediate
    harm) per unit, day type and hour. Only I and S grades are attended; a crime type
    without its own harm weight takes its offence group's, else the median group's."""
    by_type = np.zeros(shape + (len(types),))
    immediate = np.zeros(shape)
    attended = np.zeros_like(immediate)
    work_hours = np.zeros_like(immediate)
    harm = np.zeros_like(immediate)
    harm_immediate = np.zeros_like(immediate)
    median_crime_harm = float(np.median(list(harm_major.values()))) if harm_major else 1.0
    for t, (kind, per_hour) in enumerate(zip(types, per_hour_by_type)):
        by_type[..., t] = per_hour
        graded = kind.share_immediate + kind.share_significant
        immediate += per_hour * kind.share_immediate
        attended += per_hour * graded
        work_hours += per_hour * graded * kind.officer_hours_per_incident
        weight = kind.harm_weight if kind.harm_weight is not None else harm_major.get(
            kind.name, median_crime_harm)
        harm += per_hour * graded * weight
        harm_immediate += per_hour * kind.share_immediate * weight
    mean_hours = np.divide(work_hours, attended, out=np.ones_like(work_hours), where=attended > 0)
    return by_type, attended, immediate, mean_hours, harm, harm_immediate


def _demand_basis(fit: ProfileFit, spec: ProfileSpec, *, first_month: str, last_month: str,
                  non_crime_multiplier: float, follow_population: bool) -> tuple[str, ...]:
    """Where each part of the demand comes from, in sentences for the plan's basis."""
    basis = (
        f"Recorded crime: Met borough offences by Home Office group, mean per month "
        f"{first_month}..{last_month} (crime_borough_month).",
        f"Non-crime demand: recorded crime x {non_crime_multiplier:.2f} (seed report: 83% of "
        f"calls are not crimes), of which mental health {MENTAL_HEALTH_SHARE:.1%} of all "
        "incidents; road collisions from STATS19 2014-2023.",
        "Time of day: road collisions fitted from STATS19 hours; crime types "
        + (f"fitted from the timestamps of {fit.source} for {', '.join(fit.fitted)} "
           f"({', '.join(str(fit.counts[t]) for t in fit.fitted)} timed incidents), the "
           "others" if fit.profiles else "")
        + " by documented shape assumptions (Felson & Poulsen 2003; CSEW)"
        + ("; timing moved with population present (demand follows the people)"
           if follow_population and not spec.flat_all else "; population movement not applied")
        + (f"; {spec.describe()}." if spec != NOMINAL else "."),
        "Grades, officer time and non-crime harm weights: demand_types table (editable); "
        "crime harm: ONS Crime Severity Score weights by offence subgroup.",
    )
    if fit.refused:
        basis += ("Imported incidents not used for time of day: " + "; ".join(
            f"{k} ({v})" for k, v in sorted(fit.refused.items())) + ".",)
    return basis
