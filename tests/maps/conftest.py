"""Fixtures for the hotspot engine: the real grid and lattice, built once per session."""

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The raw open data (../shared/data beside the clone, or $WORKSTATION_SHARED_DATA, e.g.
    when the checkout is a git worktree one level deeper)."""
    default = Path(__file__).resolve().parents[2].parent / "shared" / "data"  # as tests/conftest.py
    path = Path(os.environ.get("WORKSTATION_SHARED_DATA", default))
    if not path.exists():
        pytest.skip(f"{path} not present")
    return path


@pytest.fixture(scope="session")
def grid_100(pack):
    from workstation.maps.sources import london_grid
    return london_grid(pack, cell_m=100.0)


@pytest.fixture(scope="session")
def lattice_counts(pack):
    from workstation.maps.counts import IncidentCounts
    return IncidentCounts.from_lattice(pack)


@pytest.fixture(scope="session")
def patrol(pack, lattice_counts, grid_100):
    """Patrol hotspots on the shipped lattice, as `workstation hotspots` computes them."""
    from workstation.maps.microplaces import patrol_hotspots
    return patrol_hotspots(lattice_counts, grid_100, pack=pack)
