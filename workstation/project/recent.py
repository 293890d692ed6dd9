"""Recent projects list: a small versioned JSON in the user config folder.

A damaged or unreadable list is treated as empty (and rewritten on the next change):
a preference file must never stop the app from starting.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from workstation.atomic import atomic_write_text
from workstation.errors import OutputError
from workstation.paths import user_config_dir

RECENT_VERSION = 1
MAX_RECENT = 10
_log = logging.getLogger(__name__)


def recent_file() -> Path:
    return user_config_dir() / "recent-projects.json"


def load_recent() -> list[Path]:
    path = recent_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        _log.warning("recent projects list %s unreadable (%s); starting empty", path, exc)
        return []
    if not isinstance(data, dict) or data.get("version") != RECENT_VERSION:
        _log.warning("recent projects list %s has an unknown version; starting empty", path)
        return []
    files = data.get("files", [])
    if not isinstance(files, list):
        return []
    return [Path(item) for item in files if isinstance(item, str)][:MAX_RECENT]


def _save(files: list[Path]) -> None:
    path = recent_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps({"version": RECENT_VERSION,
                                            "files": [str(p) for p in files]}, indent=2))
    except (OSError, OutputError) as exc:
        # Losing the recent list is an annoyance, not a failure of the user's save.
        _log.warning("cannot write recent projects list %s (%s)", path, exc)


def add_recent(project_path: str | Path) -> list[Path]:
    """Move ``project_path`` to the top; keep at most MAX_RECENT; return the new list."""
    entry = Path(project_path).expanduser().resolve()
    files = [entry] + [p for p in load_recent() if p != entry]
    files = files[:MAX_RECENT]
    _save(files)
    return files


def remove_recent(project_path: str | Path) -> list[Path]:
    entry = Path(project_path).expanduser().resolve()
    files = [p for p in load_recent() if p != entry]
    _save(files)
    return files


def clear_recent() -> None:
    _save([])
