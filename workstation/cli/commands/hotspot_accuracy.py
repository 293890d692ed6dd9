"""``workstation hotspot-accuracy``: PAI and RRI of each hotspot forecaster on rolling windows."""

from __future__ import annotations

import time

from workstation.cli.help import describe
from workstation.cli.output import print_json, print_table
from workstation.cli.progress import add_quiet_option, progress_line


DESCRIPTION = ("Forecast accuracy of each hotspot method (naive last-period counts, KDE, Gi*, "
               "decay, window12, blend and the default Poisson regression) on rolling windows: Predictive Accuracy Index "
               "(PAI) and Recapture Rate Index (RRI) at 1, 2 and 5 per cent of London's area.")
EXAMPLES = (
    'workstation hotspot-accuracy',
    'workstation hotspot-accuracy --incidents police_uk/ --test-months 2023-07..2023-12 --methods kde gistar',
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "hotspot-accuracy",
        help="forecast accuracy (PAI, RRI at 1/2/5 %% of London) of naive, KDE, Gi*, decay, window12, blend and default hotspots")
    describe(parser, DESCRIPTION, EXAMPLES)
    parser.add_argument("--incidents", nargs="+", metavar="PATH",
                        help="police.uk street CSV(s), folder or zip (default: the shipped burglary lattice)")
    parser.add_argument("--train-months", type=int, default=12, help="training window length (default 12)")
    parser.add_argument("--test-months", metavar="YYYY-MM..YYYY-MM",
                        help="one test window (default: rolling 6-month test windows over all the data)")
    parser.add_argument("--horizon-months", "--test-length", dest="test_length", type=int, default=6,
                        choices=(1, 3, 6), help="forecast horizon = months per rolling test window (default 6)")
    parser.add_argument("--n-windows", type=int, default=9,
                        help="newest rolling windows to test (default 9; 0 = every window the data allow)")
    parser.add_argument("--cell-m", type=float, default=100.0, help="grid cell size in metres (default 100)")
    parser.add_argument("--types", nargs="+", metavar="TYPE", help="crime types to keep (police.uk names)")
    parser.add_argument("--boroughs", nargs="+", metavar="GSS",
                        help="GSS codes: keep these boroughs' incidents; area shares are of their cells")
    parser.add_argument("--methods", nargs="+", default=None,
                        help="subset of: naive kde gistar window12 decay blend default (default: all)")
    parser.add_argument("--windows", action="store_true", help="also print every window's figures")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    add_quiet_option(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    from workstation.datapack import load_pack
    from workstation.errors import InputError
    from workstation.maps.accuracy import METHODS, evaluate
    from workstation.maps.counts import month_add, month_span, parse_month_range
    from workstation.maps.sources import load_counts, london_grid

    started = time.perf_counter()
    if args.train_months < 1 or args.n_windows < 0:
        raise InputError("--train-months must be at least 1 and --n-windows at least 0")
    pack = load_pack(args.data)
    counts = load_counts(args.incidents, pack=pack)
    grid = london_grid(pack, cell_m=args.cell_m)
    if args.boroughs:
        grid = grid.restricted_to(args.boroughs)
    if args.types or args.boroughs:
        counts = counts.filter(crime_types=args.types, boroughs=args.boroughs)
    windows = None
    if args.test_months:
        first, last = parse_month_range(args.test_months)
        train_last = month_add(first, -1)
        windows = [(month_add(train_last, 1 - args.train_months), train_last, first, last)]
        span = counts.month_range()
        if span is None or windows[0][0] < span[0] or last > span[1]:
            have = f"{span[0]}..{span[1]}" if span else "no months"
            raise InputError(f"test window {first}..{last} with {args.train_months} training months "
                             f"needs data from {windows[0][0]} to {last}", hint=f"the data cover {have}")
    with progress_line(args, "hotspot-accuracy") as progress:
        report = evaluate(counts, grid, windows=windows, train_months=args.train_months,
                          test_months=args.test_length, n_windows=args.n_windows or None,
                          methods=tuple(args.methods or METHODS), progress=progress)
    seconds = time.perf_counter() - started
    tested = report.windows[["test_first", "test_last"]].drop_duplicates()
    if args.json:
        payload = report.to_dict()
        payload.update({"cell_m": grid.cell_m, "train_months": args.train_months, "boroughs": args.boroughs,
                        "n_windows": int(len(tested)), "seconds": round(seconds, 3)})
        print_json(payload)
        return 0
    rows = [{"method": r.method, "area": f"{r.area_share:.0%}", "hit_rate": f"{r.hit_rate:.3f}",
             "PAI": f"{r.pai:.2f}", "RRI": f"{r.rri:.2f}"} for r in report.mean.itertuples()]
    print_table(rows, ["method", "area", "hit_rate", "PAI", "RRI"])
    if args.windows:
        print()
        per = [{"method": r.method, "train": f"{r.train_first}..{r.train_last}",
                "test": f"{r.test_first}..{r.test_last}", "area": f"{r.area_share:.0%}",
                "PAI": f"{r.pai:.2f}", "RRI": f"{r.rri:.2f}"} for r in report.windows.itertuples()]
        print_table(per, ["method", "train", "test", "area", "PAI", "RRI"])
    months = sum(month_span(a, b) for a, b in tested.itertuples(index=False))
    area = "cells of " + " ".join(args.boroughs) if args.boroughs else "grid cells inside London"
    print(f"# mean over {len(tested)} window(s) ({months} test months), {args.train_months} training "
          f"months each, {grid.cell_m:g} m cells; area = {area}")
    bar = report.beats_naive()
    if bar:
        print(f"# default vs naive, PAI at 5 %: {bar['pai_mean']:.2f} vs {bar['naive_pai_mean']:.2f} "
              f"({bar['gain']:+.1%}), better in {bar['windows_won']} of {bar['windows']} windows; "
              f"horizon {report.horizon_months} month(s)")
    for test_first, p in report.default_params.items():
        print(f"# default @ {test_first}: {p.describe()} (fitted on months before the test)")
    print(f"# run time {seconds:.2f} s")
    return 0
