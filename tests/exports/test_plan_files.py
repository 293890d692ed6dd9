"""Plan exports (XLSX, CSV, JSON): values match the plan, numbers stay numbers."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from workstation.errors import OutputError
from workstation.exports import write_plan_csv, write_plan_json
from workstation.exports.plan_xlsx import write_plan_xlsx


def _sheet_frame(sheet) -> tuple[list[str], list[tuple]]:
    rows = list(sheet.iter_rows(values_only=True))
    return list(rows[0]), rows[1:]


def test_xlsx_sheets_values_and_formats(small_plan, tmp_path):
    path = write_plan_xlsx(small_plan, tmp_path / "plan.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Plan", "Lending", "Hourly", "Impact", "Assumptions"]
    plan_sheet = book["Plan"]
    header, rows = _sheet_frame(plan_sheet)
    assert plan_sheet.freeze_panes == "A2"
    assert len(rows) == len(small_plan.plan)
    col = {name: i for i, name in enumerate(header)}
    camden = [r for r in rows if r[col["Unit"]] == "Camden"][0]
    assert camden[col["Home strength"]] == 30 and isinstance(camden[col["Home strength"]], int)
    assert camden[col["Final"]] == 25
    assert camden[col["Lent to"]] == "City of London (3), Islington (2)"
    city = [r for r in rows if r[col["Unit"]] == "City of London"][0]
    assert city[col["Borrowed from"]] == "Camden (3)"
    share = city[col["Share within standard (plan)"]]
    assert isinstance(share, float) and share == pytest.approx(0.9)
    share_cell = plan_sheet.cell(row=2, column=col["Share within standard (plan)"] + 1)
    assert share_cell.number_format == "0.0%"
    # lending and hourly are numbers too
    _, lending = _sheet_frame(book["Lending"])
    assert len(lending) == len(small_plan.lending)
    assert all(isinstance(r[6], (int, float)) for r in lending)
    _, hourly = _sheet_frame(book["Hourly"])
    assert len(hourly) == len(small_plan.hourly)
    assert hourly[0][3] == pytest.approx(small_plan.hourly["population_present"].iloc[0])
    _, impact = _sheet_frame(book["Impact"])
    assert impact[0][-1] == small_plan.impact["statement"].iloc[0]


def test_xlsx_assumptions_hold_every_scenario_value(small_plan, tmp_path):
    book = load_workbook(write_plan_xlsx(small_plan, tmp_path / "plan.xlsx"))
    _, rows = _sheet_frame(book["Assumptions"])
    named = {name: value for _, name, value in rows}
    for key in small_plan.scenario.to_dict():
        if key not in ("standards", "extra"):
            assert key in named, key
    assert named["officers_on_duty"] == small_plan.scenario.officers_on_duty
    assert named["standards.I.standard_minutes"] == 15.0
    assert named["floor_share"] == pytest.approx(0.75)
    assert "Queueing: Erlang C (unit test)." in named.values()
    assert "Unit-test basis line: hand-built numbers." in named.values()


def test_csv_round_trip(small_plan, tmp_path):
    path = write_plan_csv(small_plan, tmp_path / "plan.csv")
    frame = pd.read_csv(path)
    assert len(frame) == len(small_plan.plan)
    assert frame["final"].sum() == small_plan.plan["final"].sum()
    assert (frame["day_type"].unique().tolist() == ["weekday", "saturday"])
    lending = pd.read_csv(write_plan_csv(small_plan, tmp_path / "l.csv", table="lending"))
    assert lending["officers"].sum() == small_plan.lending["officers"].sum()


def test_json_stable_keys(small_plan, tmp_path):
    data = json.loads(write_plan_json(small_plan, tmp_path / "plan.json").read_text())
    assert list(data) == ["format", "version", "scenario", "basis", "method", "totals",
                          "solver", "plan", "lending", "hourly", "impact"]
    assert data["scenario"]["day_types"] == ["weekday", "saturday"]
    assert data["plan"][0]["home"] == 6
    assert sum(r["officers"] for r in data["lending"]) == small_plan.lending["officers"].sum()
    assert set(data["impact"][0]) >= {"statement", "worst_hour", "cover_change_points"}


def test_unwritable_targets_raise_output_error_and_leave_nothing(small_plan, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for writer in (write_plan_xlsx, write_plan_csv, write_plan_json):
        with pytest.raises(OutputError):
            writer(small_plan, blocker / "plan.out")
        with pytest.raises(OutputError):
            writer(small_plan, tmp_path / "missing" / "plan.out")
    existing_dir = tmp_path / "dir.xlsx"
    existing_dir.mkdir()
    with pytest.raises(OutputError):
        write_plan_xlsx(small_plan, existing_dir)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "dir.xlsx"]
