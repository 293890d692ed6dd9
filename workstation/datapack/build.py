"""Build the data pack from the raw open data in ../shared/data.

Run ``python -m workstation.datapack build [--source DIR] [--out DIR]``. Each
``build_<part>.py`` module exposes ``build(source: Path, out: Path) -> dict`` that
writes its tables with ``io.write_table`` and returns ``{table_name: manifest_entry}``
(entries may add ``coverage`` and ``sources`` keys). This module runs them in order
and writes ``manifest.json``. Reproducible: same inputs give the same tables.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import sys
from pathlib import Path

from workstation.atomic import atomic_write_text
from workstation.paths import default_data_dir

PACK_VERSION = "1"

# Order matters: later parts may read tables earlier parts wrote (e.g. boroughs).
BUILD_PARTS = ["build_geo", "build_census", "build_crime", "build_tfl", "build_burglary"]
BUILD_PARTS += ["build_gazetteer", "build_lsoa"]  # hotspot naming and LSOA outlines (issue 16)
BUILD_PARTS += ["build_safety"]                   # Community Safety Index (issue 20)
BUILD_PARTS += ["build_basemap"]  # Thames, parks, Major Road Network, Tube links (issue 16)
BUILD_PARTS += ["build_collisions_timed"]   # timed STATS19 collisions for the real-timing backtest (issue 15)


def default_source_dir() -> Path:
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


def build_pack(source: Path, out: Path, parts: list[str] | None = None) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "manifest.json"
    tables: dict = {}
    if manifest_path.exists():
        tables = json.loads(manifest_path.read_text(encoding="utf-8")).get("tables", {})
    for part in parts or BUILD_PARTS:
        module = importlib.import_module(f"workstation.datapack.{part}")
        print(f"building {part} ...", flush=True)
        tables.update(module.build(source, out))
    manifest = {
        "pack_version": PACK_VERSION,
        "built_on": dt.date.today().isoformat(),
        "source": "../shared/data (see data/README.md for each file's origin and licence)",
        "tables": dict(sorted(tables.items())),
    }
    atomic_write_text(manifest_path, json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workstation.datapack")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build the data pack from ../shared/data")
    build.add_argument("--source", type=Path, default=default_source_dir())
    build.add_argument("--out", type=Path, default=default_data_dir())
    build.add_argument("--part", action="append", choices=BUILD_PARTS,
                       help="rebuild only this part (repeatable)")
    args = parser.parse_args(argv)
    if not args.source.exists():
        print(f"error: source folder {args.source} not found", file=sys.stderr)
        return 2
    manifest = build_pack(args.source, args.out, args.part)
    total = sum(t["bytes"] for t in manifest["tables"].values())
    print(f"data pack written to {args.out}: {len(manifest['tables'])} tables, {total / 1e6:.1f} MB")
    return 0
