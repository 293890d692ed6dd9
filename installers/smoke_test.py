"""Smoke test of a built bundle: run it as a user would, on a machine with no network.

    python installers/smoke_test.py [installers/dist/workstation/workstation]

Checks `--version`, then `selftest` (offscreen: opens the main window, loads the data pack,
reprojects a point to EPSG:27700, computes a plan, exports a PDF and a GeoPackage) and that
both files were written. Exits non-zero on the first failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

DEFAULT_BINARY = Path(__file__).resolve().parent / "dist" / "workstation" / "workstation"


def run(binary: Path) -> int:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("WORKSTATION_DATA", None)  # the bundle must find its own data pack
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, env=env,
                             timeout=120)
    print(version.stdout.strip() or version.stderr.strip())
    if version.returncode != 0 or "workstation" not in version.stdout:
        return 1
    with tempfile.TemporaryDirectory() as out:
        result = subprocess.run([str(binary), "selftest", "--gui", "--out", out],
                                capture_output=True, text=True, env=env, timeout=600)
        print(result.stdout)
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            return result.returncode
        for name in ("selftest-report.pdf", "selftest.gpkg"):
            path = Path(out) / name
            if not path.exists() or path.stat().st_size == 0:
                print(f"missing output {path}", file=sys.stderr)
                return 1
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(run(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_BINARY))
