"""Benchmark: police.uk import with borough assignment, 1M and 5M rows.

Run: .venv/bin/python benchmarks/bench_import.py [--rows 1000000 5000000] [--gzip] [--repeat 3]

The input is the real 2019-01..2024-08 Met burglary rows (338,055) repeated until the
target row count, written once to a temporary ``YYYY-MM-metropolitan-street.csv`` (plain
by default, gzipped with ``--gzip``). Each size is imported in a fresh child process so
its peak RSS (ru_maxrss) is the import's own. Timed: ``load_police_uk`` end to end (read,
reproject lon/lat -> BNG, assign boroughs, build the compact IncidentSet); the borough
locator is built before the clock starts and timed separately. Target: 1M rows <= 3 s.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO.parent / "shared" / "data" / "police_uk_burglary"

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {repo!r})
from workstation.datapack import load_pack
from workstation.loaders.locate import BoroughLocator
from workstation.loaders.police_uk import load_police_uk
t0 = time.perf_counter()
locator = BoroughLocator.from_pack(load_pack())
locator_s = time.perf_counter() - t0
times = []
for _ in range({repeat}):
    t0 = time.perf_counter()
    result = load_police_uk({path!r}, boroughs=locator)
    times.append(time.perf_counter() - t0)
    rows = result.rows_total
    frame_mb = result.frame.memory_usage(deep=True).sum() / 1e6
    del result
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"rows": rows, "best_s": min(times), "times_s": times, "locator_s": locator_s,
                  "peak_rss_mb": peak_mb, "frame_mb": frame_mb}}))
"""


def real_rows() -> tuple[str, list[str]]:
    header, rows = None, []
    for path in sorted(SOURCE.glob("*.csv.gz")):
        lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
        header = header or lines[0]
        rows.extend(lines[1:])
    return header, rows


def write_input(folder: Path, header: str, rows: list[str], target: int, gz: bool) -> Path:
    name = f"2019-01-metropolitan-street.csv{'.gz' if gz else ''}"
    path = folder / f"{target}" / name
    path.parent.mkdir()
    opener = gzip.open if gz else open
    with opener(path, "wt", encoding="utf-8", newline="\n") as out:
        out.write(header + "\n")
        written = 0
        while written < target:
            chunk = rows[: target - written]
            out.write("\n".join(chunk) + "\n")
            written += len(chunk)
    return path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--gzip", action="store_true", help="gzip the input like police.uk")
    args = parser.parse_args()
    header, rows = real_rows()
    print(f"real rows: {len(rows):,} from {SOURCE}")
    with tempfile.TemporaryDirectory() as tmp:
        for target in args.rows:
            path = write_input(Path(tmp), header, rows, target, args.gzip)
            size_mb = path.stat().st_size / 1e6
            code = CHILD.format(repo=str(REPO), path=str(path), repeat=args.repeat)
            started = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            if out.returncode != 0:
                print(out.stderr, file=sys.stderr)
                return 1
            result = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{target:>10,} rows ({size_mb:,.0f} MB{' gz' if args.gzip else ''}): "
                  f"best {result['best_s']:.2f} s of {args.repeat} "
                  f"({', '.join(f'{t:.2f}' for t in result['times_s'])}), "
                  f"{target / result['best_s'] / 1e6:.2f} M rows/s, "
                  f"peak RSS {result['peak_rss_mb']:,.0f} MB, "
                  f"IncidentSet {result['frame_mb']:,.0f} MB, "
                  f"locator {result['locator_s'] * 1000:.0f} ms "
                  f"[wall {time.perf_counter() - started:.0f} s]", flush=True)
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
