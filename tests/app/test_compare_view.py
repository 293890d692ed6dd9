"""Compare view: both scenarios run in workers; differences per unit and totals."""

import pytest

from plan_samples import sample_plan
from workstation.app.compare_view import CompareView, compare_plans, compare_totals
from workstation.deploy import recommend
from workstation.deploy.scenario import DeploymentScenario
from workstation.domain import DayType


def test_compare_plans_and_totals(pack):
    boroughs = pack.table("boroughs")
    scenario = DeploymentScenario(day_types=(DayType.SUNDAY,))
    a = sample_plan(boroughs, scenario)
    b = sample_plan(boroughs, scenario.with_changes(name="More officers"), extra_officers=5)
    diff = compare_plans(a, b)
    assert len(diff) == 33 * 3
    assert (diff["final_change"] == 5).all()
    assert (diff["share_change_points"] > 0).all()
    totals = compare_totals(a, b).set_index("measure")
    assert totals.loc["Officer-shifts deployed (final)", "change"] == 5 * 33 * 3
    assert totals.loc["Unit-shifts short of required", "change"] < 0


def test_b_edits_and_validation(qtbot, session, pool):
    view = CompareView(session, workers=pool)
    qtbot.addWidget(view)
    view.copy_a_to_b()
    assert session.comparison_scenario.name == "Baseline (B)"
    view.b_inputs["max_lending_minutes"].setValue(0)
    assert session.comparison_scenario.max_lending_minutes == 0
    assert session.scenario.max_lending_minutes == 20.0          # A untouched
    before = session.comparison_scenario
    view.b_inputs["floor_share"].setValue(100)
    view.b_inputs["officers_on_duty"].setValue(2000)
    assert session.comparison_scenario.officers_on_duty == 2000
    assert session.comparison_scenario.floor_share == 1.0
    assert before.officers_on_duty == DeploymentScenario().officers_on_duty


def test_run_both_fills_differences(qtbot, session, pool):
    session.set_scenario(DeploymentScenario(day_types=(DayType.WEEKDAY,)))
    view = CompareView(session, workers=pool, recommend_fn=recommend)
    qtbot.addWidget(view)
    view.copy_a_to_b()
    view.b_inputs["officers_on_duty"].setValue(2800)
    with qtbot.waitSignal(session.sig_comparison_changed, timeout=180_000):
        view.run_both()
    assert session.plan.scenario.officers_on_duty == DeploymentScenario().officers_on_duty
    assert session.comparison_plan.scenario.officers_on_duty == 2800
    assert view.diff_model.rowCount() == len(session.plan.plan)
    assert view.totals_model.rowCount() == 5
    assert view.run_button.isEnabled()
    view.b_inputs["officers_on_duty"].setValue(2900)
    assert "changed since the run" in view.status_label.text()
