"""Desktop entry point: ``workstation`` with no arguments calls ``run_app``."""

from __future__ import annotations

import sys


def run_app(argv: list[str] | None = None, *, data_dir: str | None = None) -> int:
    """Open the main window on the pack in ``data_dir`` (default: the shipped pack)."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from workstation.app.style import ui_font
    from workstation.errors import WorkstationError

    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    app.setApplicationName("London Deployment Workstation")
    app.setOrganizationName("London Deployment Workstation")
    app.setFont(ui_font(9))
    try:
        from workstation.datapack import load_pack
        from workstation.app.session import Session
        from workstation.app.main_window import MainWindow
        pack = load_pack(data_dir)
        session = Session(pack)
        window = MainWindow(session)
    except WorkstationError as exc:
        QMessageBox.critical(None, "London Deployment Workstation", str(exc))
        return 2
    from workstation.app.crash import install_crash_handler
    crash_handler = install_crash_handler(window)  # log, autosave, dialog on a bug
    window.show()
    from PySide6.QtCore import QTimer
    QTimer.singleShot(0, window.actions.check_recovery)   # offer autosaved work after a crash
    try:
        return int(app.exec())
    finally:
        crash_handler.uninstall()


if __name__ == "__main__":
    sys.exit(run_app(sys.argv))
