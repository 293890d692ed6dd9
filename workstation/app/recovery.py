"""The app's side of crash recovery: this copy's locked recovery slot and the debounced
autosave into it (``workstation.project.recovery`` has the file format and rules).

One ``RecoveryKeeper`` per main window. It takes a ``QLockFile`` on its own slot at
start-up and holds it until a clean exit; a change to the project restarts a short
single-shot timer (``AUTOSAVE_DEBOUNCE_S``), whose timeout writes the recovery file. A
clean save or exit deletes only this copy's file. At start-up, other slots whose lock can
be taken (their copy was killed or crashed; QLockFile removes a dead process's lock as
stale) are offered for restore.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QLockFile, QObject, QTimer

from workstation.errors import WorkstationError
from workstation.project.recovery import (AUTOSAVE_DEBOUNCE_S, Recovery, RecoverySlot,
                                          autosave, clear_recovery, discard, find_recoveries)

_log = logging.getLogger(__name__)


def _lock(path: Path) -> QLockFile:
    lock = QLockFile(str(path))
    lock.setStaleLockTime(0)   # stale only when its process is gone, never by age
    return lock


class RecoveryKeeper(QObject):
    """This copy's recovery slot: lock, debounced autosave, cleanup."""

    def __init__(self, build_project: Callable[[], object],
                 original_path: Callable[[], Path | None], is_dirty: Callable[[], bool],
                 parent: QObject | None = None, *, folder: Path | None = None,
                 debounce_s: float = AUTOSAVE_DEBOUNCE_S):
        super().__init__(parent)
        self._build_project = build_project
        self._original_path = original_path
        self._is_dirty = is_dirty
        self.slot = RecoverySlot.new(folder)
        self._folder = self.slot.path.parent
        self._lock: QLockFile | None = None
        self._claimed: dict[Path, QLockFile] = {}
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            lock = _lock(self.slot.lock_path)
            if lock.tryLock(0):
                self._lock = lock
            else:
                _log.warning("recovery lock %s not taken (error %s)", self.slot.lock_path,
                             lock.error())
        except OSError as exc:
            _log.warning("recovery folder %s unavailable: %s", self._folder, exc)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(int(debounce_s * 1000))
        self.timer.timeout.connect(self.autosave_now)

    # --- autosave ------------------------------------------------------------------------
    def schedule(self, *_args) -> None:
        """A change happened: autosave once things have been quiet for the debounce time."""
        if self._is_dirty():
            self.timer.start()   # restarts a running timer (debounce)

    def autosave_now(self, *, force: bool = False) -> Path | None:
        """Write this copy's recovery file if there are unsaved changes (or ``force``)."""
        self.timer.stop()
        if not force and not self._is_dirty():
            return None
        try:
            return autosave(self._build_project(), original_path=self._original_path(),
                            slot=self.slot)
        except (WorkstationError, OSError) as exc:
            # Autosave is a safety net; failing it must not interrupt the analyst.
            _log.warning("autosave failed: %s", exc)
            return None

    def saved(self) -> None:
        """The project was saved: this copy's recovery file is no longer needed."""
        self.timer.stop()
        clear_recovery(self.slot)

    def shutdown(self) -> None:
        """Clean exit: delete this copy's recovery file and release its lock."""
        self.timer.stop()
        clear_recovery(self.slot)
        self.release_claims()
        if self._lock is not None:
            self._lock.unlock()      # removes the lock file
            self._lock = None
        discard(self.slot)

    # --- recovery of other copies --------------------------------------------------------
    def _claim(self, slot: RecoverySlot) -> bool:
        if slot.lock_path in self._claimed:
            return True
        lock = _lock(slot.lock_path)
        if not lock.tryLock(0):
            return False             # a running copy holds it
        self._claimed[slot.lock_path] = lock
        return True

    def orphans(self) -> list[Recovery]:
        """Recovery files of copies that are no longer running (their locks now ours)."""
        found = find_recoveries(exclude=self.slot, claim=self._claim, folder=self._folder)
        # locks of copies killed before they autosaved anything: nothing to offer, tidy up
        for lock_path in self._folder.glob("autosave-*.lock"):
            if lock_path == self.slot.lock_path or lock_path.with_suffix(".ldwproj").exists():
                continue
            lock = _lock(lock_path)
            if lock.tryLock(0):
                lock.unlock()
        return found

    def done_with(self, recovery: Recovery) -> None:
        """Remove an orphan that was restored (and re-saved here) or declined."""
        slot = recovery.slot
        lock = self._claimed.pop(slot.lock_path, None)
        try:
            slot.path.unlink(missing_ok=True)
        except OSError:
            pass
        if lock is not None:
            lock.unlock()
        discard(slot)

    def release_claims(self) -> None:
        for lock in self._claimed.values():
            lock.unlock()
        self._claimed.clear()
