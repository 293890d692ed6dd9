"""Plan exports (XLSX, CSV, JSON) of the real engine's plan: values match the plan,
numbers stay numbers, every assumption and weight travels with the plan."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from workstation.deploy.scenario import FIELDS, STANDARD_FIELDS
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


DAY_LABELS = {"weekday": "Mon–Thu", "friday": "Fri", "saturday": "Sat", "sunday": "Sun"}


def test_xlsx_sheets_frozen_headers_and_widths(book, real_plan):
    assert book.sheetnames == ["Plan", "Plan Mon–Thu", "Plan Sat", "Plan Sun", "Lending",
                               "Hourly", "Impact", "Assumptions"]
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


def test_xlsx_tables_print_setup_labels_and_risk(book, real_plan):
    """Every sheet is an Excel Table over its whole block, prints landscape one page wide
    with the header row repeated and a footer (scenario, date, page); day types read
    Mon–Thu/Sat/Sun; the Risk column holds the engine's grade and reason per unit-shift."""
    from workstation.exports.tables import risk_from_statement
    for sheet in book.worksheets:
        tables = list(sheet.tables.values())
        assert len(tables) == 1, sheet.title
        assert tables[0].ref == sheet.dimensions, sheet.title
        assert sheet.auto_filter.ref is None, sheet.title    # the Table's own filter only
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$1:$1", sheet.title
        assert sheet.oddFooter.left.text == real_plan.scenario.name
        assert re.fullmatch(r"\d{2} \w{3} \d{4}", sheet.oddFooter.center.text)
        assert sheet.oddFooter.right.text == "Page &P of &N"
    assert len({t.displayName for s in book.worksheets for t in s.tables.values()}) == 8
    header, rows = _records(book["Plan"])
    assert header[header.index("Shift") + 1] == "Risk" and header[-1].startswith("Risk reason")
    assert {r["Day type"] for r in rows} == {"Mon–Thu", "Sat", "Sun"}
    for title, day in (("Plan Mon–Thu", "weekday"), ("Plan Sat", "saturday")):
        _, day_rows = _records(book[title])
        assert {r["Day type"] for r in day_rows} == {DAY_LABELS[day]}
        assert len(day_rows) == (real_plan.plan["day_type"].astype(str) == day).sum()
    for name in ("Hourly", "Lending", "Impact"):
        _, other = _records(book[name])
        assert {r["Day type"] for r in other} <= set(DAY_LABELS.values()), name
    # Risk = the engine's grade: its plan fields if present, else its statement
    impact = real_plan.impact.assign(day=real_plan.impact["day_type"].astype(str).map(
        DAY_LABELS)).set_index(["unit_code", "day", "shift"])["statement"]
    levels = set()
    for row in rows:
        key = (row["Unit code"], row["Day type"], row["Shift"])
        if "risk_level" in real_plan.plan.columns:
            continue
        want = risk_from_statement(impact.get(key))
        assert (row["Risk"], row["Risk reason"] or "") == want, key
        levels.add(row["Risk"])
    assert levels <= {"HIGH", "MEDIUM", "LOW", "NONE"}
    if "risk_level" not in real_plan.plan.columns:
        assert {"MEDIUM", "LOW"} <= levels


def test_risk_from_statement():
    from workstation.exports.tables import risk_from_statement
    assert risk_from_statement("Barnet, weekday 07-15: 26 officers (-3). Within standard: "
                               "I-grade 87% -> 87%; loses cover but stays above target: "
                               "LOW risk.") == ("LOW", "loses cover but stays above target")
    assert risk_from_statement("X: HIGH risk.") == ("HIGH", "")
    assert risk_from_statement("no change") == ("NONE", "")
    assert risk_from_statement(float("nan")) == ("NONE", "")


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
    labelled = real_plan.plan.assign(day_type=real_plan.plan["day_type"].astype(str).map(
        DAY_LABELS))
    expected = labelled.set_index(["unit_code", "day_type", "shift"])
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
    if len(real_plan.lending):                            # the real plan lends officers
        assert sum(r["Borrowed"] for r in rows) == real_plan.lending["officers"].sum()


def test_xlsx_lending_hourly_impact(book, real_plan):
    header, lending = _records(book["Lending"])
    assert header == ["Day type", "Shift", "From code", "From", "To code", "To", "Officers",
                      "Travel (minutes)"]
    assert len(lending) == len(real_plan.lending) > 0
    for row, want in zip(lending, real_plan.lending.itertuples(index=False)):
        assert row["Day type"] == DAY_LABELS[str(getattr(want.day_type, "value",
                                                         want.day_type))]
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
    grades = dict(STANDARD_FIELDS["grade"].choices)
    for name, spec in FIELDS.items():      # labelled from the field descriptions
        value = getattr(real_plan.scenario, name)
        if spec.kind == "standards":
            for standard in value:
                grade = grades[standard.grade]
                assert scenario[f"{grade}: standard (minutes)"] == standard.standard_minutes
                assert scenario[f"{grade}: target (share)"] == \
                    pytest.approx(standard.target_share)
        elif spec.kind in ("int", "float"):
            assert scenario[spec.label_with_unit] == pytest.approx(value), name
        elif spec.kind == "extra":
            assert any(key.startswith(spec.label) for key in scenario), name
        else:
            assert spec.label_with_unit in scenario or spec.label in scenario, name


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
