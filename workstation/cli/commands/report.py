"""``workstation report``: the PDF deployment report (and optionally the plan files), headless.

Runs without a display: figures use matplotlib's Agg canvas and nothing imports Qt.
Partner-safe by default; ``--no-partner-safe`` is the explicit opt-in for incident-level
content. Checks that every output can be written *before* running the engine, and
writes atomically, so a bad path fails fast and never leaves a half-written file.
"""

from __future__ import annotations

import argparse
import time

from workstation.atomic import check_writable
from workstation.cli.help import describe
from workstation.cli.progress import add_quiet_option, progress_line, stage
from workstation.cli.scenario_options import add_scenario_options, scenario_from_args
from workstation.errors import InputError

DESCRIPTION = (
    "Run the deployment engine on a scenario and write the PDF deployment report (--out): "
    "cover, commander summary, maps, top 20 hotspots, a borough map for each borough with a "
    "HIGH-risk shift, 24-hour profiles, shift plan, lending, impact, method and sources; "
    "with --compare-to PLAN.json also a page on what changed since that plan. Optionally "
    "also the plan files: --xlsx (workbook: Plan, a sheet per day type, Lending, Hourly, "
    "Impact, Assumptions), --csv (the Plan table), --plan-json (the plan as JSON, the "
    "format --compare-to reads) and --gpkg (GeoPackage 1.2: units, hourly table, "
    "hotspots, grid cells, flow lines, QGIS styles). Partner-safe by default: small counts "
    "are suppressed in every output. Every output path is checked before the engine runs.")
EXAMPLES = (
    "workstation report --out report.pdf",
    "workstation report --scenario autumn.ldwproj --out autumn.pdf --xlsx autumn.xlsx "
    "--gpkg autumn.gpkg",
    "workstation report --scenario autumn.ldwproj --plan-json autumn.json --compare-to "
    "summer.json",
    "workstation report --incidents police_uk/2024-01 --no-partner-safe --out internal.pdf",
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "report", help="write the PDF deployment report (partner-safe by default)")
    describe(parser, DESCRIPTION, EXAMPLES)
    parser.add_argument("--out", metavar="PDF", default="report.pdf",
                        help="report path (default report.pdf)")
    parser.add_argument("--partner-safe", action=argparse.BooleanOptionalAction, default=True,
                        help="aggregate incidents and suppress counts below the threshold "
                             "(default on; --no-partner-safe includes incident-level data)")
    parser.add_argument("--threshold", type=int, default=10,
                        help="suppress counts below this in partner-safe mode (default 10)")
    parser.add_argument("--flow-hour", type=int, default=8,
                        help="clock hour of the flow map (default 8)")
    parser.add_argument("--xlsx", metavar="PATH", help="also write the shift plan workbook")
    parser.add_argument("--csv", metavar="PATH", help="also write the plan table as CSV")
    parser.add_argument("--plan-json", metavar="PATH", help="also write the plan as JSON")
    parser.add_argument("--gpkg", metavar="PATH", help="also write the GeoPackage")
    parser.add_argument("--incidents", nargs="+", metavar="PATH",
                        help="police.uk CSV(s), folder or zip, or an incident table: hotspots "
                             "from these instead of the shipped burglary data (aggregated "
                             "unless --no-partner-safe)")
    parser.add_argument("--compare-to", metavar="PLAN.json",
                        help="a previous plan written with --plan-json (or `workstation plan "
                             "--out plan.json`): adds a page on what changed since it")
    parser.add_argument("--json", action="store_true", help="print a JSON summary for scripts")
    add_quiet_option(parser)
    add_scenario_options(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    import matplotlib
    matplotlib.use("Agg", force=True)  # headless: never try to open a display

    from workstation.cli.output import print_json
    from workstation.datapack import load_pack
    from workstation.deploy import recommend
    from workstation.exports.report import write_report

    started = time.perf_counter()
    if not 0 <= args.flow_hour <= 23:
        raise InputError(f"--flow-hour {args.flow_hour} must be a clock hour 0-23")
    if args.threshold < 1:
        raise InputError(f"--threshold {args.threshold} must be 1 or more")
    outputs = {"report": args.out, "xlsx": args.xlsx, "csv": args.csv,
               "plan_json": args.plan_json, "gpkg": args.gpkg}
    outputs = {k: check_writable(v) for k, v in outputs.items() if v}
    scenario = scenario_from_args(args)
    previous = None
    if getattr(args, "compare_to", None):
        from workstation.exports.compare import load_plan_json
        previous = load_plan_json(args.compare_to)   # read before the engine: fail fast
    with progress_line(args, "report") as progress:
        pack = load_pack(args.data)
        plan = recommend(pack, scenario, progress=stage(progress, 0.0, 0.4))
        layers, incidents = _layers(args, pack, scenario, progress)
        write_report(plan, outputs["report"], pack=pack, layers=layers,
                     partner_safe=args.partner_safe, threshold=args.threshold,
                     flow_hour=args.flow_hour, previous=previous,
                     progress=stage(progress, 0.5, 0.95))
        _write_plan_files(args, outputs, pack, plan, layers, incidents)
    summary = {"scenario": scenario.name, "partner_safe": args.partner_safe,
               "outputs": {k: str(v) for k, v in outputs.items()},
               "seconds": round(time.perf_counter() - started, 1)}
    if args.json:
        print_json(summary)
    else:
        for kind, path in outputs.items():
            print(f"{kind}: {path}")
        print(f"scenario '{scenario.name}', "
              f"{'partner-safe' if args.partner_safe else 'NOT partner-safe'}, "
              f"{summary['seconds']} s")
    return 0


def _layers(args, pack, scenario, progress):
    """The report's map layers (hotspots from ``--incidents`` if given) and the incidents."""
    from workstation.exports.layers import gather_layers
    from workstation.exports.partner_safe import DisclosurePolicy

    progress(0.4, "map layers")
    policy = DisclosurePolicy(partner_safe=args.partner_safe, threshold=args.threshold)
    day = scenario.day_types[0]
    incidents = hotspots = None
    if args.incidents:
        from workstation.exports.layers import hotspots_from_incidents
        from workstation.loaders import import_incidents
        from workstation.loaders.incidents import concat_incident_sets
        incidents = concat_incident_sets([import_incidents(p, boroughs=pack.table("boroughs"))
                                          for p in args.incidents])
        hotspots = hotspots_from_incidents(pack, incidents)
    layers = gather_layers(pack, day_type=day, flow_hour=args.flow_hour, policy=policy,
                           hotspots=hotspots, user_incidents=bool(args.incidents))
    return layers, incidents


def _write_plan_files(args, outputs, pack, plan, layers, incidents) -> None:
    if "xlsx" in outputs:
        from workstation.exports.plan_xlsx import write_plan_xlsx
        write_plan_xlsx(plan, outputs["xlsx"])
    if "csv" in outputs:
        from workstation.exports.plan_csv import write_plan_csv
        write_plan_csv(plan, outputs["csv"])
    if "plan_json" in outputs:
        from workstation.exports.plan_json import write_plan_json
        write_plan_json(plan, outputs["plan_json"])
    if "gpkg" in outputs:
        from workstation.exports.geopackage import write_geopackage
        write_geopackage(outputs["gpkg"], pack=pack, plan=plan, layers=layers,
                         incidents=incidents.frame if incidents is not None else None,
                         partner_safe=args.partner_safe, threshold=args.threshold)
