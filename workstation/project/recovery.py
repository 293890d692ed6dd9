"""Autosave and crash recovery, one recovery file per open copy of the app.

Each running copy owns a ``RecoverySlot`` in the platform's recovery folder
(``paths.recovery_dir``): ``autosave-<id>.ldwproj`` plus ``autosave-<id>.lock``. The app
holds the lock with ``QLockFile`` for as long as it runs (QLockFile writes the pid, process
name and host into it, and knows a lock whose process died as stale). The app autosaves
the open project into its own slot a couple of seconds after each change
(``AUTOSAVE_DEBOUNCE_S``), and deletes only its own slot on a clean save or exit, so a
second copy closing cleanly never deletes the first copy's recovery.

At start-up, ``find_recoveries`` returns every recovery file whose lock nobody holds any
more (its copy was killed, crashed or lost power) so the app can offer to restore it.
Which locks are held is decided by the caller's ``claim`` function (the app passes one
built on ``QLockFile.tryLock``); the Qt-free default reads the pid in the lock file.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from workstation.atomic import atomic_write_text
from workstation.errors import InputError
from workstation.paths import recovery_dir
from workstation.project.model import ProjectFile, project_from_dict, project_to_dict

AUTOSAVE_DEBOUNCE_S = 2.0
"""Seconds of quiet after a change before it is autosaved: one write per burst of edits
(dragging a slider), yet at most ~2 s of work lost to a crash or kill -9."""
AUTOSAVE_INTERVAL_S = 120
"""Kept for callers that ask; autosave is now debounced per change (above)."""
PREFIX = "autosave-"
SUFFIX = ".ldwproj"
LOCK_SUFFIX = ".lock"


@dataclass(frozen=True, slots=True)
class RecoverySlot:
    """Where one running copy of the app autosaves, and the lock that marks it alive."""

    path: Path          # autosave-<id>.ldwproj
    lock_path: Path     # autosave-<id>.lock (held by the running copy)

    @classmethod
    def new(cls, folder: Path | None = None) -> "RecoverySlot":
        folder = Path(folder) if folder is not None else recovery_dir()
        ident = f"{os.getpid()}-{secrets.token_hex(4)}"
        return cls.at(folder / f"{PREFIX}{ident}{SUFFIX}")

    @classmethod
    def at(cls, path: Path) -> "RecoverySlot":
        path = Path(path)
        return cls(path=path, lock_path=path.with_suffix(LOCK_SUFFIX))


@dataclass(frozen=True, slots=True)
class Recovery:
    path: Path                       # the recovery file itself
    project: ProjectFile
    original_path: Path | None       # the project it was autosaved from (None if never saved)

    @property
    def slot(self) -> RecoverySlot:
        return RecoverySlot.at(self.path)


def recovery_file() -> Path:
    """The default slot's file name pattern's folder (kept for older callers: the folder's
    single-copy file). New code uses ``RecoverySlot``."""
    return recovery_dir() / f"{PREFIX}default{SUFFIX}"


def autosave(project: ProjectFile, *, original_path: str | Path | None = None,
             slot: RecoverySlot | None = None) -> Path:
    """Write the recovery file of ``slot`` (default: ``recovery_file()``) atomically."""
    path = slot.path if slot is not None else recovery_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = project_to_dict(project.touched())
    data["recovery_of"] = str(original_path) if original_path is not None else None
    atomic_write_text(path, json.dumps(data, indent=2) + "\n")
    return path


def read_recovery(path: Path) -> Recovery | None:
    """A recovery file's project, or None if it is damaged (left for support to see)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        original = data.pop("recovery_of", None) if isinstance(data, dict) else None
        project = project_from_dict(data, path=path)
    except (OSError, ValueError, InputError):
        return None
    return Recovery(path=Path(path), project=project,
                    original_path=Path(original) if isinstance(original, str) else None)


def lock_is_live(lock_path: Path) -> bool:
    """Qt-free reading of a QLockFile: True if its process (same host) still runs."""
    try:
        lines = Path(lock_path).read_text(encoding="utf-8", errors="replace").splitlines()
        pid = int(lines[0])
    except (OSError, ValueError, IndexError):
        return False
    host = lines[2] if len(lines) > 2 else ""
    if host and host != socket.gethostname():
        return True                  # another machine's copy (shared home): leave it alone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _default_claim(slot: RecoverySlot) -> bool:
    return not lock_is_live(slot.lock_path)


def find_recoveries(*, exclude: RecoverySlot | None = None,
                    claim: Callable[[RecoverySlot], bool] = _default_claim,
                    folder: Path | None = None) -> list[Recovery]:
    """Readable recovery files left by copies that are no longer running, newest first.

    ``claim(slot)`` returns True when the slot's lock could be taken (nobody holds it:
    its copy ended without a clean exit); the app's version keeps the lock taken while
    it asks, so two copies starting together do not both offer the same file.
    """
    folder = Path(folder) if folder is not None else recovery_dir()
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob(f"{PREFIX}*{SUFFIX}"):
        slot = RecoverySlot.at(path)
        if exclude is not None and slot.path == exclude.path:
            continue
        if not claim(slot):
            continue                 # a running copy's own autosave
        recovery = read_recovery(path)
        if recovery is not None:
            found.append(recovery)
    found.sort(key=lambda r: r.project.modified_utc, reverse=True)
    return found


def find_recovery() -> Recovery | None:
    """The newest orphaned recovery file, if any (see ``find_recoveries``)."""
    found = find_recoveries()
    return found[0] if found else None


def discard(slot: RecoverySlot) -> None:
    """Delete a slot's recovery file and its lock file (its copy is done with it)."""
    for path in (slot.path, slot.lock_path):
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def clear_recovery(slot: RecoverySlot | None = None) -> None:
    """Delete ``slot``'s recovery file (default: ``recovery_file()``), never another's."""
    path = slot.path if slot is not None else recovery_file()
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
