"""A real workstation window (offscreen) for the recovery tests, driven by argv:

    recovery_child.py MODE OFFICERS

At start it does what ``app.main.run_app`` does after the window is shown: checks for
recovery files of copies that are no longer running, and prints ``offered N`` for each
(N = that file's officers on duty), answering yes in mode ``restore``. Then:
- ``change``: sets officers on duty to OFFICERS, prints ``autosaved S`` once its recovery
  file holds the change (S = seconds after the change), and keeps running (to be killed);
- ``change-close``: the same, then closes the window cleanly (discarding the change);
- ``restore``: prints ``restored N`` with the restored officers and exits.
Every line is flushed so the test can follow along.
"""

import json
import sys
import time

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

mode, officers = sys.argv[1], int(sys.argv[2])
app = QApplication([sys.argv[0]])
app.setApplicationName("London Deployment Workstation")

from workstation.app.main_window import MainWindow  # noqa: E402
from workstation.app.session import Session  # noqa: E402
from workstation.datapack import load_pack  # noqa: E402

session = Session(load_pack())
window = MainWindow(session, settings=QSettings(sys.argv[3], QSettings.Format.IniFormat),
                    background=False)
window.show()
actions = window.actions
print(f"slot {actions.recovery.slot.path}", flush=True)


def ask(recovery):
    print(f"offered {recovery.project.scenario.officers_on_duty}", flush=True)
    return mode == "restore"


def start():
    restored = actions.check_recovery(ask=ask)
    if mode == "restore":
        print(f"restored {session.scenario.officers_on_duty if restored else 'nothing'}",
              flush=True)
        actions.ask_unsaved = lambda: "discard"
        window.close()
        return
    changed = time.monotonic()
    session.set_scenario(session.scenario.with_changes(officers_on_duty=officers),
                         "Edit officers")
    print("changed", flush=True)

    def poll():
        path = actions.recovery.slot.path
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))["scenario"]
        except (OSError, ValueError, KeyError):
            return
        if saved.get("officers_on_duty") == officers:
            timer.stop()
            print(f"autosaved {time.monotonic() - changed:.2f}", flush=True)
            if mode == "change-close":
                actions.ask_unsaved = lambda: "discard"
                window.close()
    timer = QTimer()
    timer.setInterval(100)
    timer.timeout.connect(poll)
    timer.start()
    start.timer = timer


QTimer.singleShot(0, start)
app.exec()
print("exited", flush=True)
