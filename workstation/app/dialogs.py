"""Error, Help and About dialogs.

Errors: a ``WorkstationError`` (bad input, bad scenario, unwritable output) is shown
with its own specific message, because it already says where and what to do. Anything
else is a bug: the dialog says so and names the log file holding the traceback (the
log never records incident rows, see ``workstation.logs``).

Help → Method renders ``docs/method*.md`` as written by the engine engineers, read at
run time so the text always matches the shipped build; if no file is found it falls
back to the current plan's ``ShiftPlan.method`` lines.
"""

from __future__ import annotations

import logging
import platform
import sys
from pathlib import Path
from typing import Any

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

import workstation
from workstation.app.crash import format_crash
from workstation.errors import WorkstationError
from workstation.logs import log_dir

_log = logging.getLogger(__name__)

ERROR_DIALOG_NAME = "workstationErrorDialog"


def log_file_path() -> Path:
    return log_dir() / "workstation.log"


def error_text(exc: BaseException) -> tuple[str, str]:
    """(headline, details) for an exception: specific for user errors, log path for bugs."""
    if isinstance(exc, WorkstationError):
        return str(exc), ""
    return ("Something went wrong inside the workstation: "
            f"{type(exc).__name__}: {exc}",
            f"This is a fault in the program, not in your data. The details were written to "
            f"the log file:\n{log_file_path()}\nPlease send that file to support.")


def show_error(parent: QWidget | None, exc: BaseException, *, title: str = "Error",
               context: str = "") -> QMessageBox:
    """Open a window-modal error box (non-blocking) and return it."""
    headline, details = error_text(exc)
    if not isinstance(exc, WorkstationError):
        # Code locations and the clipped first line only (no incident rows in the log).
        _log.error("unexpected error%s\n%s", f" while {context}" if context else "",
                   format_crash(type(exc), exc, exc.__traceback__))
    box = QMessageBox(QMessageBox.Icon.Critical if details else QMessageBox.Icon.Warning,
                      title, (f"{context}: " if context else "") + headline,
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName(ERROR_DIALOG_NAME)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if details:
        box.setInformativeText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


# --- documentation lookup ----------------------------------------------------------------
def doc_folders() -> list[Path]:
    """Where docs may live: beside the package in a checkout, inside a frozen bundle,
    or packaged inside ``workstation/docs``."""
    package = Path(workstation.__file__).resolve().parent
    folders = [package / "docs", package.parent / "docs"]
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        folders.insert(0, Path(frozen_root) / "docs")
    return [f for f in folders if f.is_dir()]


def method_documents() -> list[Path]:
    """``method.md`` first, then any ``method-*.md`` in name order, from the first folder
    that has any."""
    for folder in doc_folders():
        found = sorted(folder.glob("method*.md"), key=lambda p: (p.name != "method.md", p.name))
        if found:
            return found
    return []


def method_markdown(plan: Any = None) -> str:
    docs = method_documents()
    if docs:
        return "\n\n---\n\n".join(p.read_text(encoding="utf-8") for p in docs)
    lines = list(getattr(plan, "method", ()) or ())
    if lines:
        basis = list(getattr(plan, "basis", ()) or ())
        text = "# Method (from the current plan)\n\n" + "\n".join(f"- {line}" for line in lines)
        if basis:
            text += "\n\n## Data basis\n\n" + "\n".join(f"- {line}" for line in basis)
        return text
    return ("# Method\n\nThe method document was not found in this installation. Run a "
            "recommendation to see how each number in the plan was produced.")


def data_sources_markdown(pack_root: Path | None) -> str:
    if pack_root is not None:
        readme = Path(pack_root) / "README.md"
        if readme.exists():
            return readme.read_text(encoding="utf-8")
    return ("# Data sources and licences\n\nThe data pack's README.md was not found. The pack is "
            "built from open data published under the Open Government Licence v3.0 and TfL's "
            "open data terms (Powered by TfL Open Data).")


class MarkdownDialog(QDialog):
    """A read-only document window; links open in the system browser."""

    def __init__(self, title: str, markdown: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(760, 640)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(True)
        self.browser.setMarkdown(markdown)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)


def method_dialog(parent: QWidget | None, plan: Any = None) -> MarkdownDialog:
    return MarkdownDialog("Method", method_markdown(plan), parent)


def data_sources_dialog(parent: QWidget | None, pack_root: Path | None) -> MarkdownDialog:
    return MarkdownDialog("Data sources and licences", data_sources_markdown(pack_root), parent)


def about_text(pack: Any = None) -> str:
    pack_version = getattr(pack, "version", "not loaded") if pack is not None else "not loaded"
    built = ""
    manifest = getattr(pack, "manifest", None) or {}
    for key in ("built_on", "built_utc", "built"):
        if key in manifest:
            built = f" (built {manifest[key]})"
            break
    return (f"<h3>London Deployment Workstation {workstation.__version__}</h3>"
            "<p>Recommends response officers per London borough and hour, and cross-borough "
            "lending, from census commuter flows, TfL station counts and incident hotspots. "
            "A decision aid: every number is explained in Help → Method.</p>"
            f"<p>Data pack: {pack_version}{built}<br>"
            f"Python {platform.python_version()}, PySide6 {PYSIDE_VERSION}</p>"
            "<p>Contains public sector information licensed under the Open Government Licence "
            "v3.0. Powered by TfL Open Data. Contains OS data © Crown copyright and database "
            "right.</p>")


def show_about(parent: QWidget | None, pack: Any = None) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, "About", about_text(pack),
                      QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
