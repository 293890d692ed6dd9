"""Benchmark: the deployment engine (issue 14: recommend() for boroughs <= 1 s; BCUs too).

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_plan.py [--repeat 5] [--profile]

a. ``recommend()`` on the shipped pack: 32 boroughs x 3 day types x 24 hours with lending,
   median wall time of ``--repeat`` runs after one warm-up, with and without a population
   already built (the app passes its session's), and the stages timed through the public
   functions (planning units, population, demand, queue tables, requirement, static
   strength, allocation per day type, assessment and tables).
b. The same with the Met's 12 BCUs as planning units.
The load average is printed: on these shared 2-CPU machines it changes timings 2-4x.
(The earlier MSOA instance measured the previous shortfall LP and is not kept: the queue-
and-travel model needs each unit's area and demand, which the pack has for boroughs only.)
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workstation.datapack import load_pack  # noqa: E402
from workstation.deploy import recommend  # noqa: E402
from workstation.deploy.allocate import officer_cap, plan_from_parts  # noqa: E402
from workstation.deploy.recommend import demand_for, plan_for  # noqa: E402
from workstation.deploy.requirement import ShareTables, requirement  # noqa: E402
from workstation.deploy.scenario import DeploymentScenario  # noqa: E402
from workstation.deploy.strength import static_strength  # noqa: E402
from workstation.deploy.units import planning_units  # noqa: E402
from workstation.flows.population import population_present  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def median_time(fn, repeat: int) -> float:
    fn()                                            # warm-up (imports, caches)
    return statistics.median(timed(fn)[0] for _ in range(repeat))


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.machine()}, {os.cpu_count()} CPUs, load {load:.1f}, Python "
            f"{platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}")


def stages(pack, scenario: DeploymentScenario, population) -> dict[str, float]:
    """Wall time of each stage of one plan, in ms."""
    out = {}
    t, units = timed(lambda: planning_units(pack, kind=scenario.units,
                                            speed_kmh=scenario.blue_light_speed_kmh))
    out["planning_units"] = t
    out["population_present"] = timed(lambda: population_present(pack))[0]
    t, demand = timed(lambda: demand_for(pack, scenario, units, all_day_types=True,
                                         population=population))
    out["demand_for (4 day types)"] = t
    t, (static, _) = timed(lambda: static_strength(units, demand, scenario))
    out["static_strength"] = t
    tables = ShareTables(demand, scenario, officers=int(officer_cap(static).max()))
    out["queue tables (I and S, all day types)"] = timed(
        lambda: [tables.table(s.grade) for s in scenario.standards])[0]
    t, need = timed(lambda: requirement(demand, scenario, patrol_units=np.ones(len(units.codes)),
                                        tables=tables))
    out["requirement"] = t
    for day in scenario.day_types:
        out[f"allocation {day.value}"] = timed(lambda: plan_from_parts(
            units, demand, need, static, scenario.with_changes(day_types=(day,)),
            tables=tables))[0]
    out["plan_for (requirement ... tables, all day types)"] = timed(
        lambda: plan_for(units, demand, scenario, tables=tables))[0]
    return {k: 1000 * v for k, v in out.items()}


def bench(pack, kind: str, repeat: int, population, profile: bool) -> None:
    scenario = DeploymentScenario(units=kind)
    full = median_time(lambda: recommend(pack, scenario), repeat)
    warm = median_time(lambda: recommend(pack, scenario, population=population), repeat)
    plan = recommend(pack, scenario, population=population)
    print(f"\n{kind}: recommend() {1000 * full:.0f} ms; recommend(population=...) "
          f"{1000 * warm:.0f} ms (median of {repeat}); {len(plan.lending)} lending moves; "
          f"solver: {plan.solver}")
    for name, ms in stages(pack, scenario, population).items():
        print(f"  {name:55s} {ms:8.1f} ms")
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        recommend(pack, scenario, population=population)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    print(machine())
    pack = load_pack()
    population = population_present(pack)
    for kind in ("borough", "bcu"):
        bench(pack, kind, args.repeat, population, args.profile)
    print(f"\nafter: {machine()}")


if __name__ == "__main__":
    main()
