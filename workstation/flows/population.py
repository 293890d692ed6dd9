"""Population present per borough by clock quarter-hour and day type.

Why: officers are needed where people are, not where they sleep. Westminster has ~260,000
residents but close to a million people in it on a weekday afternoon. The model is

    present = residents - out-commuters away + in-commuters at work + other trips + visitors

- *Who* commutes where: 2011 Census WU01EW (``commuting_matrix``), optionally grown to 2019
  with each residence borough's population (mid-2019 / 2011).
- *When* commuters are at work: TfL data. RODS 2017 "Home to Work" exits and "Work to Home"
  entries by borough and time band say in which band commuters arrive at and leave their work
  borough; TfL Annual Station Counts (exits/entries by quarter-hour and day type, default 2019)
  spread each band over its quarter-hours and shift the bands for Fridays and weekends. The
  share at work at time t is (arrived by t) - (left by t). Boroughs with too few Underground
  commuter journeys borrow their neighbours' pooled data, else London's.
- Weekends and Fridays: fewer commuters go to work (documented shares below).
- Londoners' non-commute Tube trips (RODS shop/education/other purposes, switchable) move
  people into the boroughs they travel to, taken from all boroughs pro rata to residents.
- Visitors (switchable): overnight visitors sleep where hotel guests start Tube trips and go
  out by day; day visitors arrive and leave with RODS tourist journeys and are spread by the
  boroughs' share of tourist Tube exits.
- Pandemic scenario: the 2020 counts (or ``tfl_year``) set the timing, and commuter and
  visitor volumes scale with each borough's station exits relative to 2019.

Arrays are (n_boroughs, n_day_types, 96) in canonical gss_code order; quarter-hour q is
clock time q*15 minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from workstation.domain import QUARTER_HOURS_PER_DAY, DayType
from workstation.errors import InputError
from workstation.flows.commuting import EW_OUTSIDE_LONDON, commuting_matrix

DAY_TYPES: tuple[DayType, ...] = (DayType.WEEKDAY, DayType.FRIDAY, DayType.SATURDAY,
                                  DayType.SUNDAY)
COMPONENTS = ("residents", "out_commuters_away", "in_commuters_at_work", "other_trips_in",
              "other_trips_away", "day_visitors", "overnight_visitors")
# RODS purposes of non-commute trips by Londoners (tourist and hotel trips are the visitors').
OTHER_PURPOSES = ("Shop", "Education", "Other")

# The TfL counting day starts at 05:00 (clock quarter-hour 20): cumulative arrivals and
# departures are summed from there so the overnight lull separates one day from the next.
DAY_START_QHR = 20
# RODS 2017 time bands in clock quarter-hours (late wraps past midnight to 05:00).
RODS_BAND_QHRS = {
    "early": range(20, 28), "am_peak": range(28, 40), "midday": range(40, 64),
    "pm_peak": range(64, 76), "evening": range(76, 88),
    "late": list(range(88, 96)) + list(range(0, 20)),
}
BASELINE_TFL_YEAR = 2019
# The model's night: 03:00-04:00, the quietest hour of the TfL counts (commuters home, the
# Night Tube's few trips done), used for the modelled night-time population.
NIGHT_HOUR = 3


@dataclass(frozen=True)
class PopulationAssumptions:
    """Every modelling choice of ``population_present`` with its basis."""

    # TfL Annual Counts year that sets the timing (2017-2021; 2020/2021 are COVID years).
    tfl_year: int = BASELINE_TFL_YEAR
    # Pandemic scenario: time by the 2020 counts (unless tfl_year is already 2020/2021) and
    # scale commuter/visitor volumes by station exits relative to 2019.
    pandemic: bool = False
    # Share of Mon-Thu commuters who travel to work on each other day type. Basis: NUMBAT 2019
    # Underground AM-peak (07-10) trips relative to Mon-Thu: Friday 1.12M/1.25M = 0.90,
    # Saturday 0.36M/1.25M = 0.29, Sunday 0.24M/1.25M = 0.19 (an upper bound: weekend
    # mornings include leisure trips).
    friday_working_share: float = 0.90
    saturday_working_share: float = 0.29
    sunday_working_share: float = 0.19
    # Grow 2011 census commuting flows with the residence borough's population (ONS mid-2019
    # / 2011 census residents): employment grew roughly with population over 2011-2019.
    scale_commuting_to_2019: bool = True
    include_visitors: bool = True
    # Move Londoners making non-commute Tube trips (shopping, education, other: RODS 2017)
    # into the boroughs they travel to, taken from all boroughs pro rata to residents.
    include_other_trips: bool = True
    # Seed report (RSA/Met "Safer Together", 2015): ~340,000 overnight visitors on a typical
    # weeknight and ~1 million day visitors on a weekday, London-wide.
    overnight_visitors: float = 340_000.0
    day_visitors_weekday: float = 1_000_000.0
    # Average stay of a day visitor, from arrival (timed by RODS 2017 tourist-destination
    # exits). Assumption: the GB Day Visits Survey counts leisure day visits of 3 hours or
    # more; a London day trip typically fills a working day, so 6 hours.
    day_visit_hours: float = 6.0
    # A borough needs at least this many RODS commuter journeys a day (Home to Work exits and
    # Work to Home entries, each) to use its own timing; below it, pooled neighbours, else
    # London. 2,000 is a few Tube stations' worth: enough for a stable band profile.
    min_commute_journeys: float = 2_000.0

    def __post_init__(self) -> None:
        if not 2017 <= self.tfl_year <= 2021:
            raise InputError(f"tfl_year must be 2017-2021 (TfL counts in the pack), got {self.tfl_year}")
        for name in ("friday_working_share", "saturday_working_share", "sunday_working_share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise InputError(f"{name} must be between 0 and 1, got {getattr(self, name)}")
        for name in ("overnight_visitors", "day_visitors_weekday", "min_commute_journeys"):
            if getattr(self, name) < 0:
                raise InputError(f"{name} must not be negative, got {getattr(self, name)}")
        if not 0.25 <= self.day_visit_hours <= 20:
            raise InputError(f"day_visit_hours must be 0.25-20, got {self.day_visit_hours}")

    def working_share(self, day_type: DayType) -> float:
        """Share of Mon-Thu commuters at work on this day type (1.0 for Mon-Thu)."""
        return {DayType.WEEKDAY: 1.0, DayType.FRIDAY: self.friday_working_share,
                DayType.SATURDAY: self.saturday_working_share,
                DayType.SUNDAY: self.sunday_working_share}[DayType(day_type)]

    @property
    def effective_tfl_year(self) -> int:
        if self.pandemic and self.tfl_year < 2020:
            return 2020
        return self.tfl_year


@dataclass(frozen=True)
class PopulationPresent:
    gss_codes: tuple[str, ...]
    names: tuple[str, ...]
    day_types: tuple[DayType, ...]
    quarter_hourly: np.ndarray
    components: dict[str, np.ndarray]
    basis: tuple[str, ...]

    def hourly(self) -> np.ndarray:
        """Mean of each clock hour's four quarter-hours: (n_boroughs, n_day_types, 24)."""
        n, d, _ = self.quarter_hourly.shape
        return self.quarter_hourly.reshape(n, d, 24, 4).mean(axis=3)

    def at(self, day_type: DayType, hour: int) -> pd.DataFrame:
        """Per borough at a clock hour: gss_code, name, total and each component (hour means)."""
        if not 0 <= int(hour) < 24:
            raise InputError(f"hour must be 0..23, got {hour}")
        d = self.day_types.index(DayType(day_type))
        sl = slice(int(hour) * 4, int(hour) * 4 + 4)
        frame = pd.DataFrame({"gss_code": list(self.gss_codes), "name": list(self.names),
                              "total": self.quarter_hourly[:, d, sl].mean(axis=1)})
        for name, values in self.components.items():
            frame[name] = values[:, d, sl].mean(axis=1)
        return frame

    def day_night_ratios(self, day_type: DayType = DayType.WEEKDAY, *,
                         night_hour: int = NIGHT_HOUR) -> pd.DataFrame:
        """Daytime swell per borough against both night-time bases.

        Why two: the GLA and the seed report compare the daytime population with the
        *usual resident* population ("more than quadrupling compared to the night-time
        (resident) population"), the definition the 3.5x check uses; the model's own night
        (``night_hour``, default 03:00-04:00) also holds overnight visitors, so its ratio is
        lower. Midday is the mean over TfL's RODS midday band, 10:00-16:00.

        Columns: gss_code, name, midday_present, residents, night_present,
        midday_to_residents, midday_to_night_present.
        """
        if not 0 <= int(night_hour) < 24:
            raise InputError(f"night_hour must be 0..23, got {night_hour}")
        d = self.day_types.index(DayType(day_type))
        midday = self.quarter_hourly[:, d, list(RODS_BAND_QHRS["midday"])].mean(axis=1)
        night = self.quarter_hourly[:, d, int(night_hour) * 4:int(night_hour) * 4 + 4].mean(axis=1)
        residents = self.components["residents"][:, d, 0]
        return pd.DataFrame({
            "gss_code": list(self.gss_codes), "name": list(self.names),
            "midday_present": midday, "residents": residents, "night_present": night,
            "midday_to_residents": midday / residents,
            "midday_to_night_present": midday / night})


