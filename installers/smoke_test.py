"""Smoke test of a built bundle: run it as a user would, on a machine with no network.

    python installers/smoke_test.py [installers/dist/workstation/workstation]

Checks `--version`, then `selftest --gui` (offscreen: loads the data pack, reprojects a point
to EPSG:27700, computes a plan, exports a PDF and a GeoPackage, opens the main window) and
that the files were written. The bundle runs from an empty folder with a bare environment
(no PYTHONPATH, no virtualenv, no WORKSTATION_DATA, a throwaway HOME) and, where
`unshare` can make one, in a network namespace with no interfaces, so a hidden dependency
on the source tree, the venv or the network fails here rather than on an analyst's laptop.
Exits non-zero on the first failure. Standard library only (runs with any Python 3.9+).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_BINARY = Path(__file__).resolve().parent / "dist" / "workstation" / "workstation"
OUTPUTS = ("selftest-report.pdf", "selftest.gpkg", "selftest-window.png")


def no_network_prefix() -> list[str]:
    """`unshare -rn` (a user + network namespace: only a down loopback) if this machine
    allows it, else [] and the test runs with the network it has."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    probe = subprocess.run([unshare, "-rn", "true"], capture_output=True)
    return [unshare, "-rn"] if probe.returncode == 0 else []


def bare_env(home: Path) -> dict[str, str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
           "XDG_CONFIG_HOME": str(home / ".config"), "QT_QPA_PLATFORM": "offscreen",
           "TMPDIR": str(home)}
    return env


def run(binary: Path, *, isolate_network: bool = True) -> int:
    binary = Path(binary).resolve()
    if not binary.is_file():
        print(f"no bundle at {binary}: build it with bash installers/build.sh", file=sys.stderr)
        return 1
    prefix = no_network_prefix() if isolate_network else []
    print(f"bundle: {binary}")
    print("network: " + ("none (unshare -rn)" if prefix else "NOT isolated (unshare unavailable)"))
    with tempfile.TemporaryDirectory(prefix="ws-smoke-") as tmp:
        home, out = Path(tmp) / "home", Path(tmp) / "out"
        home.mkdir()
        env = bare_env(home)
        started = time.perf_counter()
        version = subprocess.run(prefix + [str(binary), "--version"], capture_output=True,
                                 text=True, env=env, cwd=home, timeout=120)
        print(f"{version.stdout.strip() or version.stderr.strip()} "
              f"({time.perf_counter() - started:.1f} s)")
        if version.returncode != 0 or not version.stdout.startswith("workstation "):
            print(f"--version failed (exit {version.returncode})", file=sys.stderr)
            return 1
        started = time.perf_counter()
        result = subprocess.run(prefix + [str(binary), "selftest", "--gui", "--out", str(out)],
                                capture_output=True, text=True, env=env, cwd=home, timeout=900)
        print(result.stdout.rstrip())
        print(f"selftest: exit {result.returncode} in {time.perf_counter() - started:.1f} s")
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            return result.returncode
        for name in OUTPUTS:
            path = out / name
            if not path.exists() or path.stat().st_size == 0:
                print(f"missing output {path}", file=sys.stderr)
                return 1
        if not (out / "selftest-report.pdf").read_bytes().startswith(b"%PDF-"):
            print("selftest-report.pdf is not a PDF", file=sys.stderr)
            return 1
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(run(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_BINARY))
