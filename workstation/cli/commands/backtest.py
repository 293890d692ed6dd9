"""``workstation backtest``: the plan against fair baselines on months never used to fit,
with bootstrap intervals, stress tests and the real-timing collision score."""

from __future__ import annotations

from workstation.cli.help import describe
from workstation.cli.progress import add_quiet_option, progress_line
from workstation.cli.scenario_options import add_scenario_options, scenario_from_args


DESCRIPTION = ('Fit demand on one window of months and score the plan on later months it never '
               'saw, at equal officer-hours, against fair baselines (flat static, a shift rule '
               'in proportion to fitted demand, roster-only without lending): harm-weighted '
               'share of demand answered within standard, with bootstrap 95% intervals, stress '
               'tests (crime profiles shifted -2/+2/+4 h, flat) and a real-timing score on '
               'timed road collisions. Newer months come from --crime-counts files in the '
               'London Datastore borough, ward or LSOA layout.')
EXAMPLES = (
    'workstation backtest',
    'workstation backtest --json > backtest.json',
    'workstation backtest --crime-counts mps_ward_crime_2010-04_2025-02.csv.gz '
    '--fit-months 2021-01..2023-12 --test-months 2024-02..2025-02',
    'workstation backtest --collisions stats19_london_collisions_2022.csv.gz --draws 100',
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "backtest", help="score the plan against static, a shift rule and roster-only staffing "
                         "on held-out months (default fit 2019-01..2021-12, test 2022-02..2024-01)")
    describe(parser, DESCRIPTION, EXAMPLES)
    parser.add_argument("--crime-counts", metavar="FILE", action="append", default=[],
                        help="Met recorded-crime file in the borough, ward or LSOA layout "
                             "(repeatable; its months take precedence over the pack's)")
    parser.add_argument("--fit-months", metavar="A..B", help="fit window, e.g. 2019-01..2021-12")
    parser.add_argument("--test-months", metavar="A..B", help="test window, e.g. 2022-02..2024-01")
    parser.add_argument("--collisions", metavar="FILE",
                        help="STATS19 collision file in the DfT layout (date, time, coordinates) "
                             "for the real-timing backtest, e.g. a year after the pack's fit years")
    parser.add_argument("--draws", type=int, default=None,
                        help="bootstrap draws (default 200; 0 = no intervals)")
    parser.add_argument("--seed", type=int, default=None, help="bootstrap seed (fixed default)")
    parser.add_argument("--robust", action="store_true",
                        help="plan against a mixture of the assumed crime profiles shifted "
                             "-2..+2 h instead of the nominal profiles")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    add_quiet_option(parser)
    add_scenario_options(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    from workstation.cli.output import print_json, print_table
    from workstation.datapack import load_pack
    from workstation.deploy.backtest import (BOOTSTRAP_DRAWS, BOOTSTRAP_SEED, FIT_MONTHS,
                                             TEST_MONTHS, backtest)
    from workstation.deploy.demand import ROBUST_MIXTURE
    from workstation.loaders.crime_counts import parse_window, read_crime_counts

    scenario = scenario_from_args(args)
    pack = load_pack(args.data)
    boroughs = pack.table("boroughs")
    files = tuple(read_crime_counts(path, boroughs) for path in args.crime_counts)
    collisions = None
    if args.collisions:
        from workstation.loaders.stats19 import read_collisions
        collisions = read_collisions(args.collisions, boroughs)
    with progress_line(args, "backtest") as progress:
        result = backtest(
            pack, scenario,
            fit_months=parse_window(args.fit_months) if args.fit_months else FIT_MONTHS,
            test_months=parse_window(args.test_months) if args.test_months else TEST_MONTHS,
            crime_counts=files, collisions=collisions,
            draws=BOOTSTRAP_DRAWS if args.draws is None else max(args.draws, 0),
            seed=BOOTSTRAP_SEED if args.seed is None else args.seed,
            planning_profiles=ROBUST_MIXTURE if args.robust else None, progress=progress)
    if args.json:
        print_json(result.to_dict())
        return 0
    timing = result.real_timing.get("collisions")
    if timing:      # the one score with observed timing comes first
        print(f"Real timing (road collisions, fit {timing['fit_years'][0]}-"
              f"{timing['fit_years'][1]}, test {timing['test_year']}): plan / static "
              f"{timing['ratio']:.3f} (95% {timing['ci95'][0]:.3f}-{timing['ci95'][1]:.3f}), "
              f"plan / shift rule {timing['ratio_shift_rule']:.3f} "
              f"(95% {timing['ci95_shift_rule'][0]:.3f}-{timing['ci95_shift_rule'][1]:.3f})")
        print()
    windows = result.windows
    print(f"Fit {result.fit_months[0]}..{result.fit_months[1]} "
          f"({_sources(windows['fit'])}); test {result.test_months[0]}..{result.test_months[1]} "
          f"({_sources(windows['test'])}); {result.officer_hours_per_week:,.0f} officer-hours "
          "a week in every staffing.")
    served = result.served
    print("Harm-weighted demand within standard: " + ", ".join(
        f"{name.replace('_', ' ')} {100 * served[name]:.1f}%"
        for name in ("static", "shift_rule", "roster_only", "plan")))
    rows = []
    for name, base in result.baselines.items():
        lo, hi = base["ci95"]
        rows.append({"plan_over": name.replace("_", " "), "ratio": f"{base['ratio']:.3f}",
                     "lower_95": f"{lo:.3f}", "upper_95": f"{hi:.3f}"})
    print_table(rows, ["plan_over", "ratio", "lower_95", "upper_95"])
    print(f"Lending's marginal value (plan / roster only): {result.lending_marginal:.3f}")
    if result.stress:
        print("Stress (plan / static on perturbed test timing): " + ", ".join(
            f"{k} {v:.3f}" for k, v in result.stress.items()))
    print(f"Unit-hours under-staffed per week: static {result.understaffed_hours_static:,}, "
          f"plan {result.understaffed_hours_plan:,}; officer-hours travelling to lend "
          f"{result.travel_officer_hours_per_week:,.1f} a week")
    print()
    table = result.by_unit.sort_values("ratio").to_dict(orient="records")
    for row in table:
        for key in ("served_static", "served_shift_rule", "served_plan"):
            row[key + "_%"] = round(100 * row[key], 1)
        row["ratio"] = f"{row['ratio']:.3f}"
    print_table(table, ["unit_name", "served_static_%", "served_shift_rule_%", "served_plan_%",
                        "ratio"])
    for note in list(result.notes) + (list(timing["notes"]) if timing else []):
        print(f"note: {note}")
    return 0


def _sources(window: dict) -> str:
    return ", ".join(f"{name} {months} months" for name, months in window["sources"].items())
