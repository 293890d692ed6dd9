"""Plan view: numeric sorting, day/shift filter, shortfall highlight, lending, impact."""

import pytest
from PySide6.QtCore import Qt

from plan_samples import sample_plan
from workstation.app.plan_view import SHORTFALL_BRUSH, PlanView
from workstation.app.session import Session
from workstation.deploy.scenario import DeploymentScenario
from workstation.domain import DayType


@pytest.fixture
def view(qtbot, pack):
    session = Session(pack)
    view = PlanView(session)
    qtbot.addWidget(view)
    scenario = DeploymentScenario(day_types=(DayType.WEEKDAY, DayType.SATURDAY))
    session.set_plan(sample_plan(pack.table("boroughs"), scenario))
    return view


def _column(view, key):
    return [c.key for c in view.plan_model.columns].index(key)


def test_table_filled_from_plan(view):
    assert view.plan_model.rowCount() == 33 * 2 * 3
    assert view.plan_proxy.rowCount() == 33 * 2 * 3
    assert view.day_combo.count() == 3 and view.shift_combo.count() == 4


def test_numbers_right_aligned_and_formatted(view):
    index = view.plan_model.index(0, _column(view, "home"))
    align = view.plan_model.data(index, Qt.ItemDataRole.TextAlignmentRole)
    assert align & int(Qt.AlignmentFlag.AlignRight)
    share = view.plan_model.index(0, _column(view, "share_within_standard"))
    assert view.plan_model.data(share).endswith("%")
    name = view.plan_model.index(0, _column(view, "unit_name"))
    assert not view.plan_model.data(name, Qt.ItemDataRole.TextAlignmentRole) & int(
        Qt.AlignmentFlag.AlignRight)


def test_sorts_numerically_not_as_text(view):
    view.plan_table.sortByColumn(_column(view, "required"), Qt.SortOrder.DescendingOrder)
    required = [row["required"] for row in view.visible_rows()]
    assert required == sorted(required, reverse=True)
    assert required[0] == 30 + 2 * 32          # Westminster, the 33rd borough
    view.plan_table.sortByColumn(_column(view, "final"), Qt.SortOrder.AscendingOrder)
    final = [row["final"] for row in view.visible_rows()]
    assert final == sorted(final)


def test_filter_by_day_type_and_shift(view):
    view.day_combo.setCurrentIndex(view.day_combo.findData("saturday"))
    rows = view.visible_rows()
    assert len(rows) == 33 * 3 and {r["day_type"] for r in rows} == {"saturday"}
    view.shift_combo.setCurrentIndex(view.shift_combo.findData("23-07"))
    rows = view.visible_rows()
    assert len(rows) == 33 and {r["shift"] for r in rows} == {"23-07"}
    assert view.lending_proxy.rowCount() == 1
    assert view.impact_list.count() == 1
    assert "City of London lends 3 officers" in view.impact_list.item(0).text()
    view.day_combo.setCurrentIndex(0)
    assert len(view.visible_rows()) == 33 * 2


def test_shortfall_rows_highlighted(view):
    model = view.plan_model
    frame = model.frame
    for row in range(len(frame)):
        short = frame.at[row, "final"] < frame.at[row, "required"]
        brush = model.data(model.index(row, 0), Qt.ItemDataRole.BackgroundRole)
        assert (brush == SHORTFALL_BRUSH) == short
    assert frame.apply(lambda r: r["final"] < r["required"], axis=1).sum() > 0
    assert "short of the required number" in view.summary.text()


def test_lending_list(view):
    model = view.lending_model
    assert model.rowCount() == 2 * 3
    assert model.frame.iloc[0]["from_name"] == "City of London"
    assert model.frame.iloc[0]["to_name"] == "Westminster"
    travel = model.index(0, [c.key for c in model.columns].index("travel_minutes"))
    assert model.data(travel) == "4.2"


def test_row_selection_selects_borough_in_session(view):
    view.plan_table.selectRow(0)
    assert view.session.selected_code == view.visible_rows()[0]["unit_code"]


def test_follow_time_bar(view):
    view.follow_check.setChecked(True)
    view.session.set_time(DayType.SATURDAY, 2)
    assert view.day_combo.currentData() == "saturday"
    assert view.shift_combo.currentData() == "23-07"


def test_clearing_plan_empties_table(view):
    view.session.set_plan(None)
    assert view.plan_model.rowCount() == 0 and view.lending_model.rowCount() == 0
    assert "No plan yet" in view.summary.text()


def test_stale_plan_is_flagged(view):
    session = view.session
    assert session.scenario != session.plan.scenario          # fixture plan: other day types
    assert "changed since this plan" in view.summary.text()
    session.set_scenario(session.plan.scenario)
    assert "changed since this plan" not in view.summary.text()
    session.set_scenario(session.scenario.with_changes(officers_on_duty=2000))
    assert "changed since this plan" in view.summary.text()
    session.undo_stack.undo()
    assert "changed since this plan" not in view.summary.text()
