"""Where the workstation keeps its files.

The shipped data pack lives beside the package in a checkout, inside the bundle when
frozen, or wherever ``WORKSTATION_DATA`` points (never ``../shared`` at run time).

The user's own files go where each platform expects them, computed here with the same
conventions as Qt's ``QStandardPaths`` (the core must not import Qt), one folder per kind
and one spelling of the name per platform (``APP`` below is "London Deployment
Workstation", ``slug`` is "london-deployment-workstation"):

- settings: Linux ``$XDG_CONFIG_HOME/slug``; Windows ``%APPDATA%\\APP``;
  macOS ``~/Library/Application Support/APP``
- recovery: Linux ``$XDG_STATE_HOME/slug/recovery``; Windows ``%LOCALAPPDATA%\\APP\\recovery``;
  macOS ``~/Library/Application Support/APP/recovery``
- logs: Linux ``$XDG_STATE_HOME/slug/logs``; Windows ``%LOCALAPPDATA%\\APP\\logs``;
  macOS ``~/Library/Logs/APP``

Settings (window layout, preferences) and the recent-projects list share the settings
folder; autosaved recovery files and logs are machine-local state (Windows' roaming
AppData is for settings only).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "London Deployment Workstation"
APP_SLUG = "london-deployment-workstation"   # the lower-case XDG spelling


def default_data_dir() -> Path:
    override = os.environ.get("WORKSTATION_DATA")
    if override:
        return Path(override)
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "data"
    return Path(__file__).resolve().parent.parent / "data"


def _platform() -> str:
    if sys.platform.startswith("win"):
        return "windows"
    if sys.platform == "darwin":
        return "macos"
    return "xdg"


def _home() -> Path:
    return Path(os.path.expanduser("~"))


def _env_dir(name: str, fallback: Path) -> Path:
    value = os.environ.get(name)
    # XDG: a relative path in the variable is invalid and must be ignored
    return Path(value) if value and os.path.isabs(value) else fallback


def user_config_dir() -> Path:
    """Settings and the recent-projects list."""
    kind = _platform()
    if kind == "windows":
        return _env_dir("APPDATA", _home() / "AppData" / "Roaming") / APP_NAME
    if kind == "macos":
        return _home() / "Library" / "Application Support" / APP_NAME
    return _env_dir("XDG_CONFIG_HOME", _home() / ".config") / APP_SLUG


def user_state_dir() -> Path:
    """Machine-local state: the parent of the recovery and log folders."""
    kind = _platform()
    if kind == "windows":
        return _env_dir("LOCALAPPDATA", _home() / "AppData" / "Local") / APP_NAME
    if kind == "macos":
        return _home() / "Library" / "Application Support" / APP_NAME
    return _env_dir("XDG_STATE_HOME", _home() / ".local" / "state") / APP_SLUG


def recovery_dir() -> Path:
    """Autosaved recovery files, one per open copy of the app (``project.recovery``)."""
    return user_state_dir() / "recovery"


def log_dir() -> Path:
    """The rotating log file (``workstation.logs``)."""
    if _platform() == "macos":
        return _home() / "Library" / "Logs" / APP_NAME
    return user_state_dir() / "logs"


def settings_file() -> Path:
    """The app's settings (window layout, preferences) as an INI file in the settings
    folder, so settings and recent projects are not split between two folder names."""
    return user_config_dir() / "settings.ini"
