"""The real app (``run_app``) imports a real police.uk month through File > Import and
recomputes the map's hotspots from it on a worker thread, without crashing (and with
the network blocked). Runs in a subprocess: a crash here is a segmentation fault.

Regression: pyproj keeps each thread's PROJ context pointer in native thread storage
but frees the context with the Python thread state; QThreadPool runs each task in a
fresh Python thread state on a reused OS thread, so the second task that touched a CRS
(hotspots after an import, or a report export) used a freed context and the process
died in ``pyproj.CRS._crs``. ``workstation/app/workers.py`` keeps each pool thread's
context alive."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def test_app_imports_and_recomputes_hotspots_without_crashing(shared_data, tmp_path):
    month = shared_data / "police_uk_burglary" / "2019-08-metropolitan-street.csv.gz"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_STATE_HOME=str(tmp_path / "s"),
               XDG_CONFIG_HOME=str(tmp_path / "c"), WORKSTATION_DATA=str(REPO / "data"),
               PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, str(HERE / "no_network_runner.py"), "--app-import",
                           str(month)], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode != -signal.SIGSEGV, "the app crashed (segmentation fault)"
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "rows_placed=5852" in proc.stdout
