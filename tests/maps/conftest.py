"""Fixtures for the hotspot engine: the real grid and lattice, built once per session."""

import pytest


@pytest.fixture(scope="session")
def grid_100(pack):
    from workstation.maps.sources import london_grid
    return london_grid(pack, cell_m=100.0)


@pytest.fixture(scope="session")
def lattice_counts(pack):
    from workstation.maps.counts import IncidentCounts
    return IncidentCounts.from_lattice(pack)
