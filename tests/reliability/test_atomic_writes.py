"""Saves are atomic: a crash mid-write (SIGKILL) or an error leaves the previous file intact."""

import os
import signal
import subprocess
import sys

import pytest

from workstation.atomic import atomic_path, atomic_write_text
from workstation.errors import OutputError

WRITER = """
import sys, time
from workstation.atomic import atomic_path
with atomic_path(sys.argv[1]) as tmp:
    with open(tmp, 'w') as handle:
        handle.write('partial')
        handle.flush()
        print('writing', flush=True)
        time.sleep(60)
"""


def test_killed_mid_save_leaves_previous_file_intact(tmp_path):
    target = tmp_path / "project.json"
    target.write_text('{"version": 2, "name": "before"}')
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert target.read_text() == '{"version": 2, "name": "before"}'


def test_error_during_write_keeps_old_content_and_no_temp_files(tmp_path):
    target = tmp_path / "plan.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("new but broken")
            raise RuntimeError("exporter failed half-way")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.csv"]


def test_successful_write_replaces(tmp_path):
    target = tmp_path / "a.txt"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two"


def test_missing_folder_is_a_clear_output_error(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        atomic_write_text(tmp_path / "nope" / "a.txt", "x")


def test_parent_is_a_file_is_a_clear_output_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError):
        atomic_write_text(blocker / "a.txt", "x")


def test_mode_of_replaced_file_is_kept(tmp_path):
    target = tmp_path / "report.csv"
    target.write_text("old")
    os.chmod(target, 0o640)
    atomic_write_text(target, "new")
    assert (target.stat().st_mode & 0o777) == 0o640
