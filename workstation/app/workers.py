"""Run engine functions off the GUI thread, with progress and cancel.

Use::

    pool = WorkerPool(parent=window)
    handle = pool.start("recommend", recommend, pack, scenario, hotspots=h)
    handle.sig_progress.connect(bar.set_progress)      # (fraction 0-1, message)
    handle.sig_finished.connect(session.set_plan)      # result, on the GUI thread
    handle.sig_failed.connect(show_error)              # the exception
    handle.sig_cancelled.connect(reset_ui)

The function is called as ``fn(*args, progress=..., cancel=..., **kwargs)`` — the
engine contract of ``workstation.domain`` — in a QThreadPool thread.

Rules (QGIS / Orange3 ``ConcurrentWidgetMixin``):
- Starting a task of a kind that is already running cancels the older one; the
  older task's late result is dropped, so a slider drag never shows a stale plan.
- Worker threads never touch widgets, the Session or a TaskHandle. They only emit
  on one long-lived relay QObject owned by the pool; Qt queues those emissions to the
  GUI thread, where the pool forwards them to the right handle. Inputs must be
  immutable (frozen scenario, read-only pack tables).
- Progress is throttled in the worker (at most every 1% or 100 ms) so a fast loop
  cannot flood the event queue.
- While a task runs, garbage collection happens only on the GUI thread (see
  ``_GuiThreadGarbageCollector``), and each pool thread's PROJ context is kept alive
  between tasks (see ``_keep_proj_context_alive``): both were real crashes.
"""

from __future__ import annotations

import gc
import itertools
import logging
import threading
import time
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from workstation.app.crash import format_crash, safe_exception_text
from workstation.domain import CancelToken, Cancelled
from workstation.errors import WorkstationError

_log = logging.getLogger(__name__)

_PROGRESS_MIN_STEP = 0.01
_PROGRESS_MIN_INTERVAL_S = 0.1

# pyproj keeps each OS thread's PROJ context pointer in native thread storage but frees
# the context with the Python thread state. PySide gives every QRunnable a fresh Python
# thread state on a reused OS thread, so the next task (or the garbage collector freeing
# a CRS made by an earlier task) would use a freed context and crash the process. Keep
# each pool thread's context alive for the life of the process; pool threads never
# expire (see WorkerPool), so this holds at most one context per pool thread.
_PROJ_CONTEXTS: list[object] = []
_PROJ_CONTEXTS_LOCK = threading.Lock()


def _keep_proj_context_alive() -> None:
    try:
        from pyproj._context import get_context_manager
    except ImportError:  # pragma: no cover - pyproj is a core dependency
        return
    manager = get_context_manager()
    if manager is None:          # this thread's context is already held (or none made)
        return
    with _PROJ_CONTEXTS_LOCK:
        _PROJ_CONTEXTS.append(manager)


class _GuiThreadGarbageCollector:
    """While any worker runs, Python's cyclic garbage collector runs only on the GUI thread.

    An automatic collection is triggered by whichever thread happens to allocate; in a
    worker thread it can free Qt wrappers (and the C++ objects behind them) that belong
    to the GUI thread, which crashes the process (seen as a segfault "Garbage-collecting"
    in a worker during the side-by-side plan comparison). pyqtgraph's
    ``GarbageCollector`` does the same for the whole session; this one hands automatic
    collection back once every pool thread is idle."""

    INTERVAL_MS = 500

    def __init__(self) -> None:
        self._pools: list[WorkerPool] = []
        self._timer: QTimer | None = None
        self._restore_automatic = False

    def task_started(self, pool: "WorkerPool") -> None:
        """Call on the GUI thread before handing a task to ``pool``."""
        if pool not in self._pools:
            self._pools.append(pool)
        if self._timer is None:
            self._restore_automatic = gc.isenabled()
            gc.disable()
            self._timer = QTimer()
            self._timer.timeout.connect(self._tick)
            self._timer.start(self.INTERVAL_MS)

    @staticmethod
    def _pool_idle(pool: "WorkerPool") -> bool:
        try:
            return pool.idle
        except RuntimeError:       # the pool's C++ side is gone: its threads have joined
            return True

    def _tick(self) -> None:
        # The thresholds rule of automatic collection, applied on the GUI thread.
        threshold = gc.get_threshold()
        counts = gc.get_count()
        for generation in range(3):
            if counts[generation] <= threshold[generation]:
                break
            gc.collect(generation)
        self._pools = [pool for pool in self._pools if not self._pool_idle(pool)]
        if not self._pools:
            self.release()

    def release(self) -> None:
        if self._timer is None:
            return
        self._timer.stop()
        self._timer.deleteLater()
        self._timer = None
        if self._restore_automatic:
            gc.enable()


GUI_THREAD_GC = _GuiThreadGarbageCollector()


class TaskHandle(QObject):
    """The GUI-thread face of one background task. Emits exactly one terminal signal."""

    sig_started = Signal()
    sig_progress = Signal(float, str)
    sig_finished = Signal(object)
    sig_failed = Signal(object)      # the exception (traceback is in the log file)
    sig_cancelled = Signal()

    def __init__(self, task_id: int, kind: str, parent: QObject | None = None):
        super().__init__(parent)
        self.task_id = task_id
        self.kind = kind
        self.token = CancelToken()
        self.done = False
        self.last_progress: tuple[float, str] = (0.0, "")

    def cancel(self) -> None:
        """Ask the task to stop; ``sig_cancelled`` follows when it has stopped."""
        self.token.cancel()


