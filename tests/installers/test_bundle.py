"""The built bundle (installers/dist/workstation), when there is one: the smoke test passes
and the lean-bundle exclusions held. Build first with ``bash installers/build.sh`` (≈4 min);
``WORKSTATION_BUNDLE`` may point at another build's executable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BUNDLE = Path(os.environ.get("WORKSTATION_BUNDLE")
              or REPO_ROOT / "installers" / "dist" / "workstation" / "workstation")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not BUNDLE.is_file(),
                       reason=f"no built bundle at {BUNDLE} (bash installers/build.sh)"),
]


def _internal() -> Path:
    return BUNDLE.parent / "_internal"


def test_smoke_test_passes_against_the_bundle():
    result = subprocess.run([sys.executable, str(REPO_ROOT / "installers" / "smoke_test.py"),
                             str(BUNDLE)], capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "smoke test passed" in result.stdout
    for step in ("load data pack", "reproject to EPSG:27700", "compute plan",
                 "export PDF report", "export GeoPackage", "open main window"):
        assert f"ok   {step}" in result.stdout, step
    assert "frozen bundle" in result.stdout   # not the source tree's Python


def test_bundle_carries_the_pack_and_not_the_excluded_parts():
    root = _internal()
    shipped = {p.name for p in (REPO_ROOT / "data").iterdir() if p.is_file()}
    bundled = {p.name for p in (root / "data").iterdir()}
    assert shipped <= bundled
    assert list(root.glob("pyproj/proj_dir/share/proj/proj.db"))
    assert list(root.glob("pyogrio/gdal_data/*")) and list(root.glob("pyogrio/proj_data/proj.db"))
    names = {p.relative_to(root).as_posix() for p in root.rglob("*")}
    unwanted = [n for n in names
                if "QtWebEngine" in n or "QtQml" in n or "QtQuick" in n
                or "libarrow_flight" in n or "libarrow_s3" in n or "libqgtk3" in n
                or "/tests/" in f"/{n}/" or n.startswith("PySide6/Qt/translations/")
                or n.endswith((".pyx", ".pxd", ".h")) or "datapack/build" in n]
    assert not unwanted, unwanted[:20]


def test_bundled_pack_is_this_trees_pack():
    """A bundle built from an older tree would ship a stale pack: compare byte for byte."""
    import hashlib
    root = _internal() / "data"
    for source in sorted((REPO_ROOT / "data").iterdir()):
        if source.is_file():
            bundled = root / source.name
            assert (hashlib.sha256(bundled.read_bytes()).hexdigest()
                    == hashlib.sha256(source.read_bytes()).hexdigest()), source.name
