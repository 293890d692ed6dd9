"""The app refuses bad input with a message, never a crash, and changes nothing: a bad
incident file in the import dialog and a bad project in File > Open leave the open project
(its scenario, incidents, path, unsaved flag) and its file on disk as they were.

The bad files are the same real-data cases as the CLI catalogue (test_bad_input_cli.py)."""

from __future__ import annotations

import pytest
from bad_input_cases import LOADER_ERRORS, project_text, real_inputs, set_value
from PySide6.QtWidgets import QWidget

from workstation.app.session import Session
from workstation.errors import InputError
from workstation.project import IncidentSource


@pytest.fixture(scope="module")
def real(shared_data):
    return real_inputs(shared_data)


@pytest.fixture(scope="module")
def month(shared_data, pack):
    """A real month, imported once: the open project's incidents."""
    from workstation.loaders import import_incidents
    path = shared_data / "police_uk_burglary" / "2019-08-metropolitan-street.csv.gz"
    return path, import_incidents(path, boroughs=pack.table("boroughs"))


class Captured(list):
    """Stands in for show_error: records (title, message) instead of opening a box."""

    def __call__(self, parent, exc, *, title="Error", context=""):
        self.append((title, str(exc), exc))
        return None


@pytest.fixture
def open_project(qtbot, pack, month, tmp_path, monkeypatch):
    """A window's Actions with a real project open: imported incidents, an edited
    scenario, saved to disk (with its incident store)."""
    from workstation.app import actions as actions_module
    from workstation.app import import_dialog as import_module
    from workstation.app.actions import build_actions

    captured = Captured()
    monkeypatch.setattr(actions_module, "show_error", captured)
    monkeypatch.setattr(import_module, "show_error", captured)
    widget = QWidget()
    qtbot.addWidget(widget)
    session = Session(pack)
    actions = build_actions(widget, session)
    path, incidents = month
    session.set_scenario(session.scenario.with_changes(officers_on_duty=901), "Edit officers")
    session.set_incidents(incidents, path, IncidentSource(path=str(path)))
    project_path = tmp_path / "open.ldwproj"
    assert actions.save_project_as(project_path)
    actions.ask_unsaved = lambda: "discard"
    yield actions, project_path, captured
    actions.autosave_timer.stop()
    actions.workers.shutdown(30_000)


def _state(actions):
    s = actions.session
    return (s.scenario, s.comparison_scenario, s.incidents, s.incidents_path,
            s.incidents_source, s.project_path, s.dirty, s.day_type, s.hour)


@pytest.mark.parametrize("builder", [c[1] for c in LOADER_ERRORS],
                         ids=[c[0] for c in LOADER_ERRORS])
def test_bad_import_shows_message_and_changes_nothing(builder, qtbot, open_project,
                                                      real, tmp_path):
    from workstation.app.import_dialog import ImportDialog

    actions, project_path, captured = open_project
    before, saved = _state(actions), project_path.read_bytes()
    bad = builder(tmp_path, real)
    dialog = ImportDialog(actions.session, workers=actions.workers, path=bad)
    qtbot.addWidget(dialog)
    if dialog.import_button.isEnabled():          # preview passed: the loader refuses it
        task = dialog.start_import()
        qtbot.waitUntil(lambda: task.done, timeout=60_000)
        qtbot.waitUntil(lambda: bool(captured), timeout=5_000)
        title, message, exc = captured[-1]
        assert title == "Import incidents"
        assert isinstance(exc, InputError)        # a user error, not a program fault
    else:                                          # refused at preview, shown in the dialog
        message = dialog.problem_label.text()
        assert not dialog.problem_label.isHidden()
    # The file is named with what is wrong (the dialog may word it differently from the
    # CLI: it previews first, e.g. a police.uk file missing Longitude reads as a table).
    assert bad.name in message and len(message.split(bad.name, 1)[1]) > 15, message
    assert _state(actions) == before
    assert project_path.read_bytes() == saved


BAD_PROJECTS = [
    ("corrupt JSON", lambda s: s[: len(s) // 2], "not valid JSON"),
    ("empty file", lambda s: "", "not valid JSON"),
    ("not UTF-8", lambda s: s.encode("utf-16"), "not UTF-8"),
    ("future version", set_value("version", 99), "newer version"),
    ("not a project", set_value("format", "something-else"), "not a workstation project"),
    ("negative officers", set_value("scenario.officers_on_duty", -40), "officers_on_duty"),
    ("0-minute standard", set_value("scenario.standards.0.standard_minutes", 0),
     "standard_minutes"),
    ("shifts do not cover the day", set_value("scenario.shifts", ["06-14", "14-22"]),
     "cover each hour"),
    ("view hour 24", set_value("view.hour", 24), "view hour"),
]


@pytest.mark.parametrize("edit,expect", [c[1:] for c in BAD_PROJECTS],
                         ids=[c[0] for c in BAD_PROJECTS])
def test_bad_project_shows_message_and_keeps_the_open_project(edit, expect, open_project,
                                                              tmp_path):
    actions, project_path, captured = open_project
    before, saved = _state(actions), project_path.read_bytes()
    bad = tmp_path / "damaged.ldwproj"
    content = edit(project_text())
    bad.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    bad_bytes = bad.read_bytes()

    assert actions.open_project(bad) is False
    title, message, _exc = captured[-1]
    assert title == "Open project"
    assert "damaged.ldwproj" in message and expect in message
    assert _state(actions) == before
    assert project_path.read_bytes() == saved and bad.read_bytes() == bad_bytes
