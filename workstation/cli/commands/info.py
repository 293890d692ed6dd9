"""``workstation info``: what the shipped data pack holds, for people and scripts."""

from __future__ import annotations

import argparse

from workstation.cli.help import describe
from workstation.cli.output import print_json


DESCRIPTION = ('Summarise the shipped data pack: its version, build date, tables, row counts and the'
               ' coverage of each source.')
EXAMPLES = (
    'workstation info',
    'workstation info --json',
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("info", help="summarise the shipped data pack")
    describe(parser, DESCRIPTION, EXAMPLES)
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(func=run)


def pack_info(pack) -> dict:
    """Counts a user can check against the sources: boroughs, burglary rows and months."""
    manifest_tables = pack.manifest.get("tables", {})
    info: dict = {
        "data_pack_version": pack.version,
        "data_pack_built_on": pack.manifest.get("built_on"),
        "data_folder": str(pack.root),
        "tables": sorted(manifest_tables),
        "boroughs": int(len(pack.table("boroughs"))) if pack.has("boroughs") else 0,
    }
    if pack.has("burglary_lattice"):
        lattice = pack.table("burglary_lattice")
        months = sorted(lattice["month"].astype(str).unique())
        coverage = manifest_tables.get("burglary_lattice", {}).get("coverage", {})
        info["incident_rows"] = int(lattice["incidents"].sum())
        info["months"] = {"first": months[0] if months else None,
                          "last": months[-1] if months else None, "count": len(months)}
        info["forces"] = list(coverage.get("forces", []))
        info["crime_types"] = sorted(lattice["crime_type"].astype(str).unique())
        info["incident_rows_outside_london"] = int(
            lattice.loc[lattice["gss_code"] == "", "incidents"].sum())
    else:
        info.update(incident_rows=0, months={"first": None, "last": None, "count": 0},
                    forces=[], crime_types=[], incident_rows_outside_london=0)
    if pack.has("burglary_unplaced"):
        unplaced = pack.table("burglary_unplaced")
        info["rows_not_placed"] = int(unplaced["rows"].sum())
        info["rows_not_placed_by_reason"] = {
            str(k): int(v) for k, v in unplaced.groupby("reason")["rows"].sum().items()}
    else:
        info["rows_not_placed"] = 0
        info["rows_not_placed_by_reason"] = {}
    return info


def run(args: argparse.Namespace) -> int:
    from workstation.datapack import load_pack
    info = pack_info(load_pack(args.data))
    if args.json:
        print_json(info)
        return 0
    months = info["months"]
    print(f"data pack {info['data_pack_version']} ({info['data_pack_built_on']}) "
          f"in {info['data_folder']}")
    print(f"boroughs:        {info['boroughs']}")
    print(f"incident rows:   {info['incident_rows']:,} "
          f"({', '.join(info['crime_types']) or 'none'}; {', '.join(info['forces']) or '-'})")
    print(f"months:          {months['first']} .. {months['last']} ({months['count']})")
    print(f"rows not placed: {info['rows_not_placed']:,} "
          + ", ".join(f"{k}: {v:,}" for k, v in info["rows_not_placed_by_reason"].items()))
    print(f"tables:          {', '.join(info['tables'])}")
    return 0