class _Relay(QObject):
    # (task id, event name, payload). Emitted from worker threads only.
    sig_event = Signal(int, str, object)


class _Runnable(QRunnable):
    def __init__(self, task_id: int, relay: _Relay, token: CancelToken,
                 fn: Callable[..., Any], args: tuple, kwargs: dict):
        super().__init__()
        self.setAutoDelete(True)
        self._id, self._relay, self._token = task_id, relay, token
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._last_fraction = -1.0
        self._last_time = 0.0
        self._last_message = ""

    def _progress(self, fraction: float, message: str = "") -> None:
        # Called on the worker thread by the engine.
        now = time.monotonic()
        fraction = min(max(float(fraction), 0.0), 1.0)
        if (message != self._last_message or fraction >= 1.0
                or fraction - self._last_fraction >= _PROGRESS_MIN_STEP
                or now - self._last_time >= _PROGRESS_MIN_INTERVAL_S):
            self._last_fraction, self._last_time, self._last_message = fraction, now, message
            self._relay.sig_event.emit(self._id, "progress", (fraction, message))

    def run(self) -> None:
        emit = self._relay.sig_event.emit
        if self._token.cancelled:          # cancelled while still queued
            emit(self._id, "cancelled", None)
            return
        emit(self._id, "started", None)
        try:
            try:
                result = self._fn(*self._args, progress=self._progress, cancel=self._token,
                                  **self._kwargs)
            finally:
                _keep_proj_context_alive()
        except Cancelled:
            emit(self._id, "cancelled", None)
        except WorkstationError as exc:
            # The user's data or output, not a bug: the message says it all.
            _log.info("background task refused input: %s", safe_exception_text(exc))
            emit(self._id, "failed", exc)
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the GUI
            # Code locations and the clipped first line only: a message can quote a row
            # of the user's incidents, which must not reach the log file.
            _log.error("background task failed: %s\n%s", getattr(self._fn, "__name__", self._fn),
                       format_crash(type(exc), exc, exc.__traceback__))
            emit(self._id, "failed", exc)
        else:
            # An engine that finished despite a cancel request: its result is unwanted.
            emit(self._id, "cancelled" if self._token.cancelled else "finished", result)


class WorkerPool(QObject):
    """Owns the worker threads; one running task per kind."""

    sig_busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, max_threads: int | None = None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        # Threads live as long as the pool: each holds a PROJ context (see above) and a
        # new OS thread would need a new one.
        self._pool.setExpiryTimeout(-1)
        if max_threads:
            self._pool.setMaxThreadCount(max_threads)
        self._relay = _Relay(self)
        self._relay.sig_event.connect(self._on_relay_event)
        self._ids = itertools.count(1)
        self._handles: dict[int, TaskHandle] = {}
        self._current: dict[str, TaskHandle] = {}

    def start(self, kind: str, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> TaskHandle:
        """Run ``fn(*args, progress=, cancel=, **kwargs)`` in the pool; cancel any older
        task of the same ``kind``."""
        previous = self._current.get(kind)
        if previous is not None and not previous.done:
            previous.cancel()
        # No Qt parent: the pool holds the handle until it ends, then Python frees it
        # once the caller lets go (a parented handle would live as long as the pool).
        handle = TaskHandle(next(self._ids), kind)
        was_busy = self.busy
        self._handles[handle.task_id] = handle
        self._current[kind] = handle
        GUI_THREAD_GC.task_started(self)
        self._pool.start(_Runnable(handle.task_id, self._relay, handle.token, fn, args, kwargs))
        if not was_busy:
            self.sig_busy_changed.emit(True)
        return handle

    def current(self, kind: str) -> TaskHandle | None:
        handle = self._current.get(kind)
        return handle if handle is not None and not handle.done else None

    def cancel(self, kind: str) -> None:
        handle = self.current(kind)
        if handle is not None:
            handle.cancel()

    def cancel_all(self) -> None:
        for handle in list(self._handles.values()):
            handle.cancel()

    @property
    def busy(self) -> bool:
        return bool(self._handles)

    @property
    def idle(self) -> bool:
        """No task pending and no pool thread still inside one (``busy`` turns False as
        soon as the last result is relayed, before its thread has left ``run``)."""
        return not self.busy and self._pool.activeThreadCount() == 0

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel everything and wait for the threads (call on window close)."""
        self.cancel_all()
        return self._pool.waitForDone(timeout_ms)

    # GUI thread: forward worker events to the task's handle.
    def _on_relay_event(self, task_id: int, event: str, payload: object) -> None:
        handle = self._handles.get(task_id)
        if handle is None or handle.done:
            return
        if event == "started":
            handle.sig_started.emit()
            return
        if event == "progress":
            if handle.token.cancelled:
                return
            handle.last_progress = payload  # type: ignore[assignment]
            handle.sig_progress.emit(*payload)  # type: ignore[misc]
            return
        # Terminal events.
        handle.done = True
        del self._handles[task_id]
        if self._current.get(handle.kind) is handle:
            del self._current[handle.kind]
        if event == "finished":
            handle.sig_finished.emit(payload)
        elif event == "failed":
            handle.sig_failed.emit(payload)
        else:
            handle.sig_cancelled.emit()
        if not self._handles:
            self.sig_busy_changed.emit(False)
