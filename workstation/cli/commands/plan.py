"""``workstation plan``: the recommended shift plan, headless (text, JSON or a plan file)."""

from __future__ import annotations

from pathlib import Path

from workstation.cli.help import describe
from workstation.cli.progress import add_quiet_option, progress_line
from workstation.cli.scenario_options import add_scenario_options, scenario_from_args
from workstation.errors import InputError


DESCRIPTION = ('Recommend response officers per unit and shift, and lending between units, from '
               'population present, demand, harm weights and response standards (Erlang C). Prints '
               'the plan, or writes it as a workbook, CSV or JSON by the extension of --out.')
EXAMPLES = (
    'workstation plan --officers 900 --day saturday',
    'workstation plan --scenario autumn.ldwproj --out plan.xlsx',
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "plan", help="recommend officers per unit and shift, and lending between units")
    describe(parser, DESCRIPTION, EXAMPLES)
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    parser.add_argument("--out", metavar="PATH",
                        help="write the plan: .xlsx (workbook), .csv or .json by extension")
    add_quiet_option(parser)
    add_scenario_options(parser)
    parser.set_defaults(func=run)


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
    from workstation.atomic import check_writable
    from workstation.cli.output import print_json, print_table
    from workstation.datapack import load_pack
    from workstation.deploy import recommend

    out = check_writable(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".xlsx", ".csv", ".json"):
        raise InputError(f"--out {out.name}: unknown plan format", path=out,
                         expected="a .xlsx, .csv or .json file name")
    scenario = scenario_from_args(args)
    with progress_line(args, "plan") as progress:
        plan = recommend(load_pack(args.data), scenario, progress=progress)
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
