"""Fixtures the app tests share: a session on the shipped pack and a worker pool that must
shut down cleanly (a task still running at the end of a test is a bug)."""

from __future__ import annotations

import pytest

from workstation.app.session import Session
from workstation.app.workers import WorkerPool


@pytest.fixture
def session(qtbot, pack):
    return Session(pack)


@pytest.fixture
def pool(qtbot):
    pool = WorkerPool()
    yield pool
    assert pool.shutdown(60_000)
