"""Fixtures for the loader tests: real police.uk rows and samples, and a borough locator
built once per session from the shipped pack."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

BURGLARY_TOTAL_ROWS = 338_055
BURGLARY_NO_COORDINATE_ROWS = 4_826
MET = "Metropolitan Police Service"


@pytest.fixture(scope="session")
def locator(pack):
    from workstation.loaders.locate import BoroughLocator
    return BoroughLocator.from_pack(pack)


@pytest.fixture(scope="session")
def burglary_dir(shared_data) -> Path:
    return shared_data / "police_uk_burglary"


@pytest.fixture(scope="session")
def burglary_all(burglary_dir, locator):
    """All 68 real months loaded once (about a second)."""
    from workstation.loaders.police_uk import load_police_uk
    return load_police_uk(burglary_dir, boroughs=locator)


@pytest.fixture(scope="session")
def month_lines(burglary_dir) -> list[str]:
    """Header + every line of 2019-01 (7,478 real rows, 20 without coordinates)."""
    text = gzip.decompress((burglary_dir / "2019-01-metropolitan-street.csv.gz").read_bytes())
    return text.decode("utf-8").splitlines()


@pytest.fixture(scope="session")
def incidents_dir(shared_data) -> Path:
    return shared_data / "incidents"


@pytest.fixture(scope="session")
def stop_search_lines(incidents_dir) -> list[str]:
    path = incidents_dir / "police_uk_2016-06_metropolitan_stop_and_search.csv"
    return path.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="session")
def stats19_lines(incidents_dir) -> list[str]:
    path = incidents_dir / "stats19_collision_2022_met_first1049rows.csv"
    return path.read_text(encoding="utf-8-sig").splitlines()
