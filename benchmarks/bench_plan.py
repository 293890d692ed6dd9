"""Benchmark: the deployment engine (issue 6, "Performance").

Run: .venv/bin/python benchmarks/bench_plan.py [--repeat 5] [--profile] [--skip-msoa]
     [--msoa-lending-minutes 3 ...]

a. ``recommend()`` on the shipped pack: 32 boroughs x 3 day types x 24 hours with lending,
   median wall time of ``--repeat`` runs after one warm-up, and the same pipeline stage by
   stage through the public functions. Target: the whole plan <= 1 s.
b. The same with the Met's 12 BCUs as planning units.
c. A finer instance: the 983 London MSOAs (2011). Centroids are the centres of the census
   metadata's bounding boxes; each borough's demand (``demand_for`` on borough units) is
   shared among its MSOAs in proportion to MSOA workday population (2011 WU01EW flows:
   workers whose workplace is in the MSOA plus those working mainly at home there). The
   City of London's one MSOA keeps the City's own demand; its police force is not the Met,
   which is why the borough plan leaves it out, but it is a London MSOA and belongs in the
   finer instance. Officers needed come from ``erlang.officers_needed`` (waiting time =
   standard - mean travel to scene), static strength is the London total split by weekly
   need, the travel graph joins Delaunay neighbours at the blue-light speed with shortest
   paths by ``scipy.sparse.csgraph``, and ``allocate.allocate_day`` is timed per day type.
   The lending limit defaults to 3 minutes here: at the scenario's 20 minutes the LP has
   0.6M variables and does not solve in minutes (its size is still printed).
   It reads /work/shared/data (benchmarks may; the app never does).
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import io
import os
import platform
import pstats
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workstation.deploy import recommend  # noqa: E402
from workstation.deploy.allocate import allocate_day  # noqa: E402
from workstation.deploy.demand import DAYS_PER_WEEK  # noqa: E402
from workstation.deploy.erlang import officers_needed  # noqa: E402
from workstation.deploy.recommend import (_largest_remainder, _patrol_units,  # noqa: E402
                                          demand_for, plan_from_parts, requirement,
                                          static_strength)
from workstation.deploy.scenario import DeploymentScenario  # noqa: E402
from workstation.deploy.units import planning_units  # noqa: E402
from workstation.datapack import load_pack  # noqa: E402
from workstation.flows.population import PopulationAssumptions, population_present  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "census"
MSOA_METADATA = SHARED / "onsvisual_msoa11_metadata.csv"
MSOA_FLOWS = SHARED / "onsvisual_wu01ew_msoa11_flows.csv.gz"
HOME_WORKERS = "OD0000001"     # WU01EW pseudo-destination: mainly work at or from home
TARGET_S = 1.0


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def median_time(fn, repeat: int) -> float:
    fn()                                   # warm-up (pack tables, imports)
    return statistics.median(timed(fn)[0] for _ in range(repeat))


def machine() -> str:
    import numpy
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}, numpy {numpy.__version__}, "
            f"scipy {scipy.__version__}, pandas {pd.__version__}; load average "
            + " ".join(f"{x:.1f}" for x in os.getloadavg()))


# --- a, b: the shipped plan -------------------------------------------------------------
def stages(pack, scenario: DeploymentScenario) -> dict[str, float]:
    """One pass of recommend()'s pipeline, stage by stage, through the public functions."""
    out = {}
    out["planning_units"], units = timed(lambda: planning_units(
        pack, kind=scenario.units, speed_kmh=scenario.blue_light_speed_kmh))
    out["population_present"], population = timed(lambda: population_present(
        pack, assumptions=PopulationAssumptions(tfl_year=scenario.tfl_year,
                                                include_visitors=scenario.include_visitors)))
    out["demand_for"], demand = timed(lambda: demand_for(
        pack, scenario, units, all_day_types=True, population=population))
    out["requirement (Erlang C)"], need = timed(lambda: requirement(
        demand, scenario, patrol_units=_patrol_units(units, None)))
    out["static_strength"], (static, _) = timed(lambda: static_strength(
        units, need.required, scenario))
    for day in scenario.day_types:
        out[f"allocation {day.value}"], _ = timed(lambda: plan_from_parts(
            units, demand, need, static, scenario.with_changes(day_types=(day,))))
    return out


def bench_plan(pack, units_kind: str, repeat: int) -> tuple[float, float, dict[str, float], object]:
    """recommend() cold (it builds population present) and as the app calls it (passing
    its session's population present), then the stages."""
    scenario = DeploymentScenario(units=units_kind)
    total = median_time(lambda: recommend(pack, scenario), repeat)
    population = population_present(pack, assumptions=PopulationAssumptions(
        tfl_year=scenario.tfl_year, include_visitors=scenario.include_visitors))
    warm = median_time(lambda: recommend(pack, scenario, population=population), repeat)
    runs = [stages(pack, scenario) for _ in range(repeat)]
    breakdown = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    plan = recommend(pack, scenario)
    return total, warm, breakdown, plan


