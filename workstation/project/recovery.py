"""Autosave and crash recovery.

The app autosaves the open project (inputs and view only, like any project) to one
recovery file in the user config folder every few minutes while it has unsaved
changes, and deletes it on a clean save or exit. If the file is still there at start-up,
the previous session ended without saving, and ``find_recovery()`` returns it so the
app can offer to restore it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from workstation.atomic import atomic_write_text
from workstation.errors import InputError
from workstation.paths import user_config_dir
from workstation.project.model import ProjectFile, project_from_dict, project_to_dict

AUTOSAVE_INTERVAL_S = 120  # two minutes: at most two minutes of edits lost in a crash


@dataclass(frozen=True, slots=True)
class Recovery:
    path: Path                       # the recovery file itself
    project: ProjectFile
    original_path: Path | None       # the project it was autosaved from (None if never saved)


def recovery_file() -> Path:
    return user_config_dir() / "recovery" / "autosave.ldwproj"


def autosave(project: ProjectFile, *, original_path: str | Path | None = None) -> Path:
    """Write the recovery file atomically; return its path."""
    path = recovery_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = project_to_dict(project.touched())
    data["recovery_of"] = str(original_path) if original_path is not None else None
    atomic_write_text(path, json.dumps(data, indent=2) + "\n")
    return path


def find_recovery() -> Recovery | None:
    """The recovery file left by a session that did not close cleanly, if it is readable.

    A damaged recovery file is returned as None (and left in place for support to see):
    it must not block start-up.
    """
    path = recovery_file()
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        original = data.pop("recovery_of", None) if isinstance(data, dict) else None
        project = project_from_dict(data, path=path)
    except (OSError, ValueError, InputError):
        return None
    return Recovery(path=path, project=project,
                    original_path=Path(original) if isinstance(original, str) else None)


def clear_recovery() -> None:
    recovery_file().unlink(missing_ok=True)
