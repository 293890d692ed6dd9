"""``workstation backtest``: static staffing versus the plan on months never used to fit."""

from __future__ import annotations

from workstation.cli.progress import add_quiet_option, progress_line
from workstation.cli.scenario_options import add_scenario_options, scenario_from_args
from workstation.cli.help import describe


DESCRIPTION = ('Score static staffing against the recommended plan on held-out months '
               '(2022-02..2024-01) that were never used to fit the demand model: share of harm-'
               'weighted demand within the response standard, and officer-hours short of need.')
EXAMPLES = (
    'workstation backtest',
    'workstation backtest --scenario autumn.ldwproj --json > backtest.json',
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "backtest", help="score static staffing and the plan on held-out months (2022-02..2024-01)")
    describe(parser, DESCRIPTION, EXAMPLES)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    add_quiet_option(parser)
    add_scenario_options(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    from workstation.cli.output import print_json, print_table
    from workstation.datapack import load_pack
    from workstation.deploy.backtest import backtest

    scenario = scenario_from_args(args)
    with progress_line(args, "backtest") as progress:
        result = backtest(load_pack(args.data), scenario, progress=progress)
    if args.json:
        print_json(result.to_dict())
        return 0
    print(f"Fit {result.fit_months[0]}..{result.fit_months[1]}; "
          f"test {result.test_months[0]}..{result.test_months[1]}; "
          f"{result.officer_hours_per_week:,.0f} officer-hours a week in both.")
    print(f"Harm-weighted demand within standard: static {100 * result.served_static:.1f}%, "
          f"plan {100 * result.served_plan:.1f}%  ->  ratio {result.ratio:.3f} "
          f"(lending alone {result.ratio_lending_only:.3f})")
    print(f"Unit-hours under-staffed per week: static {result.understaffed_hours_static:,}, "
          f"plan {result.understaffed_hours_plan:,}; officer-hours travelling to lend "
          f"{result.travel_officer_hours_per_week:,.1f} a week")
    print()
    rows = result.by_unit.sort_values("ratio").to_dict(orient="records")
    for row in rows:
        row["served_static_%"] = round(100 * row["served_static"], 1)
        row["served_plan_%"] = round(100 * row["served_plan"], 1)
        row["ratio"] = round(row["ratio"], 3)
    print_table(rows, ["unit_name", "served_static_%", "served_plan_%", "ratio"])
    for note in result.notes:
        print(f"note: {note}")
    return 0
