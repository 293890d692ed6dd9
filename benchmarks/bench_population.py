"""Benchmark: the population-present cube (33 boroughs x 4 day types x 96 quarter-hours, a
superset of the issue's 33 x 3 x 24) and the map data, on the shipped pack. Target: the cube
well under a second. Speed lives here, not in tests (no timed tests).

Run: .venv/bin/python benchmarks/bench_population.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workstation.datapack import load_pack  # noqa: E402
from workstation.flows.flowlines import flow_lines, station_activity, tube_trip_lines  # noqa: E402
from workstation.flows.population import (PopulationAssumptions, commuters_at_work,  # noqa: E402
                                          population_present)


def _best(fn, repeat: int) -> tuple[float, float]:
    """Best wall-clock and best CPU time (this process) of ``repeat`` runs. On a shared
    machine the wall time includes waiting for a core; the CPU time does not."""
    walls, cpus = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    return min(walls), min(cpus)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    pack = load_pack()
    population_present(pack)  # warm the pack's table cache (first read is I/O)
    commuters = commuters_at_work(pack)
    cube = population_present(pack)
    station_activity(pack, qhr=34)  # warm the station-count table
    cases = {
        "population_present (2019)": lambda: population_present(pack),
        "population_present (pandemic)": lambda: population_present(
            pack, assumptions=PopulationAssumptions(pandemic=True)),
        "hourly cube 33x4x24 + day/night ratios": lambda: (
            cube.hourly(), cube.day_night_ratios()),
        "commuters_at_work (timing for the map)": lambda: commuters_at_work(pack),
        "flow_lines, one hour, timing reused": lambda: flow_lines(
            pack, hour=9, borough="E09000033", commuters=commuters),
        "tube_trip_lines, one band": lambda: tube_trip_lines(pack, time_band="am_peak"),
        "station_activity, one quarter-hour": lambda: station_activity(pack, qhr=34),
    }
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name, fn in cases.items():
        wall_s, cpu_s = _best(fn, args.repeat)
        print(f"{name:40s} {wall_s * 1000:8.1f} ms wall, {cpu_s * 1000:8.1f} ms CPU "
              f"(best of {args.repeat})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
