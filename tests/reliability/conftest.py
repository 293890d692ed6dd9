"""Reliability fixtures: one socket-blocked run of the real workflow (app start-up, info,
import, hotspots, plan, report), shared by the no-network and sensitive-data tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "no_network_runner.py"
REPO = HERE.parents[1]
PROJECT = REPO / "tests" / "fixtures" / "projects" / "v2_carnival_sunday.ldwproj"
POLICE_UK_MONTH = "2019-08-metropolitan-street.csv.gz"


@dataclass(frozen=True)
class BlockedRun:
    name: str
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    native_inet_calls: list[str] | None   # strace lines; None when strace is unavailable


@dataclass(frozen=True)
class Workflow:
    folder: Path
    log_file: Path
    incidents_file: Path
    outputs: dict[str, Path]
    runs: dict[str, BlockedRun]


def _strace_works() -> bool:
    if shutil.which("strace") is None:
        return False
    try:
        return subprocess.run(["strace", "-qq", "-o", os.devnull, "true"],
                              capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def run_blocked(name: str, argv: list[str], *, cwd: Path, env: dict[str, str],
                strace: bool) -> BlockedRun:
    """Run the runner in a subprocess (under strace when it works) and collect the result."""
    command = [sys.executable, str(RUNNER), *argv]
    trace = cwd / f"strace-{name}.txt"
    if strace:
        command = ["strace", "-f", "-qq", "-e", "trace=socket,connect", "-o", str(trace),
                   *command]
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)
    native = None
    if strace:
        lines = trace.read_text(errors="replace").splitlines() if trace.exists() else []
        native = [line for line in lines if "AF_INET" in line]
    return BlockedRun(name, argv, proc.returncode, proc.stdout, proc.stderr, native)


@pytest.fixture(scope="session")
def blocked_workflow(tmp_path_factory, shared_data) -> Workflow:
    """Start-up, info, import, hotspots, plan and report of real data, each in its own
    socket-blocked process, with a log file at DEBUG in a private state folder."""
    folder = tmp_path_factory.mktemp("blocked")
    state = folder / "state"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_STATE_HOME=str(state),
               XDG_CONFIG_HOME=str(folder / "config"),
               WORKSTATION_DATA=str(REPO / "data"), PYTHONPATH=str(REPO))
    month = shared_data / "police_uk_burglary" / POLICE_UK_MONTH
    outputs = {"store": folder / "work.incidents", "hotspots": folder / "hotspots.gpkg",
               "plan": folder / "plan.json", "report": folder / "report.pdf"}
    steps = [
        ("app", ["--app"]),
        ("info", ["info", "--json"]),
        ("import", ["import", str(month), "--into", str(outputs["store"]), "--json"]),
        ("hotspots", ["hotspots", "--incidents", str(month), "--top", "5",
                      "--out", str(outputs["hotspots"])]),
        ("plan", ["plan", "--scenario", str(PROJECT), "--out", str(outputs["plan"])]),
        ("report", ["report", "--scenario", str(PROJECT), "--incidents", str(month),
                    "--out", str(outputs["report"])]),
    ]
    strace = _strace_works()
    # Independent processes: run a few at once so the area stays quick on two cores.
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {name: pool.submit(run_blocked, name, argv, cwd=folder, env=env,
                                     strace=strace) for name, argv in steps}
        runs = {name: future.result() for name, future in futures.items()}
    return Workflow(folder=folder, log_file=state / "london-deployment-workstation" /
                    "logs" / "workstation.log", incidents_file=month, outputs=outputs, runs=runs)
