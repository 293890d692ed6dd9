"""Benchmark: the population-present cube (33 boroughs x 4 day types x 96 quarter-hours, a
superset of the issue's 33 x 3 x 24) and the map data, on the shipped pack. Target: the cube
well under a second. Speed lives here, not in tests (no timed tests).

Run: .venv/bin/python benchmarks/bench_population.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workstation.datapack import load_pack  # noqa: E402
from workstation.flows.flowlines import flow_lines, station_activity, tube_trip_lines  # noqa: E402
from workstation.flows.population import (PopulationAssumptions, commuters_at_work,  # noqa: E402
                                          population_present)


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


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
    for name, fn in cases.items():
        print(f"{name:40s} {_best(fn, args.repeat) * 1000:8.1f} ms (best of {args.repeat})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
