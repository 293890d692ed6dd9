"""File menu round trips through the real Session: save -> new -> open restores the
scenario, comparison, view and incidents; old projects open; undo/redo; exports; help."""

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMainWindow, QMessageBox

from plan_samples import sample_plan
from workstation.app.actions import build_actions
from workstation.app.dialogs import ERROR_DIALOG_NAME, method_markdown
from workstation.app.session import Session
from workstation.app.workers import WorkerPool
from workstation.deploy.scenario import DeploymentScenario
from workstation.domain import DayType
from workstation.project import find_recovery, load_project, load_recent
from workstation.project.model import IncidentSource

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "projects"


@pytest.fixture
def pool(qtbot):
    pool = WorkerPool()
    yield pool
    assert pool.shutdown(60_000)


@pytest.fixture
def app(qtbot, pack, pool):
    window = QMainWindow()
    qtbot.addWidget(window)
    session = Session(pack)
    actions = build_actions(window, session, workers=pool)
    actions.ask_unsaved = lambda: "discard"
    actions.ask_locate_source = lambda check, reply: reply(None)   # skip a missing source
    return window, session, actions


@pytest.fixture(scope="module")
def august(shared_data, pack):
    from workstation.loaders import import_incidents
    path = shared_data / "police_uk_burglary" / "2019-08-metropolitan-street.csv.gz"
    return path, import_incidents(path, boroughs=pack.table("boroughs"))


def test_save_new_open_round_trip(qtbot, app, tmp_path, august):
    window, session, actions = app
    source_path, incidents = august
    session.set_scenario(DeploymentScenario(name="Autumn nights", officers_on_duty=2550,
                                            day_types=(DayType.FRIDAY, DayType.SATURDAY)))
    session.set_comparison_scenario(session.scenario.with_changes(name="No lending",
                                                                  max_lending_minutes=0.0))
    session.set_time(DayType.SATURDAY, 23)
    session.select("E09000033")
    session.set_incidents(incidents, source_path, IncidentSource(path=str(source_path)))
    visibility = {"hotspots": True, "stations": False}
    actions.layer_visibility_getter = lambda: visibility
    restored_layers = {}
    actions.layer_visibility_setter = restored_layers.update
    session_messages = []
    session.sig_status.connect(session_messages.append)

    actions.keep_incidents.setChecked(True)      # opt in to a copy of the rows (default off)
    target = tmp_path / "autumn"
    assert actions.save_project_as(target)
    saved = tmp_path / "autumn.ldwproj"
    assert saved.exists() and session.project_path == saved and not session.dirty
    assert "kept beside it in autumn.incidents/" in session_messages[-1]
    store = tmp_path / "autumn.incidents"
    assert len(list(store.glob("import-*.parquet"))) == 1
    assert "Burglary" not in saved.read_text(encoding="utf-8")   # no incident rows in JSON
    assert load_recent()[0] == saved.resolve()

    assert actions.new_project()
    assert session.scenario == DeploymentScenario() and session.incidents is None
    assert session.comparison_scenario is None and session.project_path is None

    assert actions.open_project(saved)
    qtbot.waitUntil(lambda: session.incidents is not None, timeout=60_000)   # loaded in a worker
    assert session.scenario.name == "Autumn nights"
    assert session.scenario.officers_on_duty == 2550
    assert session.comparison_scenario.max_lending_minutes == 0.0
    assert (session.day_type, session.hour, session.selected_code) == (DayType.SATURDAY, 23,
                                                                       "E09000033")
    assert restored_layers == visibility
    assert session.incidents.rows_placed == incidents.rows_placed
    assert session.incidents_path == source_path
    assert not session.dirty and session.undo_stack.count() == 0

    # Saving again reuses the stored import rather than writing another copy.
    session.set_scenario(session.scenario.with_changes(officers_on_duty=2600))
    assert session.dirty and actions.save_project()
    assert len(list(store.glob("import-*.parquet"))) == 1
    assert load_project(saved).scenario.officers_on_duty == 2600


