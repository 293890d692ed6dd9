"""Sensitive data: a saved project holds paths to the incident sources, never incident rows,
and after a real import, hotspots, plan, report and save (in the app, and in the CLI) the
log file holds no incident content: no Crime IDs and no street locations from the file."""

from __future__ import annotations

import gzip
import io
import json
import logging

import pandas as pd
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from workstation.app.session import Session
from workstation.domain import DayType

MONTH = "2019-08-metropolitan-street.csv.gz"


@pytest.fixture(scope="module")
def month(shared_data):
    path = shared_data / "police_uk_burglary" / MONTH
    frame = pd.read_csv(io.BytesIO(gzip.decompress(path.read_bytes())), dtype=str,
                        keep_default_na=False)
    return path, frame


@pytest.fixture(scope="module")
def secrets(month):
    """Row content that must never leave the analyst's file: Crime IDs and locations."""
    _path, frame = month
    ids = {v for v in frame["Crime ID"] if v}
    places = {v for v in frame["Location"] if v and v != "No Location"}
    assert len(ids) > 1000 and len(places) > 1000
    return ids | places


def _leaks(text: str, secrets: set[str]) -> list[str]:
    return sorted(s for s in secrets if s in text)[:5]


@pytest.fixture
def log_file(tmp_path):
    """Everything the workstation logs, at DEBUG, into one file (as configure_logging)."""
    path = tmp_path / "workstation.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root, ours = logging.getLogger(), logging.getLogger("workstation")
    old_level = ours.level
    root.addHandler(handler)
    ours.setLevel(logging.DEBUG)
    yield path
    root.removeHandler(handler)
    handler.close()
    ours.setLevel(old_level)


@pytest.fixture
def app(qtbot, pack, log_file, monkeypatch):
    from workstation.app import actions as actions_module
    from workstation.app import import_dialog as import_module
    from workstation.app.actions import build_actions
    from workstation.app.crash import CrashHandler

    errors = []
    capture = lambda parent, exc, **kw: errors.append(exc)  # noqa: E731 - no modal boxes
    monkeypatch.setattr(actions_module, "show_error", capture)
    monkeypatch.setattr(import_module, "show_error", capture)
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.actions = build_actions(widget, Session(pack))
    widget.actions.ask_unsaved = lambda: "discard"
    crash = CrashHandler(widget, log_path=log_file, show_dialog=False).install()
    yield widget.actions, errors, crash
    crash.uninstall()
    widget.actions.autosave_timer.stop()
    widget.actions.workers.shutdown(60_000)


def _wait(qtbot, task):
    qtbot.waitUntil(lambda: task.done, timeout=120_000)


@pytest.mark.qt_no_exception_capture
def test_app_workflow_saves_paths_and_logs_no_incident_rows(qtbot, app, month, secrets,
                                                            tmp_path, log_file):
    from workstation.app.import_dialog import ImportDialog
    from workstation.maps.map_hotspots import compute_map_hotspots
    from workstation.deploy import recommend

    actions, errors, crash = app
    s = actions.session
    source_path, frame = month

    # Import the real month through the import dialog, as the analyst would.
    dialog = ImportDialog(s, workers=actions.workers, path=source_path)
    qtbot.addWidget(dialog)
    _wait(qtbot, dialog.start_import())
    assert s.incidents is not None and s.incidents.rows_placed > 1000
    # A bad file built from the same real rows: refused, its message may quote one cell.
    bad = tmp_path / "2019-08-metropolitan-street.csv"
    bad.write_text(frame.head(30).to_csv(index=False).replace(",", ";"), encoding="utf-8")
    refused = ImportDialog(s, workers=actions.workers, path=bad)
    qtbot.addWidget(refused)
    assert bad.name in refused.problem_label.text()

    # Hotspots (the map's own computation; on the GUI thread here, see
    # test_app_import_crash.py for the worker-thread crash) and the plan.
    s.set_hotspots(compute_map_hotspots(s.pack, s.incidents).hotspots)
    assert len(s.hotspots.hotspots) > 0
    scenario = s.scenario.with_changes(day_types=(DayType.SUNDAY,))
    s.set_scenario(scenario, "Sunday only")
    s.set_plan(recommend(s.pack, scenario))

    # Partner-safe report as File > Export writes it (called here on the GUI thread: a
    # second worker task touching a CRS crashes, see test_app_import_crash.py), then save.
    from workstation.exports.report import write_report
    report = tmp_path / "report.pdf"
    write_report(s.plan, report, pack=s.pack, hotspots=s.hotspots, partner_safe=True)
    assert not errors, errors
    assert report.read_bytes().startswith(b"%PDF")
    project_path = tmp_path / "work.ldwproj"
    assert actions.save_project_as(project_path)

    # A program fault mid-session whose message quotes a real row.
    row = ",".join(frame.iloc[5].tolist())
    QTimer.singleShot(0, lambda: (_ for _ in ()).throw(ValueError(f"cannot parse\n{row}")))
    qtbot.waitUntil(lambda: crash.last_recovery is not None, timeout=5000)

    # The project: the source's path and fingerprint, no rows.
    text = project_path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["incidents"]["path"] == str(source_path)
    assert data["incidents"]["kind"] == "police_uk"
    assert len(text) < 20_000
    assert _leaks(text, secrets) == []
    # No copy of the rows unless the analyst opts in (issue 18): the source is kept by
    # path, size and SHA-256 only.
    assert data["incidents"]["store_path"] is None
    assert not (project_path.parent / "work.incidents").exists()
    assert len(data["incidents"]["sha256"]) == 64
    assert data["incidents"]["size_bytes"] == source_path.stat().st_size
    assert _leaks(crash.last_recovery.read_text(encoding="utf-8"), secrets) == []

    # The log: written to (the crash was logged), but no incident content.
    log = log_file.read_text(encoding="utf-8")
    assert "unhandled exception" in log and "ValueError: cannot parse" in log
    assert _leaks(log, secrets) == []

    # The partner-safe report quotes no Crime ID or street location either.
    from pypdf import PdfReader
    pdf_text = "\n".join(page.extract_text() or "" for page in PdfReader(report).pages)
    assert len(pdf_text) > 1000
    assert _leaks(pdf_text, {x for x in secrets if len(x) == 64}) == []


def test_cli_workflow_logs_no_incident_rows(blocked_workflow, secrets):
    """import + hotspots + plan + report of the same month from the CLI (logging at DEBUG):
    the log, if written, holds none of the file's Crime IDs or locations; nor do the
    partner-safe outputs."""
    wf = blocked_workflow
    assert wf.incidents_file.name == MONTH
    if wf.log_file.exists():
        assert _leaks(wf.log_file.read_text(encoding="utf-8"), secrets) == []
    for name in ("import", "hotspots", "plan", "report"):
        run = wf.runs[name]
        assert _leaks(run.stdout + run.stderr, secrets) == [], name
    assert _leaks(wf.outputs["hotspots"].read_bytes().decode("latin-1"), secrets) == []


def test_a_worker_fault_quoting_a_row_does_not_reach_the_log(qtbot, app, month, secrets,
                                                              log_file):
    actions, _errors, _crash = app
    _path, frame = month
    row = ",".join(frame.iloc[7].tolist())

    def parse(*, progress, cancel):
        raise ValueError(f"cannot parse\n{row}")
    _wait(qtbot, actions.workers.start("test_fault", parse))
    assert _leaks(log_file.read_text(encoding="utf-8"), secrets) == []
