"""No network: the app and the CLI never open an internet socket.

Each step of the real workflow runs in its own process with internet sockets, connects and
name lookups refused (``no_network_runner.py``); where strace works, the process is also
traced so native code that bypasses Python (e.g. Qt networking) would be caught. The plan
and report steps run the real deployment engine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parent / "no_network_runner.py"

STEPS = ["app", "info", "import", "hotspots", "plan", "report"]


@pytest.mark.parametrize("step", STEPS)
def test_step_runs_with_the_network_blocked(step, blocked_workflow):
    run = blocked_workflow.runs[step]
    assert "NETWORK ATTEMPTS" not in run.stderr, run.stderr
    assert run.returncode == 0, f"{step} exited {run.returncode}: {run.stderr[-2000:]}"
    assert "Traceback" not in run.stderr
    if run.native_inet_calls is not None:
        assert run.native_inet_calls == [], run.native_inet_calls


def test_each_step_did_its_work(blocked_workflow):
    runs, out = blocked_workflow.runs, blocked_workflow.outputs
    app = runs["app"].stdout
    assert "choropleth" in app and "London Deployment Workstation" in app
    assert "excepthook=CrashHandler" in app      # run_app installed the crash handler
    info = json.loads(runs["info"].stdout)
    assert info["boroughs"] == 33
    imported = json.loads(runs["import"].stdout)
    assert imported["rows_placed"] > 1000 and list(out["store"].glob("*.parquet"))
    assert "hotspots" in runs["hotspots"].stdout and out["hotspots"].stat().st_size > 0
    plan = json.loads(out["plan"].read_text(encoding="utf-8"))
    assert plan  # the engine's plan, written while offline
    assert out["report"].read_bytes().startswith(b"%PDF")


def test_the_block_catches_an_attempt(tmp_path):
    """Control: the runner's block really refuses (and reports) an internet connection."""
    code = (f"import sys; sys.path.insert(0, {str(RUNNER.parent)!r}); "
            "import no_network_runner as r; r.install_block()\n"
            "import urllib.request\n"
            "try:\n    urllib.request.urlopen('http://example.org', timeout=1)\n"
            "except OSError:\n    pass\n"
            "import socket\n"
            "try:\n    socket.create_connection(('127.0.0.1', 9))\n"
            "except OSError:\n    pass\n"
            "print(len(r.ATTEMPTS))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.strip()) >= 2
