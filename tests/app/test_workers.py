"""Background workers: results arrive on the GUI thread; cancel stops; newer task wins."""

import threading

import pytest

from workstation.app.workers import WorkerPool
from workstation.domain import check_cancel
from workstation.errors import InputError


def count_until_cancelled(limit: int, *, progress, cancel, seen_thread: list | None = None):
    """A pure loop that polls its CancelToken, as engines do between chunks."""
    if seen_thread is not None:
        seen_thread.append(threading.get_ident())
    total = 0
    for i in range(limit):
        check_cancel(cancel)
        total += i
        progress(i / limit, "counting")
    progress(1.0, "done")
    return total


def bad_input(*, progress, cancel):
    raise InputError("column 'Latitude' is missing", path="crimes.csv")


@pytest.fixture
def pool(qtbot):
    pool = WorkerPool()
    yield pool
    assert pool.shutdown(30_000)


def test_result_and_progress_arrive_on_gui_thread(qtbot, pool):
    threads: list[int] = []
    progress: list[float] = []
    handle = pool.start("count", count_until_cancelled, 20_000, seen_thread=threads)
    handle.sig_progress.connect(lambda f, m: progress.append(f))
    with qtbot.waitSignal(handle.sig_finished, timeout=30_000) as blocker:
        pass
    assert blocker.args == [sum(range(20_000))]
    assert threads and threads[0] != threading.get_ident()
    assert progress and progress[-1] == 1.0
    assert progress == sorted(progress)
    assert len(progress) <= 20_000 // 100 + 50     # throttled, not one signal per step
    assert not pool.busy


def test_cancel_stops_the_task(qtbot, pool):
    handle = pool.start("count", count_until_cancelled, 10**12)
    finished = []
    handle.sig_finished.connect(finished.append)
    with qtbot.waitSignal(handle.sig_progress, timeout=30_000):
        pass
    with qtbot.waitSignal(handle.sig_cancelled, timeout=30_000):
        handle.cancel()
    assert finished == []
    assert handle.done and pool.current("count") is None


def test_new_task_of_same_kind_cancels_previous(qtbot, pool):
    first = pool.start("count", count_until_cancelled, 10**12)
    first_results = []
    first.sig_finished.connect(first_results.append)
    with qtbot.waitSignal(first.sig_progress, timeout=30_000):
        pass
    second_results = []
    with qtbot.waitSignal(first.sig_cancelled, timeout=30_000):
        second = pool.start("count", count_until_cancelled, 1000)
        # Connect before the event loop runs: the short task may finish while we wait.
        second.sig_finished.connect(second_results.append)
    qtbot.waitUntil(lambda: second.done, timeout=30_000)
    assert first_results == []
    assert second_results == [sum(range(1000))]


def test_other_kinds_run_alongside(qtbot, pool):
    long = pool.start("hotspots", count_until_cancelled, 10**12)
    with qtbot.waitSignal(long.sig_progress, timeout=30_000):
        pass
    short = pool.start("recommend", count_until_cancelled, 500)
    with qtbot.waitSignal(short.sig_finished, timeout=30_000):
        pass
    assert pool.current("hotspots") is long          # not cancelled by another kind
    with qtbot.waitSignal(long.sig_cancelled, timeout=30_000):
        pool.cancel("hotspots")


def test_failure_carries_the_exception(qtbot, pool):
    handle = pool.start("load", bad_input)
    with qtbot.waitSignal(handle.sig_failed, timeout=30_000) as blocker:
        pass
    exc = blocker.args[0]
    assert isinstance(exc, InputError)
    assert "Latitude" in str(exc) and exc.path == "crimes.csv"


def make_cyclic_garbage(count: int, *, progress, cancel):
    """Enough reference cycles to trigger many automatic collections if GC were on."""
    for i in range(count):
        node: dict = {}
        node["self"] = node
        if i % 10_000 == 0:
            check_cancel(cancel)
            progress(i / count, "allocating")
    return count


def test_garbage_is_collected_only_on_the_gui_thread(qtbot, pool):
    """A collection in a worker can free GUI-thread Qt objects and crash the app."""
    import gc

    collecting_threads: list[int] = []

    def record(phase, info):
        if phase == "start":
            collecting_threads.append(threading.get_ident())

    gc.callbacks.append(record)
    try:
        handle = pool.start("garbage", make_cyclic_garbage, 300_000)
        with qtbot.waitSignal(handle.sig_finished, timeout=60_000):
            pass
        qtbot.waitUntil(lambda: gc.isenabled(), timeout=10_000)
    finally:
        gc.callbacks.remove(record)
    assert set(collecting_threads) <= {threading.get_ident()}
    assert gc.isenabled()          # automatic collection is handed back once idle
