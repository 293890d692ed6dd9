"""Scenario panel: edits are undoable, invalid values are shown and not applied, the
recommendation runs in a worker and can be cancelled."""

import pytest
from PySide6.QtWidgets import QLineEdit, QMessageBox

from plan_samples import slow_sample_recommend
from workstation.app.dialogs import ERROR_DIALOG_NAME
from workstation.app.plan_view import PlanView
from workstation.app.scenario_panel import ScenarioPanel
from workstation.deploy import recommend
from workstation.deploy.scenario import HARM_WEIGHTS_KEY, DeploymentScenario
from workstation.domain import DayType


@pytest.fixture
def panel(qtbot, session, pool):
    panel = ScenarioPanel(session, workers=pool)
    qtbot.addWidget(panel)
    return panel


def _enter(edit: QLineEdit, text: str) -> None:
    edit.setText(text)
    edit.editingFinished.emit()


def test_widgets_show_the_session_scenario(panel, session):
    s = session.scenario
    assert panel.widget_for("officers_on_duty").value() == s.officers_on_duty
    assert panel.widget_for("floor_share").value() == pytest.approx(s.floor_share * 100)
    assert panel.widget_for("shifts").text() == "07-15, 15-23, 23-07"
    assert panel.widget_for("standards.I.standard_minutes").value() == 15
    assert panel.day_checks[DayType.SATURDAY].isChecked()
    assert not panel.day_checks[DayType.FRIDAY].isChecked()


def test_every_input_has_a_tooltip(panel):
    for widget in (panel.widget_for("officers_on_duty"), panel.widget_for("floor_share"), panel.widget_for("max_lending_minutes"), panel.widget_for("blue_light_speed_kmh"),
                   panel.widget_for("shifts"), panel.widget_for("units"), panel.widget_for("include_visitors"),
                   panel.widget_for("demand_follows_population"), panel.widget_for("non_crime_multiplier"), panel.widget_for("hotspot_visits_per_hour"),
                   panel.widget_for("visibility_floor_per_borough"), panel.widget_for("standards.S.target_share")):
        assert len(widget.toolTip()) > 30, widget


def test_edits_are_undoable(panel, session, tmp_path):
    original = session.scenario
    panel.widget_for("officers_on_duty").setValue(2600)
    panel.widget_for("floor_share").setValue(60)
    panel.widget_for("include_visitors").setChecked(False)
    panel.day_checks[DayType.FRIDAY].setChecked(True)
    weights = tmp_path / "weights.csv"
    weights.write_text("crime_type,weight\nBurglary,438\n", encoding="utf-8")
    _enter(panel.widget_for(HARM_WEIGHTS_KEY), str(weights))
    s = session.scenario
    assert (s.officers_on_duty, s.floor_share, s.include_visitors) == (2600, 0.6, False)
    assert DayType.FRIDAY in s.day_types
    assert s.extra[HARM_WEIGHTS_KEY] == str(weights)
    assert session.undo_stack.count() == 5 and session.dirty

    for _ in range(4):
        session.undo_stack.undo()
    assert session.scenario.officers_on_duty == 2600
    assert session.scenario.floor_share == 0.75
    assert panel.widget_for("floor_share").value() == 75              # the form follows the session
    assert panel.widget_for("include_visitors").isChecked()
    session.undo_stack.undo()
    assert session.scenario == original
    assert panel.widget_for("officers_on_duty").value() == original.officers_on_duty
    session.undo_stack.redo()
    assert session.scenario.officers_on_duty == 2600 and panel.widget_for("officers_on_duty").value() == 2600


def test_invalid_standard_is_shown_and_not_applied(panel, session):
    before, steps = session.scenario, session.undo_stack.count()
    panel.widget_for("standards.I.standard_minutes").setValue(5)      # below the 8-minute travel to scene
    assert session.scenario == before
    assert session.undo_stack.count() == steps
    assert "more than the travel time to scene" in panel.error_message
    assert "standards.I.standard_minutes" in panel.error_message
    assert panel.widget_for("standards.I.standard_minutes").property("invalid")
    panel.widget_for("standards.I.standard_minutes").setValue(20)     # fixing it clears the message
    assert session.scenario.standards[0].standard_minutes == 20
    assert panel.error_message == ""


def test_invalid_shift_pattern_is_shown_and_not_applied(panel, session):
    before = session.scenario
    _enter(panel.widget_for("shifts"), "07-15, 15-23")
    assert session.scenario == before
    assert "cover each hour of the day exactly once" in panel.error_message
    _enter(panel.widget_for("shifts"), "7-19")
    assert "cover each hour" in panel.error_message
    _enter(panel.widget_for("shifts"), "07-19, 19-07")
    assert [s.name for s in session.scenario.shifts] == ["07-19", "19-07"]
    assert panel.error_message == ""


