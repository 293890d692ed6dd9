"""``workstation population``: people present per borough at a clock hour and day type."""

from __future__ import annotations

from workstation.cli.output import print_json, print_table
from workstation.domain import DayType
from workstation.errors import InputError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "population", help="population present per borough at an hour (residents, commuters, "
                           "visitors)")
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
    result = population_present(load_pack(), assumptions=assumptions)
    frame = result.at(DayType(args.day), args.hour)
    rows = frame.round(0).to_dict(orient="records")
    for row in rows:
        for key, value in row.items():
            if isinstance(value, float):
                row[key] = int(value)
    if args.json:
        print_json({"day_type": args.day, "hour": args.hour, "boroughs": rows,
                    "basis": list(result.basis)})
    else:
        print_table(rows, list(frame.columns))
        for line in result.basis:
            print(f"# {line}")
    return 0
