"""``workstation plan``: the recommended shift plan, headless (text, JSON or a plan file)."""

from __future__ import annotations

from pathlib import Path

from workstation.errors import InputError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "plan", help="recommend officers per unit and shift, and lending between units")
    parser.add_argument("--scenario", metavar="JSON",
                        help="project file or scenario JSON (default: the baseline scenario); "
                             "the options below override its values")
    parser.add_argument("--officers", type=int, metavar="N",
                        help="response officers on duty per shift, London-wide")
    parser.add_argument("--strength", metavar="CSV",
                        help="home strength per unit: unit_code (or gss_code), officers "
                             "[, shift]")
    parser.add_argument("--shifts", metavar="LIST", help="shift pattern, e.g. 07-15,15-23,23-07")
    parser.add_argument("--day", action="append", metavar="DAY",
                        choices=["weekday", "friday", "saturday", "sunday"],
                        help="day type(s) to plan (repeatable; default weekday, saturday, sunday)")
    parser.add_argument("--units", choices=["borough", "bcu"], help="planning unit")
    parser.add_argument("--max-lending-minutes", type=float, metavar="MIN",
                        help="longest journey a lent officer may make")
    parser.add_argument("--floor-share", type=float, metavar="SHARE",
                        help="share of its own officers each unit keeps (0-1)")
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    parser.add_argument("--out", metavar="PATH",
                        help="write the plan: .xlsx (workbook), .csv or .json by extension")
    parser.set_defaults(func=run)


def scenario_from_args(args):
    from workstation.cli.commands.report import load_scenario
    from workstation.deploy.scenario import Shift
    from workstation.domain import DayType

    scenario = load_scenario(args.scenario)
    changes = {}
    if args.officers is not None:
        changes["officers_on_duty"] = args.officers
    if args.strength:
        if not Path(args.strength).is_file():
            raise InputError("strength file not found", path=args.strength,
                             expected="a CSV with unit_code (or gss_code) and officers")
        changes["strength_csv"] = str(Path(args.strength).resolve())
    if args.shifts:
        changes["shifts"] = tuple(Shift.parse(s) for s in args.shifts.split(","))
    if args.day:
        changes["day_types"] = tuple(dict.fromkeys(DayType(d) for d in args.day))
    if args.units:
        changes["units"] = args.units
    if args.max_lending_minutes is not None:
        changes["max_lending_minutes"] = args.max_lending_minutes
    if args.floor_share is not None:
        changes["floor_share"] = args.floor_share
    return scenario.with_changes(**changes) if changes else scenario


def plan_payload(plan) -> dict:
    """Stable JSON: per unit and shift required/home/final/lent/borrowed, lending, totals."""
    units = []
    for row in plan.plan.itertuples(index=False):
        units.append({"unit_code": row.unit_code, "unit_name": row.unit_name,
                      "day_type": row.day_type, "shift": row.shift, "required": int(row.required),
                      "home": int(row.home), "static_home": int(row.static_home),
                      "final": int(row.final), "lent": int(row.lent),
                      "borrowed": int(row.borrowed),
                      "share_within_standard": round(float(row.share_within_standard), 4),
                      "static_share_within_standard":
                          round(float(row.static_share_within_standard), 4),
                      "risk": {"level": row.risk_level, "reason": row.risk_reason},
                      **{f"{key}_{g}": _plain(getattr(row, f"{key}_{g}"))
                         for g in ("I", "S") for key in ("target_ceiling", "target_reachable")}})
    return {"scenario": plan.scenario.to_dict(), "units": units,
            "calibration": plan.totals.get("calibration"),
            "lending": plan.lending.to_dict(orient="records"), "totals": plan.totals,
            "basis": list(plan.basis), "method": list(plan.method), "solver": plan.solver}


def _plain(value):
    """numpy scalars to JSON numbers/booleans; ceilings rounded like the shares."""
    value = value.item() if hasattr(value, "item") else value
    return round(value, 4) if isinstance(value, float) else value


def run(args) -> int:
    from workstation.cli.commands.report import check_writable
    from workstation.cli.output import print_json, print_table
    from workstation.datapack import load_pack
    from workstation.deploy import recommend

    out = check_writable(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".xlsx", ".csv", ".json"):
        raise InputError(f"--out {out.name}: unknown plan format", path=out,
                         expected="a .xlsx, .csv or .json file name")
    scenario = scenario_from_args(args)
    plan = recommend(load_pack(), scenario)
    if out is not None:
        suffix = out.suffix.lower()
        if suffix == ".xlsx":
            from workstation.exports.plan_xlsx import write_plan_xlsx
            write_plan_xlsx(plan, out)
        elif suffix == ".csv":
            from workstation.exports.plan_csv import write_plan_csv
            write_plan_csv(plan, out)
        else:
            from workstation.exports.plan_json import write_plan_json
            write_plan_json(plan, out)
    if args.json:
        print_json(plan_payload(plan))
        return 0
    rows = plan.plan.to_dict(orient="records")
    for row in rows:
        row["within_std_%"] = round(100 * row["share_within_standard"])
    print_table(rows, ["unit_name", "day_type", "shift", "required", "static_home", "home",
                       "lent", "borrowed", "final", "within_std_%", "risk_level"])
    print()
    for grade in ("I", "S"):          # an unreachable target, next to the numbers it caps
        notes = plan.plan.get(f"target_note_{grade}")
        if notes is not None and notes.astype(bool).any():
            print(f"{grade}-grade: {notes[notes.astype(bool)].iloc[0]}.")
    t = plan.totals
    print(f"Officers lent: {t['officers_lent']} in {t['lending_moves']} moves; harm-weighted "
          f"demand within standard {100 * t['harm_weighted_share_within_standard_plan']:.1f}% "
          f"(static {100 * t['harm_weighted_share_within_standard_static']:.1f}%).")
    for line in plan.basis:
        print(f"basis: {line}")
    if out is not None:
        print(f"plan written to {out}")
    return 0
