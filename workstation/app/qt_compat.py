"""Work around PySide6 reference-count bugs that crash the app on Python 3.11.

PySide6 6.12.0's ``SignalInstance.emit()`` returns ``True`` without taking a new
reference, so every ``.emit()`` called from Python steals one reference to ``True``.
On Python < 3.12 (where bools are not immortal) a few hundred emits — one session
of dragging the time bar — drive its count to zero and CPython aborts with
"Fatal Python error: bool_dealloc". Found by tests/app/test_workers.py; reproduce with
``for _ in range(1000): obj.sig.emit(1)`` then exit.

The guard measures the leak once at import and, only if it is present, gives ``True``
and ``False`` a very large reference count so they can never reach zero (the same
thing Python 3.12's immortal objects do). A second bug: C++ calling a Python override that returns ``None`` (every pyqtgraph
``paint()``, hundreds per map repaint) drops one reference to ``None`` (measured: -99
refs per 100 grabs of one overridden QGraphicsRectItem); after a few minutes of panning
CPython aborts with "none_dealloc". ``guard_none_refcount`` gives ``None`` the same
unreachable count. Both guards run on import.

Remove this module once PySide6 is pinned to
a fixed release or the app runs on Python >= 3.12.
"""

from __future__ import annotations

import ctypes
import sys

_BIG_REFCOUNT = 1 << 40   # ~10^12 emits before it could matter
_applied = False
_none_guarded = False


def _emit_steals_true() -> bool:
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        sig = Signal(int)

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(16):
        probe.sig.emit(0)
    return sys.getrefcount(True) - before <= -8


def apply() -> bool:
    """Install the guard if this PySide6/Python combination needs it; return whether it did."""
    global _applied  # idempotence flag for a process-wide fix, not app state
    if _applied or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return _applied
    if _emit_steals_true():
        for value in (True, False):
            # ob_refcnt is the first field of every CPython object in release builds.
            ctypes.c_ssize_t.from_address(id(value)).value += _BIG_REFCOUNT
        _applied = True
    return _applied


def guard_none_refcount() -> bool:
    """Make ``None``'s reference count unreachable (see the module docstring). Applied
    unconditionally on CPython < 3.12: the leak needs a repaint to measure, and the guard
    only does what 3.12's immortal objects do anyway. Returns whether it is in place."""
    global _none_guarded  # idempotence flag for a process-wide fix, not app state
    if _none_guarded or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return _none_guarded
    ctypes.c_ssize_t.from_address(id(None)).value += _BIG_REFCOUNT
    _none_guarded = True
    return _none_guarded


apply()
guard_none_refcount()
