"""``workstation population``: people present per borough at a clock hour and day type."""

from __future__ import annotations

from workstation.cli.help import describe
from workstation.cli.output import print_json, print_table
from workstation.domain import DayType
from workstation.errors import InputError

WESTMINSTER = "E09000033"


DESCRIPTION = ('Population present per borough at a clock hour and TfL day type (weekday = Mon-Thu):'
               ' residents at home, in-commuters at work and visitors, from the 2011 Census grown to'
               ' 2019 and TfL timing.')
EXAMPLES = (
    'workstation population --day saturday --hour 22',
    'workstation population --hour 9 --pandemic --json',
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "population", help="population present per borough at an hour (residents, commuters, "
                           "visitors)")
    describe(parser, DESCRIPTION, EXAMPLES)
    parser.add_argument("--day", default="weekday", choices=[d.value for d in DayType],
                        help="day type (weekday = Mon-Thu)")
    parser.add_argument("--hour", type=int, default=12, help="clock hour 0-23 (default 12)")
    parser.add_argument("--pandemic", action="store_true",
                        help="pandemic scenario: 2020 TfL counts set timing and volumes")
    parser.add_argument("--no-visitors", action="store_true", help="leave visitors out")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(func=run)


def run(args) -> int:
    from workstation.datapack import load_pack
    from workstation.flows.population import PopulationAssumptions, population_present

    if not 0 <= args.hour <= 23:
        raise InputError(f"--hour must be 0..23, got {args.hour}")
    assumptions = PopulationAssumptions(pandemic=args.pandemic,
                                        include_visitors=not args.no_visitors)
    result = population_present(load_pack(args.data), assumptions=assumptions)
    frame = result.at(DayType(args.day), args.hour)
    rows = frame.round(0).to_dict(orient="records")
    for row in rows:
        for key, value in row.items():
            if isinstance(value, float):
                row[key] = int(value)
    ratios = result.day_night_ratios(DayType(args.day))
    w = ratios.set_index("gss_code").loc[WESTMINSTER]
    westminster = (f"Westminster {args.day} midday (10:00-16:00 mean) {w['midday_present']:,.0f}: "
                   f"{w['midday_to_residents']:.2f}x its usual residents ({w['residents']:,.0f}, "
                   f"the GLA/seed night-time population), {w['midday_to_night_present']:.2f}x "
                   f"the modelled 03:00 population ({w['night_present']:,.0f}, with overnight "
                   "visitors)")
    if args.json:
        print_json({"day_type": args.day, "hour": args.hour, "boroughs": rows,
                    "day_night": ratios.round(3).to_dict(orient="records"),
                    "westminster": westminster, "basis": list(result.basis)})
    else:
        print_table(rows, list(frame.columns))
        print(f"# {westminster}")
        for line in result.basis:
            print(f"# {line}")
    return 0
