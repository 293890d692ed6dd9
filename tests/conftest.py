"""Shared fixtures. Qt runs offscreen; QSettings and user config are isolated per test."""

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
# WORKSTATION_SHARED_DATA: the raw data elsewhere (e.g. a git worktree beside the clone).
SHARED_DATA = Path(os.environ.get("WORKSTATION_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
PACK_DIR = REPO_ROOT / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The raw open data the pack is built from (CI has ../shared beside the clone)."""
    if not SHARED_DATA.exists():
        pytest.skip("../shared/data not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def pack():
    """The shipped data pack, loaded once per test session (read-only)."""
    from workstation.datapack import load_pack
    return load_pack(PACK_DIR)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    config = tmp_path_factory.mktemp("xdg_config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setenv("WORKSTATION_DATA", str(PACK_DIR))