def test_paths_only_when_the_user_turns_off_the_incident_copy(qtbot, app, tmp_path, august):
    """Issue 10: the project stores where incidents came from, not copies of the rows,
    when the user asks for that (File > Keep imported incidents with the project)."""
    window, session, actions = app
    source_path, incidents = august
    session.set_incidents(incidents, source_path, IncidentSource(path=str(source_path)))
    messages = []
    session.sig_status.connect(messages.append)
    assert not actions.keep_incidents.isChecked()      # default (issue 18): paths only
    try:
        assert actions.save_project_as(tmp_path / "paths")
        saved = tmp_path / "paths.ldwproj"
        assert not (tmp_path / "paths.incidents").exists()
        record = load_project(saved).incidents
        assert record.store_path is None and Path(record.path) == source_path
        assert "kept beside it" not in messages[-1]
        assert actions.new_project() and actions.open_project(saved)
        qtbot.waitUntil(lambda: session.incidents is not None, timeout=60_000)  # re-imported
        assert session.incidents.rows_placed == incidents.rows_placed
    finally:
        actions.keep_incidents.setChecked(False)


def test_v1_project_opens_and_reports_missing_incidents(qtbot, app):
    window, session, actions = app
    messages = []
    session.sig_status.connect(messages.append)
    assert actions.open_project(FIXTURES / "v1_carnival_sunday.ldwproj")
    assert session.scenario.name == "Carnival Sunday - extra lending"
    assert [s.name for s in session.scenario.shifts] == ["06-14", "14-22", "22-06"]
    assert any("Incidents not found" in m for m in messages)
    assert session.incidents is None and not session.dirty


def test_corrupt_project_shows_error_and_keeps_session(qtbot, app, tmp_path):
    window, session, actions = app
    session.set_scenario(DeploymentScenario(officers_on_duty=1999))
    bad = tmp_path / "bad.ldwproj"
    bad.write_text('{"format": "ldw-project", "version": 2, "scenario": {', encoding="utf-8")
    assert not actions.open_project(bad)
    box = window.findChild(QMessageBox, ERROR_DIALOG_NAME)
    assert box is not None and "not valid JSON" in box.text() and "bad.ldwproj" in box.text()
    assert session.scenario.officers_on_duty == 1999


def test_future_project_refused(qtbot, app, tmp_path):
    window, session, actions = app
    text = (FIXTURES / "v2_carnival_sunday.ldwproj").read_text().replace('"version": 2',
                                                                          '"version": 9')
    newer = tmp_path / "newer.ldwproj"
    newer.write_text(text)
    assert not actions.open_project(newer)
    assert "newer version" in window.findChild(QMessageBox, ERROR_DIALOG_NAME).text()


def test_autosave_and_recovery(qtbot, app, pack, pool):
    """A copy that ended without a clean exit (its lock released, as when its process
    died) leaves its recovery file; the next copy restores it and removes it."""
    window, session, actions = app
    other_window = QMainWindow()
    qtbot.addWidget(other_window)
    other_session = Session(pack)
    other = build_actions(other_window, other_session, workers=pool)
    assert other.autosave_now() is None                   # nothing unsaved
    other_session.set_scenario(DeploymentScenario(name="Unsaved work", officers_on_duty=2100))
    written = other.autosave_now()
    assert written is not None and written == other.recovery.slot.path
    assert find_recovery() is None                        # its copy is still running
    other.recovery._lock.unlock()                         # ...and now it is gone
    other.recovery._lock = None
    assert find_recovery().project.scenario.name == "Unsaved work"
    assert actions.check_recovery(ask=lambda rec: True)
    assert session.scenario.name == "Unsaved work" and session.dirty
    assert not written.exists() and actions.recovery.slot.path.exists()
    actions.shutdown()
    assert find_recovery() is None and not actions.recovery.slot.path.exists()


