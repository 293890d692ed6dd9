"""Benchmark: the population-present cube (33 boroughs x 4 day types x 96 quarter-hours) and
the commuter flow lines, on the shipped pack. Target: the cube well under a second.

Run: .venv/bin/python benchmarks/bench_population.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workstation.datapack import load_pack  # noqa: E402
from workstation.flows.flowlines import flow_lines  # noqa: E402
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
    cases = {
        "population_present (2019)": lambda: population_present(pack),
        "population_present (pandemic)": lambda: population_present(
            pack, assumptions=PopulationAssumptions(pandemic=True)),
        "flow_lines, one hour, timing reused": lambda: flow_lines(
            pack, hour=9, borough="E09000033", commuters=commuters),
    }
    for name, fn in cases.items():
        print(f"{name:40s} {_best(fn, args.repeat) * 1000:8.1f} ms (best of {args.repeat})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
