"""Crash handler: an exception escaping a Qt slot (or a worker thread) is logged with its
traceback, the open project is autosaved to the recovery file, and a dialog names the log
file; the app keeps running and the log holds no incident rows."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QTimer

from workstation.app.crash import CRASH_DIALOG_NAME, CrashHandler, safe_exception_text
from workstation.app.session import Session
from workstation.project.recovery import read_recovery


@pytest.fixture
def app_actions(qtbot, pack):
    from PySide6.QtWidgets import QWidget

    from workstation.app.actions import build_actions

    widget = QWidget()
    qtbot.addWidget(widget)
    session = Session(pack)
    widget.actions = build_actions(widget, session)
    yield widget
    widget.actions.recovery.shutdown()


@pytest.fixture
def handler(app_actions, tmp_path):
    import logging

    log_path = tmp_path / "workstation.log"
    file_handler = logging.FileHandler(log_path, encoding="utf-8")
    logger = logging.getLogger("workstation")
    logger.addHandler(file_handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    crash = CrashHandler(app_actions, log_path=log_path).install()
    yield crash
    crash.uninstall()
    logger.removeHandler(file_handler)
    file_handler.close()
    logger.setLevel(old_level)
    if crash.last_dialog is not None:
        crash.last_dialog.close()


SECRET = "Flat 3, 17 Acacia Avenue,crime-id-9f8e7d6c"  # a data-like value inside the error


@pytest.mark.qt_no_exception_capture
def test_exception_in_a_slot_logs_autosaves_and_shows_dialog(qtbot, app_actions, handler):
    session = app_actions.actions.session
    session.set_scenario(session.scenario.with_changes(officers_on_duty=777), "Edit officers")
    session.mark_dirty(True)
    recovery_file = app_actions.actions.recovery.slot.path   # this copy's own slot
    assert not recovery_file.exists()

    def faulty_slot():
        raise ValueError("could not convert row\n" + SECRET * 20)

    QTimer.singleShot(0, faulty_slot)            # raised inside Qt's event loop
    qtbot.waitUntil(lambda: handler.last_dialog is not None, timeout=5000)

    # Recovery file holds the open (unsaved) project and start-up would offer it.
    assert handler.last_recovery == recovery_file and recovery_file.exists()
    found = read_recovery(recovery_file)
    assert found is not None and found.project.scenario.officers_on_duty == 777

    box = handler.last_dialog
    assert box.objectName() == CRASH_DIALOG_NAME and box.isVisible()
    assert "ValueError" in box.text() and "fault in the program" in box.text()
    assert str(handler.log_path) in box.informativeText()
    assert str(recovery_file) in box.informativeText()

    log = handler.log_path.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log and "faulty_slot" in log
    assert "ValueError: could not convert row" in log
    assert "Acacia" not in log and "crime-id" not in log    # only the message's first line
    assert "emergency autosave written to" in log


@pytest.mark.qt_no_exception_capture
def test_exception_in_a_worker_thread_reaches_the_gui_thread(qtbot, app_actions, handler):
    app_actions.actions.session.mark_dirty(True)

    def work():
        raise RuntimeError("worker fell over")

    thread = threading.Thread(target=work, name="import-worker")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: handler.last_dialog is not None, timeout=5000)
    assert "RuntimeError: worker fell over" in handler.last_dialog.text()
    assert app_actions.actions.recovery.slot.path.exists()
    log = handler.log_path.read_text(encoding="utf-8")
    assert "unhandled exception in import-worker" in log
    assert "in work" in log


def test_uninstall_restores_previous_hooks(app_actions, tmp_path):
    import sys
    before = (sys.excepthook, threading.excepthook)
    crash = CrashHandler(app_actions, log_path=tmp_path / "x.log", show_dialog=False).install()
    assert sys.excepthook == crash.excepthook
    crash.uninstall()
    assert (sys.excepthook, threading.excepthook) == before


def test_safe_exception_text_clips_long_and_multiline_messages():
    text = safe_exception_text(KeyError("a" * 500 + "\nsecond line"))
    assert text.startswith("KeyError: 'aaa") and "second line" not in text
    assert len(text) < 200
