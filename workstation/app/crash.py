"""Last-resort handling of unhandled exceptions in the desktop app.

An analyst must never lose work to a bug: when an exception escapes a slot or a thread,
the handler (1) writes the traceback to the log file (``workstation.logs``), (2) writes an
emergency autosave of the open project to the recovery file (``workstation.project``'s
``autosave``), which the next start offers to restore, and (3) shows a dialog naming the
log file and the recovery file. The app keeps running: Qt carries on after a slot raises.

Logs must never hold incident rows (personal data). The traceback's frames are code
locations and source lines only; the exception's message may quote data (pandas and
Python errors often repeat the offending value), so only its first line, clipped, is
logged. Local variables are never logged.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

_log = logging.getLogger("workstation.crash")

CRASH_DIALOG_NAME = "workstationCrashDialog"
MAX_MESSAGE_CHARS = 160  # enough to identify a bug; too short to carry a data row


def safe_exception_text(exc: BaseException | None) -> str:
    """``Type: first line of the message``, clipped, for logs and dialogs."""
    if exc is None:
        return "unknown error"
    lines = str(exc).strip().splitlines()
    message = lines[0] if lines else ""
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[:MAX_MESSAGE_CHARS] + "…"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def format_crash(exc_type: type[BaseException], exc: BaseException | None,
                 tb: TracebackType | None) -> str:
    """The traceback as code locations only (no locals), ending with the clipped message."""
    frames = "".join(traceback.format_tb(tb)) if tb is not None else ""
    return f"Traceback (most recent call last):\n{frames}{safe_exception_text(exc)}"


class CrashHandler(QObject):
    """Installed as ``sys.excepthook`` and ``threading.excepthook``.

    ``window`` is the main window (its ``actions`` build the project from the session);
    errors from worker threads are forwarded to the GUI thread through a queued signal,
    because only the GUI thread may read the session and open dialogs.
    """

    sig_crash = Signal(object, object, object, str)

    def __init__(self, window: QWidget | None = None, *,
                 log_path: Path | None = None, show_dialog: bool = True):
        super().__init__()
        self.window = window
        self.show_dialog = show_dialog
        self.log_path = log_path
        self.last_dialog: QMessageBox | None = None
        self.last_recovery: Path | None = None
        self._busy = False
        self._previous: tuple[Callable[..., Any], Callable[..., Any]] | None = None
        self.sig_crash.connect(self._handle, Qt.ConnectionType.QueuedConnection)

    # --- installation --------------------------------------------------------------------
    def install(self) -> "CrashHandler":
        if self.log_path is None:
            from workstation.logs import configure_logging
            self.log_path = configure_logging()
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook
        return self

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None

    # --- hooks ---------------------------------------------------------------------------
    def excepthook(self, exc_type: type[BaseException], exc: BaseException | None,
                   tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        if threading.current_thread() is threading.main_thread():
            self._handle(exc_type, exc, tb, "main thread")
        else:
            self.sig_crash.emit(exc_type, exc, tb, threading.current_thread().name)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "thread"
        self.sig_crash.emit(args.exc_type, args.exc_value, args.exc_traceback, name)

    # --- the work --------------------------------------------------------------------------
    def _handle(self, exc_type: type[BaseException], exc: BaseException | None,
                tb: TracebackType | None, where: str) -> None:
        if self._busy:               # a fault inside the handler: do not loop
            sys.__excepthook__(exc_type, exc, tb)
            return
        self._busy = True
        try:
            _log.error("unhandled exception in %s\n%s", where, format_crash(exc_type, exc, tb))
            self.last_recovery = self._emergency_autosave()
            if self.show_dialog:
                self.last_dialog = self._show(exc)
        except Exception:            # never let the crash handler itself crash the app
            sys.__excepthook__(exc_type, exc, tb)
        finally:
            self._busy = False

    def _emergency_autosave(self) -> Path | None:
        actions = getattr(self.window, "actions", None)
        if actions is None or not hasattr(actions, "project_from_session"):
            return None
        try:
            path = actions.autosave_now(force=True)   # this copy's own recovery slot
        except Exception as exc:     # noqa: BLE001 - report, keep going to the dialog
            _log.error("emergency autosave failed: %s", safe_exception_text(exc))
            return None
        _log.info("emergency autosave written to %s", path)
        return path

    def dialog_text(self, exc: BaseException | None) -> tuple[str, str]:
        headline = ("Something went wrong inside the workstation "
                    f"({safe_exception_text(exc)}). This is a fault in the program, "
                    "not in your data.")
        details = [f"The details were written to the log file:\n{self.log_path}"]
        if self.last_recovery is not None:
            details.append("Your open project was saved to the recovery file:\n"
                           f"{self.last_recovery}\nIt will be offered the next time you "
                           "start the workstation; save your work now to keep it.")
        details.append("Please send the log file to support.")
        return headline, "\n\n".join(details)

    def _show(self, exc: BaseException | None) -> QMessageBox:
        headline, details = self.dialog_text(exc)
        parent = self.window if isinstance(self.window, QWidget) else None
        box = QMessageBox(QMessageBox.Icon.Critical, "London Deployment Workstation",
                          headline, QMessageBox.StandardButton.Ok, parent)
        box.setObjectName(CRASH_DIALOG_NAME)
        box.setInformativeText(details)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()                   # non-blocking: the event loop keeps running
        return box


def install_crash_handler(window: QWidget | None = None, *,
                          log_path: Path | None = None) -> CrashHandler:
    """Route unhandled exceptions (GUI and worker threads) to a ``CrashHandler``."""
    return CrashHandler(window, log_path=log_path).install()


__all__ = ["CRASH_DIALOG_NAME", "CrashHandler", "format_crash", "install_crash_handler",
           "safe_exception_text"]