def test_undo_redo_actions(qtbot, app):
    window, session, actions = app
    assert not actions.undo.isEnabled()
    session.set_scenario(session.scenario.with_changes(floor_share=0.5), "Change floor")
    assert actions.undo.isEnabled() and "floor" in actions.undo.text().lower()
    actions.undo.trigger()
    assert session.scenario.floor_share == 0.75
    actions.redo.trigger()
    assert session.scenario.floor_share == 0.5
    assert actions.undo.shortcut().toString() == "Ctrl+Z"
    assert "Ctrl+Shift+Z" in [s.toString() for s in actions.redo.shortcuts()]
    assert actions.save_as.shortcut().toString() == "Ctrl+Shift+S"
    assert actions.import_incidents.shortcut().toString() == "Ctrl+I"
    assert actions.help_method.shortcut().toString() == "F1"


def test_exports_need_a_plan_then_write(qtbot, app, pack, tmp_path):
    window, session, actions = app
    assert not actions.export_plan_csv.isEnabled()
    session.set_plan(sample_plan(pack.table("boroughs")))
    assert actions.export_plan_csv.isEnabled()
    task = actions.export("plan_csv", tmp_path / "plan.csv")
    with qtbot.waitSignal(task.sig_finished, timeout=60_000):
        pass
    text = (tmp_path / "plan.csv").read_text(encoding="utf-8")
    assert "Westminster" in text and actions.last_export == tmp_path / "plan.csv"


def test_help_dialogs(qtbot, app, pack):
    window, session, actions = app
    session.set_plan(sample_plan(pack.table("boroughs")))
    from workstation.app import dialogs
    docs = dialogs.method_documents()
    assert docs, "docs/method*.md should ship with the app"
    text = method_markdown(session.plan)
    assert docs[0].read_text(encoding="utf-8").splitlines()[0] in text
    method = actions.show_method()
    assert docs[0].read_text(encoding="utf-8").splitlines()[0].lstrip("# ") in \
        method.browser.toPlainText()
    method.close()
    dialog = actions.show_data_sources()
    assert "data pack" in dialog.browser.toPlainText().lower()
    dialog.close()
    about = actions.show_about()
    assert pack.version in about.text()
    about.close()


def test_install_into_main_window(qtbot, pack, tmp_path):
    from PySide6.QtCore import QSettings

    from workstation.app.main_window import MainWindow

    session = Session(pack)
    settings = QSettings(str(tmp_path / "layout.ini"), QSettings.Format.IniFormat)
    window = MainWindow(session, settings=settings, background=False)
    qtbot.addWidget(window)
    actions = window.actions          # main_window builds them with build_actions()
    file_texts = [a.text() for a in window.menus["file"].actions()]
    assert "&Save project" in file_texts and "&Import incidents…" in file_texts
    assert "&Method" in [a.text() for a in window.menus["help"].actions()]
    layers = actions.layer_visibility_getter()
    assert {"choropleth", "hotspots", "stations"} <= set(layers)
    actions.layer_visibility_setter({"stations": False})
    assert actions.layer_visibility_getter()["stations"] is False
    assert actions.export_map_png.isEnabled()

    assert window.windowTitle().startswith("Untitled")
    session.set_scenario(session.scenario.with_changes(officers_on_duty=2000))
    assert window.isWindowModified()
    asked = []
    actions.ask_unsaved = lambda: asked.append(1) or "cancel"
    window.show()
    assert not window.close()                   # unsaved work: the user cancelled
    assert asked and window.isVisible()
    assert actions.save_project_as(tmp_path / "w.ldwproj")
    assert window.windowTitle().startswith("w") and not window.isWindowModified()
    assert window.close()


def test_method_falls_back_to_plan_lines(pack, monkeypatch):
    from workstation.app import dialogs
    monkeypatch.setattr(dialogs, "doc_folders", lambda: [])
    text = method_markdown(sample_plan(pack.table("boroughs")))
    assert "unit-test sample: fixed numbers" in text and "Data basis" in text
