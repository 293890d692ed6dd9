"""Plan exports (XLSX, CSV, JSON) of the real engine's plan: values match the plan,
numbers stay numbers, every assumption and weight travels with the plan."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from workstation.errors import OutputError
from workstation.exports import write_plan_csv, write_plan_json
from workstation.exports.plan_xlsx import write_plan_xlsx
from workstation.exports.tables import demand_type_rows, harm_weight_rows


@pytest.fixture(scope="module")
def book(real_plan, exports_dir):
    return load_workbook(write_plan_xlsx(real_plan, exports_dir / "plan.xlsx"))


def _records(sheet) -> tuple[list[str], list[dict]]:
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    return header, [dict(zip(header, row)) for row in rows[1:]]


def _partners(text: str | None) -> dict[str, int]:
    """"Westminster (6), Islington (3)" -> {"Westminster": 6, "Islington": 3}."""
    return {name: int(n) for name, n in re.findall(r"([^,(]+?) \((\d+)\)", text or "")}


def test_xlsx_sheets_frozen_headers_and_widths(book, real_plan):
    assert book.sheetnames == ["Plan", "Lending", "Hourly", "Impact", "Assumptions"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.bold for cell in sheet[1]), sheet.title
    plan_sheet = book["Plan"]
    header, _ = _records(plan_sheet)
    widths = {name: plan_sheet.column_dimensions[get_column_letter(i)].width
              for i, name in enumerate(header, start=1)}
    longest_name = real_plan.plan["unit_name"].str.len().max()   # Hammersmith and Fulham
    assert widths["Unit"] >= longest_name
    assert all(8 <= width <= 60 for width in widths.values()), widths
    assert plan_sheet.auto_filter.ref == plan_sheet.dimensions


def test_xlsx_plan_rows_equal_the_plan(book, real_plan):
    sheet = book["Plan"]
    header, rows = _records(sheet)
    for name in ("Unit code", "Unit", "Day type", "Shift", "Home strength", "Required",
                 "Final", "Lent", "Lent to", "Borrowed", "Borrowed from",
                 "Share within standard (plan)", "Share within standard (static)"):
        assert name in header, name
    # optional engine columns travel too when the engine provides them
    for field, name in (("static_home", "Static strength"),
                        ("s_share_within_standard", "S-grade share within standard (plan)")):
        assert (name in header) == (field in real_plan.plan.columns), name
    assert len(rows) == len(real_plan.plan) == 32 * 3 * 3
    expected = real_plan.plan.set_index(["unit_code", "day_type", "shift"])
    for row in rows:
        want = expected.loc[(row["Unit code"], row["Day type"], row["Shift"])]
        for column, field in (("Home strength", "home"), ("Static strength", "static_home"),
                              ("Required", "required"), ("Final", "final"),
                              ("Lent", "lent"), ("Borrowed", "borrowed")):
            if column not in row:
                continue
            assert type(row[column]) is int and row[column] == want[field], (row, column)
        for column, field in (("Share within standard (plan)", "share_within_standard"),
                              ("Share within standard (static)",
                               "static_share_within_standard")):
            assert isinstance(row[column], float)
            assert row[column] == pytest.approx(want[field])
        # the partner lists agree with the counts and the lending table
        assert sum(_partners(row["Lent to"]).values()) == row["Lent"]
        assert sum(_partners(row["Borrowed from"]).values()) == row["Borrowed"]
    share_col = header.index("Share within standard (plan)") + 1
    assert sheet.cell(row=2, column=share_col).number_format == "0.0%"
    assert any(r["Borrowed"] > 0 for r in rows)          # the real plan lends


def test_xlsx_lending_hourly_impact(book, real_plan):
    header, lending = _records(book["Lending"])
    assert header == ["Day type", "Shift", "From code", "From", "To code", "To", "Officers",
                      "Travel (minutes)"]
    assert len(lending) == len(real_plan.lending) > 0
    for row, want in zip(lending, real_plan.lending.itertuples(index=False)):
        assert (row["From"], row["To"], row["Shift"]) == (want.from_name, want.to_name,
                                                          want.shift)
        assert type(row["Officers"]) is int and row["Officers"] == want.officers
        assert isinstance(row["Travel (minutes)"], (int, float))  # 18.0 reads back as 18
        assert row["Travel (minutes)"] == pytest.approx(want.travel_minutes)
        assert row["Travel (minutes)"] <= real_plan.scenario.max_lending_minutes
    _, hourly = _records(book["Hourly"])
    assert len(hourly) == len(real_plan.hourly)
    sums = pd.DataFrame(hourly)[["Population present", "Demand per hour", "Allocated"]].sum()
    assert sums["Population present"] == pytest.approx(real_plan.hourly["population_present"].sum())
    assert sums["Demand per hour"] == pytest.approx(real_plan.hourly["demand_per_hour"].sum())
    assert sums["Allocated"] == real_plan.hourly["allocated"].sum()
    _, impact = _records(book["Impact"])
    assert [r["Statement"] for r in impact] == real_plan.impact["statement"].tolist()
    assert [r["Officer change"] for r in impact] == real_plan.impact["officer_change"].tolist()


def test_xlsx_assumptions_hold_every_scenario_value_and_weight(book, real_plan):
    _, rows = _records(book["Assumptions"])
    by_section: dict[str, dict] = {}
    for row in rows:
        by_section.setdefault(row["Section"], {})[row["Name"]] = row["Value"]
    scenario = by_section["scenario"]
    for key, value in real_plan.scenario.to_dict().items():
        if key == "standards":
            for standard in value:
                assert scenario[f"standards.{standard['grade']}.standard_minutes"] == \
                    standard["standard_minutes"]
                assert scenario[f"standards.{standard['grade']}.target_share"] == \
                    pytest.approx(standard["target_share"])
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            assert scenario[key] == pytest.approx(value), key
        else:
            assert key in scenario, key
    assert scenario["officers_on_duty"] == 890 and scenario["shifts"] == "07-15, 15-23, 23-07"
    # weights: every demand type's grade shares, officer time and harm weight; every CSS weight
    types = by_section["demand type"]
    table = demand_type_rows(real_plan)
    assert len(table) >= 10
    for entry in table:
        assert types[f"{entry['demand_type']}: share_immediate"] == entry["share_immediate"]
        assert types[f"{entry['demand_type']}: officer_hours_per_incident"] == \
            entry["officer_hours_per_incident"]
    assert types["Mental health: harm_weight"] == 150
    harm = by_section["harm weight"]
    assert harm == {c: w for c, w, _ in harm_weight_rows(real_plan)}
    assert harm["Homicide"] > harm["Shoplifting"] > 0
    # totals flattened, one number per cell; basis and method lines verbatim
    totals = by_section["totals"]
    assert totals["officers_lent"] == real_plan.totals["officers_lent"]
    saturday = real_plan.totals["by_day_type"]["saturday"]
    assert totals["by_day_type.saturday.lent"] == saturday["lent"]
    assert not any(isinstance(v, str) and v.startswith("{") for v in totals.values())
    assert list(by_section["method"].values()) == list(real_plan.method)
    assert list(by_section["basis"].values()) == list(real_plan.basis)


def test_csv_round_trip(real_plan, exports_dir):
    frame = pd.read_csv(write_plan_csv(real_plan, exports_dir / "plan.csv"))
    assert len(frame) == len(real_plan.plan)
    assert frame["final"].sum() == real_plan.plan["final"].sum()
    if "static_home" in real_plan.plan:
        assert frame["static_home"].sum() == real_plan.plan["static_home"].sum()
    assert frame["day_type"].unique().tolist() == ["weekday", "saturday", "sunday"]
    lending = pd.read_csv(write_plan_csv(real_plan, exports_dir / "l.csv", table="lending"))
    assert lending["officers"].sum() == real_plan.lending["officers"].sum()


def test_json_stable_keys(real_plan, exports_dir):
    data = json.loads(write_plan_json(real_plan, exports_dir / "plan.json").read_text())
    assert list(data) == ["format", "version", "scenario", "basis", "method", "totals",
                          "solver", "plan", "lending", "hourly", "impact"]
    assert data["scenario"]["day_types"] == ["weekday", "saturday", "sunday"]
    assert [r["home"] for r in data["plan"]] == real_plan.plan["home"].tolist()
    assert sum(r["officers"] for r in data["lending"]) == real_plan.lending["officers"].sum()
    assert data["totals"]["by_day_type"]["weekday"]["home"] == \
        real_plan.totals["by_day_type"]["weekday"]["home"]
    assert set(data["impact"][0]) >= {"statement", "worst_hour", "cover_change_points"}


def test_unwritable_targets_raise_output_error_and_leave_nothing(real_plan, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for writer in (write_plan_xlsx, write_plan_csv, write_plan_json):
        with pytest.raises(OutputError):
            writer(real_plan, blocker / "plan.out")
        with pytest.raises(OutputError):
            writer(real_plan, tmp_path / "missing" / "plan.out")
    existing_dir = tmp_path / "dir.xlsx"
    existing_dir.mkdir()
    with pytest.raises(OutputError):
        write_plan_xlsx(real_plan, existing_dir)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "dir.xlsx"]