def print_plan(title: str, total: float, warm: float, breakdown: dict[str, float], plan,
               repeat: int) -> None:
    units = plan.plan["unit_code"].nunique()
    print(f"\n{title}: {units} units x {len(plan.scenario.day_types)} day types x 24 h, "
          f"{plan.totals['lending_moves']} lending moves")
    print(f"  {'stage':32s} {'ms (median of ' + str(repeat) + ')':>20s}")
    for name, seconds in breakdown.items():
        print(f"  {name:32s} {seconds * 1000:20.1f}")
    rest = total - sum(breakdown.values())
    print(f"  {'tables, impact, calibration':32s} {rest * 1000:20.1f}  (recommend() - stages)")
    for name, seconds in (("recommend() total", total),
                          ("recommend(population=given)", warm)):
        verdict = "meets" if seconds <= TARGET_S else "MISSES"
        print(f"  {name:32s} {seconds * 1000:20.1f}  {verdict} target <= {TARGET_S:g} s")


# --- c: 983 MSOAs -----------------------------------------------------------------------
def london_msoas() -> pd.DataFrame:
    """London MSOAs (parent LAD E09*) with bounding-box centres in EPSG:27700."""
    from pyproj import Transformer
    meta = pd.read_csv(MSOA_METADATA)
    meta = meta[meta["parentcd"].str.startswith("E09")].sort_values("areacd").reset_index(drop=True)
    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    x, y = to_bng.transform(((meta["xmin"] + meta["xmax"]) / 2).to_numpy(),
                            ((meta["ymin"] + meta["ymax"]) / 2).to_numpy())
    meta["x_m"], meta["y_m"] = x, y
    return meta


def msoa_workday(codes: pd.Series) -> np.ndarray:
    """Workday population per MSOA: in-workers by workplace plus home workers."""
    with gzip.open(MSOA_FLOWS, "rt") as handle:
        flows = pd.read_csv(handle, dtype={"from": str, "to": str, "value": np.int64})
    at_work = flows.groupby("to")["value"].sum()
    home = flows[flows["to"] == HOME_WORKERS].set_index("from")["value"]
    return (at_work.reindex(codes).fillna(0) + home.reindex(codes).fillna(0)).to_numpy(float)