# --- TfL timing ---------------------------------------------------------------------------

def _station_arrays(pack, year: int, codes: list[str], nlcs: set[int] | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Exits and entries per borough, day type and clock quarter-hour: (n, 4, 96) each.

    2017 has no Friday (its weekday is Mon-Fri): Friday then uses the weekday counts.
    """
    counts = pack.table("station_counts_qhr")
    sub = counts[counts["year"] == year]
    if nlcs is not None:
        sub = sub[sub["nlc"].isin(nlcs)]
    if sub.empty:
        raise InputError(f"no TfL station counts for year {year}",
                         hint="choose a year 2017-2021")
    stations = pack.table("stations")
    index = {c: i for i, c in enumerate(codes)}
    borough_of = pd.Series(stations["gss_code"].map(index).to_numpy(dtype=float),
                           index=stations["nlc"].to_numpy())
    b = borough_of.reindex(sub["nlc"].to_numpy()).to_numpy()
    # factorize, then map the few distinct labels: mapping 300k strings one by one is slow
    day_codes, day_labels = pd.factorize(sub["day_type"])
    day_index = np.array([[day.value for day in DAY_TYPES].index(str(v)) for v in day_labels])
    d = day_index[day_codes].astype(float)
    q = sub["qhr"].to_numpy().astype(np.intp)
    dir_codes, dir_labels = pd.factorize(sub["direction"])
    exit_mask = (np.asarray(dir_labels, dtype=object) == "exit")[dir_codes]
    values = sub["count"].to_numpy().astype(np.float64)
    placed = ~np.isnan(b)
    arrays = {}
    for direction, mask in (("exit", exit_mask), ("entry", ~exit_mask)):
        keep = placed & mask
        flat = (b[keep].astype(np.intp) * 4 + d[keep].astype(np.intp)) * 96 + q[keep]
        arrays[direction] = np.bincount(flat, weights=values[keep],
                                        minlength=len(codes) * 4 * 96).reshape(len(codes), 4, 96)
    for arr in arrays.values():
        missing_friday = arr[:, 1].sum() == 0
        if missing_friday:
            arr[:, 1] = arr[:, 0]
    return arrays["exit"], arrays["entry"]


def _rods_bands(pack, codes: list[str], purpose: str, direction: str) -> np.ndarray:
    """RODS 2017 weekday journeys (n_boroughs, 6 bands) for one purpose and direction."""
    table = pack.table("tube_journey_purpose")
    rows = table[(table["purpose"] == purpose) & (table["direction"] == direction)]
    # index arithmetic instead of pivot_table: this runs a dozen times per model call
    b = pd.Index(codes).get_indexer(rows["gss_code"])
    t = pd.Index(list(RODS_BAND_QHRS)).get_indexer(rows["time_band"])
    keep = (b >= 0) & (t >= 0)
    out = np.zeros((len(codes), len(RODS_BAND_QHRS)))
    np.add.at(out, (b[keep], t[keep]), rows["journeys"].to_numpy(dtype=float)[keep])
    return out


def _band_of_qhr() -> np.ndarray:
    out = np.zeros(QUARTER_HOURS_PER_DAY, dtype=int)
    for i, qhrs in enumerate(RODS_BAND_QHRS.values()):
        out[list(qhrs)] = i
    return out


_BAND = _band_of_qhr()
_DAY_ORDER = np.roll(np.arange(QUARTER_HOURS_PER_DAY), -DAY_START_QHR)  # 20, 21, ..., 19


def _density(rods_band: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Quarter-hour density (4, 96) summing to 1 per day type.

    Band weights are RODS weekday journeys, reweighted per day type by the counts' ratio of
    that band's volume on the day type to the weekday; within a band the counts' quarter-hour
    shape distributes them.
    """
    band_totals = np.zeros((4, len(RODS_BAND_QHRS)))
    for i in range(len(RODS_BAND_QHRS)):
        band_totals[:, i] = counts[:, _BAND == i].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(band_totals[0] > 0, band_totals / band_totals[0], 1.0)
        weights = rods_band[None, :] * ratio
        weights = weights / weights.sum(axis=1, keepdims=True)
        shape = np.where(band_totals[:, _BAND] > 0, counts / band_totals[:, _BAND],
                         1.0 / np.bincount(_BAND)[_BAND])
    return np.nan_to_num(weights[:, _BAND] * shape)


def _presence(arrive: np.ndarray, leave: np.ndarray) -> np.ndarray:
    """Share present (4, 96): arrived minus left since the 05:00 day start, clipped to 0..1."""
    a = np.cumsum(arrive[:, _DAY_ORDER], axis=1)
    d = np.cumsum(leave[:, _DAY_ORDER], axis=1)
    present = np.clip(a - d, 0.0, 1.0)
    out = np.empty_like(present)
    out[:, _DAY_ORDER] = present
    return out


def _neighbours(pack, codes: list[str]) -> dict[str, list[str]]:
    boroughs = pack.table("boroughs").set_index("gss_code").reindex(codes)
    geoms = boroughs.geometry.to_numpy()
    # shared edges; within 50 m absorbs boundary noise (a tree query, not 33 buffers)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=50.0)
    out: dict[str, list[str]] = {code: [] for code in codes}
    for i, j in sorted(zip(left.tolist(), right.tolist())):
        if i != j:
            out[codes[i]].append(codes[j])
    return out


@dataclass(frozen=True)
class _Timing:
    work_presence: np.ndarray      # (n, 4, 96) share of a borough's in-commuters at work
    london_presence: np.ndarray    # (4, 96) London-wide, for workplaces outside London
    visitor_presence: np.ndarray   # (4, 96) share of day visitors present, London-wide
    borrowed: dict                 # gss_code -> "neighbours" | "London"
    exits: np.ndarray              # (n, 4, 96) station exits of the timing year
    entries: np.ndarray            # (n, 4, 96) station entries of the timing year


def _timing(pack, codes: list[str], year: int, min_journeys: float, dwell_qhr: int) -> _Timing:
    exits, entries = _station_arrays(pack, year, codes)
    h2w = _rods_bands(pack, codes, "Home to Work", "exit")
    w2h = _rods_bands(pack, codes, "Work to Home", "entry")
    neighbours = _neighbours(pack, codes)
    enough = (h2w.sum(axis=1) >= min_journeys) & (w2h.sum(axis=1) >= min_journeys)
    london_arrive = _density(h2w.sum(axis=0), exits.sum(axis=0))
    london_leave = _density(w2h.sum(axis=0), entries.sum(axis=0))
    london_presence = _presence(london_arrive, london_leave)
    presence = np.empty((len(codes), 4, QUARTER_HOURS_PER_DAY))
    borrowed = {}
    for i, code in enumerate(codes):
        pool = [i]
        if not enough[i]:
            pool = [codes.index(c) for c in neighbours[code]]
            pooled_ok = (h2w[pool].sum() >= min_journeys) and (w2h[pool].sum() >= min_journeys)
            borrowed[code] = "neighbours" if pooled_ok else "London"
            if not pooled_ok:
                presence[i] = london_presence
                continue
        arrive = _density(h2w[pool].sum(axis=0), exits[pool].sum(axis=0))
        leave = _density(w2h[pool].sum(axis=0), entries[pool].sum(axis=0))
        presence[i] = _presence(arrive, leave)
    tourist_in = _rods_bands(pack, codes, "Destination: Tourist", "exit").sum(axis=0)
    arrive = _density(tourist_in, exits.sum(axis=0))
    # Each day visitor stays dwell_qhr quarter-hours after arriving (a fixed dwell: RODS
    # "Origin: Tourist" entries are mostly hops between sights, not departures from London).
    in_day_order = arrive[:, _DAY_ORDER]
    leave = np.zeros_like(in_day_order)
    leave[:, dwell_qhr:] = in_day_order[:, :-dwell_qhr]
    leave_clock = np.empty_like(leave)
    leave_clock[:, _DAY_ORDER] = leave
    visitor_presence = _presence(arrive, leave_clock)
    return _Timing(presence, london_presence, visitor_presence, borrowed, exits, entries)


def _volume_factor(pack, codes: list[str], year: int) -> tuple[np.ndarray, np.ndarray]:
    """Station exits in ``year`` relative to 2019 per borough and day type (n, 4), and London
    (4,); boroughs without stations take London's ratio."""
    if year == BASELINE_TFL_YEAR:
        return np.ones((len(codes), 4)), np.ones(4)
    # Like for like: only stations counted in both years (2021 adds the trams).
    counts = pack.table("station_counts_qhr")
    years, nlc = counts["year"].to_numpy(), counts["nlc"].to_numpy()
    both = set(np.intersect1d(np.unique(nlc[years == year]),
                              np.unique(nlc[years == BASELINE_TFL_YEAR])).tolist())
    now, _ = _station_arrays(pack, year, codes, both)
    base, _ = _station_arrays(pack, BASELINE_TFL_YEAR, codes, both)
    now_t, base_t = now.sum(axis=2), base.sum(axis=2)
    london = now_t.sum(axis=0) / base_t.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(base_t > 0, now_t / base_t, london[None, :])
    return ratio, london


def _other_trips_present(pack, codes: list[str], timing: _Timing) -> np.ndarray:
    """People in each borough on a non-commute Tube trip (shopping, education, other): (n, 4, 96).

    Arrivals are RODS 2017 exits with that destination purpose, departures RODS entries with
    that origin purpose (scaled to the same daily total, so nobody is left behind at night),
    spread over quarter-hours and day types like the commuters' and scaled per day type by the
    borough's station exits relative to Mon-Thu. Tube-only: a lower bound.
    """
    arrive = sum(_rods_bands(pack, codes, f"Destination: {p}", "exit") for p in OTHER_PURPOSES)
    leave = sum(_rods_bands(pack, codes, f"Origin: {p}", "entry") for p in OTHER_PURPOSES)
    out = np.zeros((len(codes), 4, QUARTER_HOURS_PER_DAY))
    day_exits = timing.exits.sum(axis=2)                                   # (n, 4)
    for i in range(len(codes)):
        total = arrive[i].sum()
        if total <= 0 or leave[i].sum() <= 0 or day_exits[i, 0] <= 0:
            continue
        share = _presence(_density(arrive[i], timing.exits[i]),
                          _density(leave[i], timing.entries[i]))          # (4, 96), 0..1
        out[i] = total * (day_exits[i] / day_exits[i, 0])[:, None] * share
    return out


# --- the model ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CommutersAtWork:
    """Commuter flows and the share of each workplace's commuters at work.

    ``flows[r, w]`` workers living in r (33 boroughs then EW_OUTSIDE_LONDON) and working in
    w (same order), diagonal zero; ``at_work[w, d, q]`` the share of w's commuters at work on
    day type d at clock quarter-hour q (working share and pandemic volume included).
    """

    codes: tuple[str, ...]
    flows: np.ndarray
    at_work: np.ndarray
    timing: _Timing
    volume_factor: np.ndarray
    london_volume_factor: np.ndarray

    def flow_at(self, day_type: DayType, qhr: int) -> np.ndarray:
        """Commuters from r at work in w at that moment: (n+1, n+1)."""
        d = DAY_TYPES.index(DayType(day_type))
        return self.flows * self.at_work[:, d, int(qhr)][None, :]


def commuters_at_work(pack, *, assumptions: PopulationAssumptions | None = None
                      ) -> CommutersAtWork:
    """Census flows (optionally grown to 2019) timed by TfL counts: the commuter half of
    ``population_present``, also used for the flow map."""
    a = assumptions or PopulationAssumptions()
    year = a.effective_tfl_year
    codes = sorted(pack.table("boroughs")["gss_code"].astype(str))
    population = pack.table("population").set_index("gss_code").reindex(codes)
    residents = population["residents_mid2019"].to_numpy(dtype=float)
    matrix = commuting_matrix(pack)
    flows = matrix.loc[codes + [EW_OUTSIDE_LONDON], codes + [EW_OUTSIDE_LONDON]].to_numpy(float).copy()
    np.fill_diagonal(flows, 0.0)   # living and working in the same borough: no move
    if a.scale_commuting_to_2019:
        growth = residents / population["residents_2011"].to_numpy(dtype=float)
        london_growth = residents.sum() / population["residents_2011"].sum()
        flows *= np.append(growth, london_growth)[:, None]
    timing = _timing(pack, codes, year, a.min_commute_journeys,
                     max(1, round(a.day_visit_hours * 4)))
    factor, london_factor = _volume_factor(pack, codes, year)
    share = np.array([a.working_share(d) for d in DAY_TYPES])            # (4,)
    # presence at each workplace column (33 boroughs + outside London): (n+1, 4, 96)
    work_presence = np.concatenate([timing.work_presence, timing.london_presence[None]], axis=0)
    work_factor = np.concatenate([factor, london_factor[None]], axis=0)  # (n+1, 4)
    at_work = work_presence * (work_factor * share[None, :])[:, :, None]
    return CommutersAtWork(tuple(codes), flows, at_work, timing, factor, london_factor)



def population_present(pack, *, assumptions: PopulationAssumptions | None = None
                       ) -> PopulationPresent:
    """People present per borough, day type and clock quarter-hour (see module docstring)."""
    a = assumptions or PopulationAssumptions()
    year = a.effective_tfl_year
    boroughs = pack.table("boroughs")
    codes = sorted(boroughs["gss_code"].astype(str))
    names_by_code = dict(zip(boroughs["gss_code"], boroughs["name"]))
    population = pack.table("population").set_index("gss_code").reindex(codes)
    residents = population["residents_mid2019"].to_numpy(dtype=float)

    commuters = commuters_at_work(pack, assumptions=a)
    flows, at_work, timing = commuters.flows, commuters.at_work, commuters.timing
    london_factor = commuters.london_volume_factor

    n = len(codes)
    # in-commuters at work in borough j: sum_r flows[r, j] * at_work[j]
    in_commuters = flows[:, :n].sum(axis=0)[:, None, None] * at_work[:n]
    # out-commuters of borough r away: sum_w flows[r, w] * at_work[w]
    out_away = -np.einsum("rw,wdq->rdq", flows[:n], at_work)

    components = {
        "residents": np.broadcast_to(residents[:, None, None], (n, 4, 96)).copy(),
        "out_commuters_away": out_away,
        "in_commuters_at_work": in_commuters,
        "other_trips_in": np.zeros((n, 4, 96)),
        "other_trips_away": np.zeros((n, 4, 96)),
        "day_visitors": np.zeros((n, 4, 96)),
        "overnight_visitors": np.zeros((n, 4, 96)),
    }
    basis = [
        "Residents: ONS mid-2019 population estimates (population table).",
        "Commuters: 2011 Census WU01EW residence -> workplace (census_commuting); moves between "
        "boroughs and to/from the rest of England & Wales; home workers, no-fixed-place and "
        "non-E&W workplaces stay home"
        + ("; flows grown by residence borough population mid-2019/2011." if
           a.scale_commuting_to_2019 else " (2011 volumes)."),
        f"Timing: TfL Annual Station Counts {year} exits/entries by quarter-hour and day type, "
        "band weights from RODS 2017 Home to Work exits / Work to Home entries per borough.",
        "Working share by day type: " + ", ".join(f"{d.value} {a.working_share(d):.2f}"
                                                  for d in DAY_TYPES)
        + " (NUMBAT 2019 AM-peak trips relative to Mon-Thu).",
    ]
    for code, source in sorted(timing.borrowed.items(), key=lambda kv: names_by_code[kv[0]]):
        basis.append(f"{names_by_code[code]}: too few Underground commuter journeys; timing "
                     f"borrowed from {'its neighbours' if source == 'neighbours' else 'London'}.")
    if year != BASELINE_TFL_YEAR:
        basis.append(f"Volumes: commuters and visitors scaled by station exits {year} / 2019 "
                     f"(London weekday {london_factor[0]:.2f}).")

    if a.include_other_trips:
        other = _other_trips_present(pack, codes, timing) * commuters.volume_factor[:, :, None]
        components["other_trips_in"] = other
        components["other_trips_away"] = (-other.sum(axis=0)[None]
                                           * (residents / residents.sum())[:, None, None])
        basis.append("Other trips: Londoners on non-commute Tube trips (RODS 2017 shop, "
                     "education, other purposes) are counted where they go and taken from all "
                     "boroughs pro rata to residents; Tube only, so a lower bound.")

    if a.include_visitors:
        tourist_exits = _rods_bands(pack, codes, "Destination: Tourist", "exit").sum(axis=1)
        hotel_starts = _rods_bands(pack, codes, "Origin: Hotel", "entry").sum(axis=1)
        day_key = tourist_exits / tourist_exits.sum()
        night_key = hotel_starts / hotel_starts.sum()
        exits = timing.exits
        midday = exits[:, :, 40:64].sum(axis=(0, 2))
        day_ratio = midday / midday[0]        # weekend/Friday day visitors vs weekday
        p = timing.visitor_presence            # (4, 96)
        day_total = a.day_visitors_weekday * day_ratio * london_factor    # (4,)
        components["day_visitors"] = (day_key[:, None, None] * day_total[None, :, None]
                                      * p[None])
        night_total = a.overnight_visitors * london_factor                 # (4,)
        components["overnight_visitors"] = night_total[None, :, None] * (
            night_key[:, None, None] * (1.0 - p[None]) + day_key[:, None, None] * p[None])
        basis.append(
            f"Visitors (seed report): {a.overnight_visitors:,.0f} overnight, "
            f"{a.day_visitors_weekday:,.0f} day visitors on a weekday (other days by midday "
            "station exits); day visitors spread by RODS 2017 tourist-purpose exits per borough "
            f"arriving with tourist journeys and staying {a.day_visit_hours:g} h; overnight visitors sleep where RODS hotel-origin "
            "trips start and join the day visitors while out.")
    else:
        basis.append("Visitors: excluded.")

    total = sum(components.values())
    return PopulationPresent(
        gss_codes=tuple(codes), names=tuple(str(names_by_code[c]) for c in codes),
        day_types=DAY_TYPES, quarter_hourly=total, components=components, basis=tuple(basis))
