"""``workstation commuting``: census in/out/net commuting per borough (2011 Census basis)."""

from __future__ import annotations

from workstation.cli.output import print_json, print_table

COLUMNS = ["gss_code", "name", "residents", "in_commuters", "out_commuters", "net"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "commuting", help="census commuting per borough: residents, in, out, net")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(func=run)


def run(args) -> int:
    from workstation.datapack import load_pack
    from workstation.flows.commuting import commuting_summary

    summary = commuting_summary(load_pack())
    rows = summary.table[COLUMNS].to_dict(orient="records")
    if args.json:
        print_json(rows)
    else:
        print_table(rows, COLUMNS)
        for line in summary.basis:
            print(f"# {line}")
    return 0