def msoa_travel_minutes(x_m: np.ndarray, y_m: np.ndarray, speed_kmh: float
                        ) -> tuple[np.ndarray, int]:
    """All-pairs quickest minutes over Delaunay edges (centroid distance at speed_kmh)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import shortest_path
    from scipy.spatial import Delaunay
    xy = np.column_stack([x_m, y_m])
    tri = Delaunay(xy)
    edges = set()
    for a, b, c in tri.simplices:
        edges.update({(min(a, b), max(a, b)), (min(b, c), max(b, c)), (min(a, c), max(a, c))})
    i, j = np.array(sorted(edges)).T
    minutes = np.hypot(*(xy[i] - xy[j]).T) / (speed_kmh * 1000 / 60)
    graph = coo_matrix((minutes, (i, j)), shape=(len(xy), len(xy))).tocsr()
    return shortest_path(graph, method="D", directed=False), len(edges)


def lp_size(travel: np.ndarray, lending_minutes: float, n_shifts: int) -> dict[str, int]:
    """Size of allocate_day's LP: own, lend per pair and shift, shortfall and buffer per
    hour; rows for shortfall and buffer per hour, the lending floor per lender and shift,
    and the roster per unit (equality)."""
    n = len(travel)
    allowed = (travel <= lending_minutes) & ~np.eye(n, dtype=bool)
    pairs = int(allowed.sum())
    lenders = int(allowed.any(axis=1).sum())
    return {"pairs": pairs,
            "lp_variables": n * n_shifts + pairs * n_shifts + 2 * n * 24,
            "lp_constraints": 2 * n * 24 + lenders * n_shifts + n,
            "lp_nonzeros": 2 * 24 * (2 * n + 2 * pairs) + n_shifts * (pairs + lenders)
                           + n * n_shifts}


def bench_msoa(pack, repeat: int, lending_minutes: float, profile: bool) -> dict:
    scenario = DeploymentScenario(max_lending_minutes=lending_minutes)
    out: dict = {}
    t0 = time.perf_counter()
    msoas = london_msoas()
    workday = msoa_workday(msoas["areacd"])
    out["read census (metadata + 2.4M flows)"] = time.perf_counter() - t0

    # borough demand; the City joins as a 33rd borough so its MSOA has demand of its own
    units = planning_units(pack, speed_kmh=scenario.blue_light_speed_kmh)
    parents = tuple(sorted(msoas["parentcd"].unique()))
    from dataclasses import replace
    all_boroughs = replace(units, codes=parents, names=parents,
                           members={c: (c,) for c in parents})
    out["demand_for (33 boroughs)"], demand = timed(lambda: demand_for(
        pack, scenario, all_boroughs, all_day_types=True))
    parent_index = np.array([demand.unit_codes.index(c) for c in msoas["parentcd"]])
    borough_workday = np.bincount(parent_index, weights=workday, minlength=len(parents))
    share = workday / borough_workday[parent_index]
    rate_all = demand.attended_per_hour[parent_index] * share[:, None, None]
    rate_i = demand.immediate_per_hour[parent_index] * share[:, None, None]
    harm = demand.harm_per_hour[parent_index] * share[:, None, None]
    service = demand.officer_hours_per_incident[parent_index]

    def need_for():
        queue = np.zeros(rate_all.shape, dtype=np.int64)
        buffer = np.zeros_like(queue)
        for standard in scenario.standards:
            rate = rate_i if standard.grade == "I" else rate_all
            wait = standard.standard_minutes - scenario.travel_minutes_to_scene
            stricter = standard.target_share + (1 - standard.target_share) / 2
            queue = np.maximum(queue, officers_needed(rate, service, wait, standard.target_share))
            buffer = np.maximum(buffer, officers_needed(rate, service, wait, stricter))
        required = np.ceil(queue / scenario.officer_availability - 1e-9).astype(np.int64)
        buffer = np.ceil(buffer / scenario.officer_availability - 1e-9).astype(np.int64)
        return required, np.maximum(buffer, required)

    need_for()
    out["officers_needed (983 x 4 x 24, I+S, target+buffer)"] = statistics.median(
        timed(need_for)[0] for _ in range(repeat))
    required, buffer = need_for()
    days = np.array([DAYS_PER_WEEK[d] for d in demand.day_types], dtype=float)
    weekly = (required.sum(axis=2) * days[None, :]).sum(axis=1)
    per_msoa = _largest_remainder(weekly.astype(float), scenario.officers_on_duty)
    static = np.repeat(per_msoa[:, None], len(scenario.shifts), axis=1)

    out["travel graph (Delaunay + csgraph)"], (travel, n_edges) = timed(
        lambda: msoa_travel_minutes(msoas["x_m"].to_numpy(), msoas["y_m"].to_numpy(),
                                    scenario.blue_light_speed_kmh))
    n = len(msoas)
    out.update(lp_size(travel, lending_minutes, len(scenario.shifts)))
    out["lp_size_at_scenario_limit"] = lp_size(travel, DeploymentScenario().max_lending_minutes,
                                               len(scenario.shifts))
    out["delaunay_edges"] = n_edges
    out["officers_required_mean"] = float(required.mean())
    out["msoas"] = n
    shift_hours = [s.hours for s in scenario.shifts]
    for day in scenario.day_types:
        d = demand.index(day)
        per_officer = harm[:, d] / np.maximum(required[:, d], 1)
        weight = per_officer / max(per_officer.mean(), 1e-12) + 1e-3

        def run(d=d, weight=weight):
            return allocate_day(required=required[:, d], required_buffer=buffer[:, d],
                                weight=weight, static=static, shift_hours=shift_hours,
                                travel_minutes=travel, max_lending_minutes=lending_minutes,
                                floor_share=scenario.floor_share)
        if profile and day.value == "weekday":
            profiler = cProfile.Profile()
            seconds, allocation = timed(lambda: profiler.runcall(run))
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(8)
            out["profile"] = text.getvalue()
        else:
            seconds, allocation = timed(run)
        out[f"allocate_day {day.value}"] = seconds
        out[f"moves {day.value}"] = int((allocation.lend > 0).sum())
        out["status"] = allocation.status
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--msoa-lending-minutes", type=float, nargs="+", default=[3.0],
                        help="lending limits for the MSOA instance (default 3: at the "
                             "scenario's 20 the LP does not solve in minutes, see the doc)")
    parser.add_argument("--skip-msoa", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile the MSOA weekday LP")
    args = parser.parse_args()
    print("machine:", machine())
    pack = load_pack()

    for title, kind in (("a. boroughs", "borough"), ("b. BCUs", "bcu")):
        total, warm, breakdown, plan = bench_plan(pack, kind, args.repeat)
        print_plan(title, total, warm, breakdown, plan, args.repeat)

    if args.skip_msoa:
        return 0
    for minutes in args.msoa_lending_minutes:
        result = bench_msoa(pack, args.repeat, minutes, args.profile)
        print(f"\nc. {result['msoas']} MSOAs x 3 day types x 24 h, lending within {minutes:g} min "
              f"({result['delaunay_edges']} Delaunay edges, {result['pairs']:,} allowed pairs)")
        print(f"  LP per day type: {result['lp_variables']:,} variables, "
              f"{result['lp_constraints']:,} constraints, {result['lp_nonzeros']:,} non-zeros "
              f"({result['status']}); "
              f"mean officers needed per MSOA-hour {result['officers_required_mean']:.2f}")
        for name, value in result.items():
            if isinstance(value, float) and name != "officers_required_mean":
                print(f"  {name:52s} {value * 1000:10.1f} ms")
            elif name.startswith("moves"):
                print(f"  {name:52s} {value:10d}")
        size = result["lp_size_at_scenario_limit"]
        print(f"  at the scenario's {DeploymentScenario().max_lending_minutes:g} min limit the LP "
              f"would have {size['pairs']:,} pairs, {size['lp_variables']:,} variables, "
              f"{size['lp_constraints']:,} constraints, {size['lp_nonzeros']:,} non-zeros")
        if "profile" in result:
            print(result["profile"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
