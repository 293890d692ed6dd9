"""``workstation commuting``: census in/out/net commuting per borough (2011 Census basis),
with the census workday and GLA daytime populations side by side."""

from __future__ import annotations

from workstation.cli.help import describe
from workstation.cli.output import print_json, print_table

COLUMNS = ["gss_code", "name", "residents", "in_commuters", "out_commuters", "net"]
# The census and GLA figures to hold the model against (issue 4: Westminster's census
# workday population beside the GLA daytime population, 897,293).
COMPARISON = ["census_workday_population", "gla_daytime_population"]
WESTMINSTER = "E09000033"


DESCRIPTION = ('Census commuting per borough (2011 Census WU01EW): residents, in-commuters, out-'
               'commuters and net, with the census workday population and the GLA daytime population'
               ' side by side to check the model against.')
EXAMPLES = (
    'workstation commuting',
    'workstation commuting --json > commuting.json',
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "commuting", help="census commuting per borough: residents, in, out, net; census "
                          "workday and GLA daytime population")
    describe(parser, DESCRIPTION, EXAMPLES)
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(func=run)


def run(args) -> int:
    from workstation.datapack import load_pack
    from workstation.flows.commuting import commuting_summary

    summary = commuting_summary(load_pack(args.data))
    rows = summary.table[COLUMNS + COMPARISON].to_dict(orient="records")
    w = summary.row(WESTMINSTER)
    westminster = (f"Westminster: census workday population (2011) "
                   f"{w['census_workday_population']:,}"
                   f" (of which {w['census_workplace_workers']:,} work there) | GLA daytime "
                   f"population (2014) {w['gla_daytime_population']:,} | residents (mid-2019) "
                   f"{w['residents']:,}")
    if args.json:
        print_json({"boroughs": rows, "westminster": westminster, "basis": list(summary.basis)})
    else:
        print_table(rows, COLUMNS + COMPARISON)
        print(f"# {westminster}")
        for line in summary.basis:
            print(f"# {line}")
    return 0
