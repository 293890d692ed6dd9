"""Where file dialogs start: the folder the user last chose, else their Documents folder.

Qt's default is the process's working directory, which for an installed copy is the
program folder (``%LOCALAPPDATA%\\Programs\\...`` on Windows), where nobody keeps plans.
The last folder is remembered in the app's settings file (``workstation.paths``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths

LAST_FOLDER_KEY = "dialogs/last_folder"


def documents_folder() -> str:
    """The platform's Documents folder (Windows: the user's Documents; Linux: XDG)."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return found or str(Path.home())


def start_path(suggested_name: str = "", settings=None) -> str:
    """The folder a dialog opens in, joined with ``suggested_name`` (a file name, or an
    existing path the dialog should show as it is)."""
    if suggested_name and Path(suggested_name).is_absolute():
        return suggested_name
    settings = settings if settings is not None else _settings()
    folder = str(settings.value(LAST_FOLDER_KEY, "") or "")
    if not folder or not Path(folder).is_dir():
        folder = documents_folder()
    return str(Path(folder) / suggested_name) if suggested_name else folder


def remember(chosen: str, settings=None) -> str:
    """Record the folder of a path the user chose (file or folder); returns ``chosen``."""
    if chosen:
        path = Path(chosen)
        folder = path if path.is_dir() else path.parent
        settings = settings if settings is not None else _settings()
        settings.setValue(LAST_FOLDER_KEY, str(folder))
    return chosen


def _settings():
    from workstation.app.main_window import default_settings
    return default_settings()
