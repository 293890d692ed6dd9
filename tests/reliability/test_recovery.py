"""Crash recovery with real app processes (offscreen): a change is autosaved a couple of
seconds after it is made (debounce ``AUTOSAVE_DEBOUNCE_S`` = 2 s; the issue's "30 s after a
change" is shortened to a few seconds so the test is quick), survives kill -9 and is
offered at the next start; two copies keep separate recovery files, and one closing
cleanly never deletes the other's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workstation.project.recovery import AUTOSAVE_DEBOUNCE_S

HERE = Path(__file__).resolve().parent
CHILD = HERE / "recovery_child.py"
REPO = HERE.parents[1]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


class Child:
    def __init__(self, mode: str, officers: int, env: dict, folder: Path):
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILD), mode, str(officers), str(folder / f"{mode}.ini")],
            env=env, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []

    def wait_for(self, prefix: str, timeout_s: float = 120.0) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.lines.append(line.strip())
            if line.startswith(prefix):
                return line.strip()
        raise AssertionError(f"no {prefix!r}; got {self.lines}; stderr: "
                             f"{self.proc.stderr.read() if self.proc.poll() is not None else ''}")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def finish(self, timeout_s: float = 60.0) -> int:
        out, _err = self.proc.communicate(timeout=timeout_s)
        self.lines += out.splitlines()
        return self.proc.returncode


@pytest.fixture
def env(tmp_path):
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO),
                XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_STATE_HOME=str(tmp_path / "state"),
                WORKSTATION_DATA=str(REPO / "data"))


def recovery_files(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "state" / "london-deployment-workstation" / "recovery"
    return sorted(folder.glob("autosave-*.ldwproj")) if folder.is_dir() else []


def test_kill_9_after_a_change_is_offered_on_restart(env, tmp_path):
    first = Child("change", 2345, env, tmp_path)
    seconds = float(first.wait_for("autosaved").split()[1])
    assert AUTOSAVE_DEBOUNCE_S - 0.2 <= seconds <= AUTOSAVE_DEBOUNCE_S + 3.0, seconds
    first.kill()                                       # no clean exit, no chance to save
    assert len(recovery_files(tmp_path)) == 1
    second = Child("restore", 0, env, tmp_path)
    assert second.wait_for("offered") == "offered 2345"
    assert second.wait_for("restored") == "restored 2345"
    assert second.finish() == 0
    assert recovery_files(tmp_path) == []              # restored, then closed cleanly


def test_two_copies_keep_both_recoveries(env, tmp_path):
    first = Child("change", 1111, env, tmp_path)
    first.wait_for("autosaved")
    first_file = recovery_files(tmp_path)
    assert len(first_file) == 1
    second = Child("change-close", 2222, env, tmp_path)
    second.wait_for("autosaved")
    assert len(recovery_files(tmp_path)) == 2          # one per open copy
    assert second.finish() == 0
    assert "offered 1111" not in second.lines          # a running copy's file is not offered
    assert recovery_files(tmp_path) == first_file      # its clean exit kept the first's file
    first.kill()
    third = Child("restore", 0, env, tmp_path)
    assert third.wait_for("offered") == "offered 1111"
    assert third.wait_for("restored") == "restored 1111"
    assert third.finish() == 0
