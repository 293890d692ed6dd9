"""Killing the workstation mid-save (SIGKILL: power cut, task manager) leaves the previous
project file intact and loadable. The child process saves a real project with the real
``workstation.project.save_project``; it is killed while writing the temporary file, just
before the rename, and at arbitrary moments during a loop of large saves."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workstation.project import load_project

REPO = Path(__file__).resolve().parents[2]
PROJECT_FIXTURE = REPO / "tests" / "fixtures" / "projects" / "v2_carnival_sunday.ldwproj"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

# The child: open the analyst's project, change it, save it over the same file. PAUSE
# chooses where it stops (and waits to be killed): "write" halfway through writing the
# temporary file, "rename" after writing and fsync but before the rename, "loop" never
# (it saves large versions back to back until killed).
CHILD = r"""
import os, pathlib, sys, time
from dataclasses import replace
import workstation.atomic as atomic
from workstation.project import load_project, save_project

target, pause = sys.argv[1], sys.argv[2]
project = load_project(target)
# A large project: 4 MB of notes in the scenario's free-form extras, so a write takes a while.
big = {"notes": ["Borough briefing note %06d: extra officers at the carnival route" % i
                 for i in range(60_000)]}

if pause == "write":
    real_write = pathlib.Path.write_bytes
    def slow_write(self, data):
        with open(self, "wb") as handle:
            handle.write(data[: len(data) // 2])
            handle.flush()
            print("writing", flush=True)
            time.sleep(120)
            handle.write(data[len(data) // 2:])
    pathlib.Path.write_bytes = slow_write
elif pause == "rename":
    real_fsync = os.fsync
    def slow_fsync(fd):
        real_fsync(fd)
        print("writing", flush=True)
        time.sleep(120)
    atomic.os.fsync = slow_fsync

n = 0
while True:
    n += 1
    scenario = project.scenario.with_changes(name=f"after save {n}", officers_on_duty=1000 + n,
                                             extra=big)
    save_project(replace(project, scenario=scenario), target)
    if n == 1:
        print("saved", flush=True)
"""


def _child(target: Path, pause: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-c", CHILD, str(target), pause],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize("pause", ["write", "rename"])
def test_killed_mid_save_keeps_the_previous_project(pause, tmp_path):
    target = tmp_path / "carnival.ldwproj"
    shutil.copyfile(PROJECT_FIXTURE, target)
    before = target.read_bytes()
    proc = _child(target, pause)
    try:
        line = proc.stdout.readline().strip()
        assert line == "writing", proc.stderr.read() if proc.poll() is not None else line
        # Mid-save: the new version is in a temporary file beside the project.
        temps = list(tmp_path.glob(".carnival.ldwproj.*.tmp"))
        assert len(temps) == 1 and temps[0].stat().st_size > 100_000
    finally:
        _kill(proc)
    assert target.read_bytes() == before
    project = load_project(target)
    assert project.scenario.name == "Carnival Sunday - extra lending"
    assert project.scenario.officers_on_duty == 2650


def test_killed_at_arbitrary_moments_the_file_is_always_a_whole_version(tmp_path):
    """Three kills at different points in a loop of large saves: every time the file on
    disk is one complete version (the original or one of the saves), never a mixture."""
    target = tmp_path / "carnival.ldwproj"
    shutil.copyfile(PROJECT_FIXTURE, target)
    versions = set()
    for delay_s in (0.05, 0.21, 0.37):
        proc = _child(target, "loop")
        try:
            assert proc.stdout.readline().strip() == "saved", proc.stderr.read()
            time.sleep(delay_s)   # not a timing assertion: only varies where the kill lands
        finally:
            _kill(proc)
        project = load_project(target)       # raises if the file were half-written
        assert project.scenario.name.startswith("after save ")
        n = int(project.scenario.name.rsplit(" ", 1)[1])
        assert project.scenario.officers_on_duty == 1000 + n
        assert len(project.scenario.extra["notes"]) == 60_000
        versions.add(n)
        for stray in tmp_path.glob(".carnival.ldwproj.*.tmp"):
            stray.unlink()     # left by the kill; harmless (nothing reads .tmp files)
    assert versions
