"""``workstation safety-index``: the Community Safety Index by ward, LSOA or borough."""

from __future__ import annotations

import time

from workstation.cli.help import describe
from workstation.cli.output import print_json, print_table

DESCRIPTION = ("Score the seed report's Rotterdam-style Community Safety Index (0-10, target 6) "
               "per ward, LSOA or borough for the 12 months ending --month: crime harm per "
               "resident and per person present, violence, burglary, road collisions, "
               "deprivation (IMD 2019) and public confidence (MOPAC PAS), with published, "
               "editable weights. Prints a ranked table, or JSON with every domain's score, "
               "weight and contribution; optionally writes a PDF section, XLSX or GeoPackage.")
EXAMPLES = (
    "workstation safety-index --level borough --month 2024-12",
    "workstation safety-index --level ward --json > wards.json",
    "workstation safety-index --weights my_weights.csv --domain survey.csv --xlsx index.xlsx",
)

TABLE_COLUMNS = ["rank", "area_code", "name", "score", "change_vs_last_year", "below_target",
                 "weakest_domain"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "safety-index",
        help="Rotterdam-style Community Safety Index (0-10) per ward, LSOA or borough")
    describe(parser, DESCRIPTION, EXAMPLES)
    parser.add_argument("--level", choices=("ward", "borough", "lsoa"), default="ward",
                        help="areas to score (default ward; lsoa only for 2025-02)")
    parser.add_argument("--month", metavar="YYYY-MM",
                        help="index month = last month of the 12-month window (default: latest)")
    parser.add_argument("--weights", metavar="CSV",
                        help="domain weights CSV (default: workstation/safety/safety_weights.csv)")
    parser.add_argument("--harm-weights", metavar="CSV",
                        help="harm weights CSV (default: workstation/maps/css_weights.csv)")
    parser.add_argument("--domain", action="append", metavar="CSV", default=[],
                        help="add an analyst domain keyed by area code (repeatable)")
    parser.add_argument("--target", type=float, default=None,
                        help="score every area should reach (default 6, Rotterdam's minimum)")
    parser.add_argument("--no-partner-safe", action="store_true",
                        help="score small counts as they are (default: counts below the "
                             "partner-safe threshold are suppressed before scoring)")
    parser.add_argument("--top", type=int, default=20, help="rows to print in text mode (0 = all)")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.add_argument("--pdf", metavar="PATH", help="write the index section as a PDF")
    parser.add_argument("--xlsx", metavar="PATH", help="write the index and weights as XLSX")
    parser.add_argument("--gpkg", metavar="PATH",
                        help="write the index as a GeoPackage layer (ward or borough)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from workstation.datapack import load_pack
    from workstation.errors import InputError
    from workstation.exports.partner_safe import DisclosurePolicy
    from workstation.safety.report import index_payload, run_index

    started = time.perf_counter()
    if args.top < 0:
        raise InputError(f"--top {args.top} must be >= 0")
    if args.target is not None and not 0 <= args.target <= 10:
        raise InputError(f"--target {args.target} must be between 0 and 10")
    pack = load_pack(args.data)
    policy = DisclosurePolicy(partner_safe=not args.no_partner_safe)
    index = run_index(pack, args.level, weights_path=args.weights,
                      harm_weights_path=args.harm_weights, domain_paths=args.domain,
                      policy=policy, target=args.target)
    payload = index_payload(index, args.month)
    written = {}
    if args.pdf or args.xlsx or args.gpkg:
        from workstation.exports import safety_index as ex
        if args.pdf:
            written["pdf"] = str(ex.write_safety_report(index, args.pdf, pack=pack,
                                                        month=payload["month"]))
        if args.xlsx:
            written["xlsx"] = str(ex.write_safety_xlsx(index, args.xlsx, payload["month"]))
        if args.gpkg:
            ex.write_safety_gpkg(index, args.gpkg, pack=pack, month=payload["month"])
            written["gpkg"] = args.gpkg
    payload["written"] = written
    payload["seconds"] = round(time.perf_counter() - started, 3)
    if args.json:
        print_json(payload)
        return 0
    print(f"Community Safety Index, {args.level} level, 12 months to {payload['month']} "
          f"(target {payload['target']:g}; London {payload['summary']['london_score']:.2f}; "
          f"{payload['summary']['below_target']} of {payload['summary']['scored']} areas below)")
    print("weights: " + ", ".join(f"{w['domain']} {w['share']:.0%}" for w in payload["weights"]
                                   if w["share"] > 0))
    rows = sorted(payload["areas"], key=lambda r: r["rank"])
    rows = [{**r, "below_target": "below" if r["below_target"] else ""} for r in rows]
    print_table(rows[:args.top] if args.top else rows, TABLE_COLUMNS)
    for kind, path in written.items():
        print(f"wrote {kind}: {path}")
    if payload["not_scored"]:
        print(f"not scored: {len(payload['not_scored'])} ("
              + "; ".join(f"{r['name']}: {r['reason']}" for r in payload["not_scored"][:5]) + ")")
    return 0