def test_zero_speed_and_no_day_types_are_refused(panel, session):
    before = session.scenario
    panel.widget_for("blue_light_speed_kmh").setValue(0)
    assert "above 0 km/h" in panel.error_message and session.scenario == before
    for box in panel.day_checks.values():
        box.setChecked(False)
    assert "at least one day type" in panel.error_message
    assert session.scenario.day_types      # never emptied


def test_missing_weights_file_is_refused(panel, session, tmp_path):
    before = session.scenario
    _enter(panel.widget_for(HARM_WEIGHTS_KEY), str(tmp_path / "nope.csv"))
    assert "file not found" in panel.error_message and "nope.csv" in panel.error_message
    assert session.scenario == before
    _enter(panel.widget_for(HARM_WEIGHTS_KEY), "")
    assert panel.error_message == ""


def test_recommend_runs_in_worker_and_fills_plan_table(qtbot, panel, session):
    view = PlanView(session)
    qtbot.addWidget(view)
    session.set_scenario(DeploymentScenario(day_types=(DayType.SATURDAY,)))
    panel._recommend_fn = recommend
    with qtbot.waitSignal(session.sig_plan_changed, timeout=120_000):
        task = panel.recommend()
        assert task is not None
        assert not panel.recommend_button.isEnabled() and panel.cancel_button.isEnabled()
    assert session.plan is not None
    assert session.plan.scenario == session.scenario
    assert panel.recommend_button.isEnabled() and not panel.cancel_button.isEnabled()
    units = 33 if session.scenario.units == "borough" else 13
    assert view.plan_model.rowCount() == len(session.plan.plan) >= units
    assert set(view.plan_model.frame["day_type"]) == {"saturday"}


def test_cancel_stops_the_recommendation(qtbot, panel, session):
    panel._recommend_fn = lambda *a, **k: slow_sample_recommend(*a, steps=10**10, **k)
    task = panel.recommend()
    with qtbot.waitSignal(task.sig_progress, timeout=60_000):
        pass
    with qtbot.waitSignal(task.sig_cancelled, timeout=60_000):
        qtbot.mouseClick(panel.cancel_button, __import__("PySide6").QtCore.Qt.MouseButton.LeftButton)
    assert session.plan is None
    assert panel.recommend_button.isEnabled() and not panel.progress.isVisible()


def test_engine_failure_shows_error_and_keeps_session(qtbot, panel, session):
    def broken(*args, progress, cancel, **kwargs):
        raise ZeroDivisionError("division by zero")
    panel._recommend_fn = broken
    task = panel.recommend()
    with qtbot.waitSignal(task.sig_failed, timeout=60_000):
        pass
    box = panel.findChild(QMessageBox, ERROR_DIALOG_NAME)
    assert box is not None
    assert "ZeroDivisionError" in box.text()
    assert "workstation.log" in box.informativeText()       # unexpected: names the log file
    assert session.plan is None


def test_nan_project_is_refused_on_open_and_the_app_keeps_working(qtbot, session, pool,
                                                                    tmp_path, monkeypatch):
    """Issue 18: a project with NaN in a scenario field used to open and then crash."""
    import json

    from PySide6.QtWidgets import QMainWindow

    from workstation.app import actions as actions_module
    from workstation.app.actions import build_actions
    from workstation.project import ProjectFile, project_to_dict

    shown = []
    monkeypatch.setattr(actions_module, "show_error",
                        lambda parent, exc, title="": shown.append(str(exc)))
    window = QMainWindow()
    qtbot.addWidget(window)
    actions = build_actions(window, session, workers=pool)
    actions.ask_unsaved = lambda: "discard"
    text = json.dumps(project_to_dict(ProjectFile(scenario=DeploymentScenario())))
    path = tmp_path / "nan.ldwproj"
    path.write_text(text.replace('"max_lending_minutes": 20.0', '"max_lending_minutes": NaN'))
    before = session.scenario
    assert actions.open_project(path) is False
    assert len(shown) == 1 and str(path) in shown[0]
    assert "max_lending_minutes" in shown[0] and "between 0 and 120 minutes" in shown[0]
    assert session.scenario == before and session.project_path is None


def test_form_is_generated_from_the_field_descriptions(panel):
    from workstation.deploy.scenario import FIELDS
    for name, spec in FIELDS.items():
        if not spec.group or spec.kind == "standards":
            continue
        widget = panel.widget_for(name)
        assert spec.help[:40] in widget.toolTip(), name
        if spec.kind in ("int", "float"):
            assert widget.maximum() == pytest.approx(spec.maximum * spec.display_scale), name
    # the spin box holds the described range (5-100 %), shown scaled
    availability = panel.widget_for("officer_availability")
    availability.setValue(1)
    assert availability.value() == 5
    assert panel.session.scenario.officer_availability == pytest.approx(0.05)
