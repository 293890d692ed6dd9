"""The London grid and the incident inputs, on the real pack and raw police.uk files."""

import numpy as np
import pytest

from workstation.maps.counts import IncidentCounts, month_add, month_span, parse_month_range
from workstation.errors import InputError


def test_grid_covers_each_borough_at_its_area(grid_100, pack):
    boroughs = pack.table("boroughs").sort_values("gss_code")
    assert grid_100.borough_codes == tuple(boroughs["gss_code"])
    assert grid_100.x0_m % 100 == 0 and grid_100.y0_m % 100 == 0  # aligned with the lattice
    cells = np.bincount(grid_100.borough_index[grid_100.inside], minlength=33)
    area_m2 = cells * grid_100.cell_area_m2
    ratio = area_m2 / boroughs["area_m2"].to_numpy()
    assert np.all(np.abs(ratio - 1) < 0.03), ratio  # City of London (2.9 km²) is the worst case
    assert grid_100.area_inside_m2 == pytest.approx(boroughs["area_m2"].sum(), rel=0.002)


def test_grid_cell_of_known_place(grid_100):
    # Trafalgar Square, BNG 530000 180400: Westminster
    row, col, ok = grid_100.cell_of(np.array([530_010.0]), np.array([180_450.0]))
    code = grid_100.borough_codes[grid_100.borough_index[row[0], col[0]]]
    assert ok[0] and code == "E09000033"


def test_lattice_counts_match_the_pack(lattice_counts, pack, grid_100):
    lattice = pack.table("burglary_lattice")
    assert lattice_counts.total_incidents == lattice["incidents"].sum()
    assert lattice_counts.month_range() == ("2019-01", "2024-08") and lattice_counts.n_months() == 68
    # all burglary: harm is the police.uk Burglary weight times the count
    from workstation.maps.harm import load_harm_weights
    w = load_harm_weights().weight("Burglary")
    assert lattice_counts.total_harm == pytest.approx(w * lattice_counts.total_incidents)
    binned = grid_100.bin(lattice_counts.x_m, lattice_counts.y_m, lattice_counts.count)
    assert binned[grid_100.inside].sum() / binned.sum() > 0.99  # lattice points fall inside London


def test_filters(lattice_counts):
    year = lattice_counts.filter(months=("2023-01", "2023-12"))
    assert year.months() == tuple(f"2023-{m:02d}" for m in range(1, 13))
    westminster = year.filter(boroughs=["E09000033"])
    assert 0 < westminster.total_incidents < year.total_incidents
    assert set(westminster.gss_code) == {"E09000033"}
    assert len(year.filter(crime_types=["robbery"])) == 0
    assert year.filter(crime_types=["BURGLARY"]).total_incidents == year.total_incidents


def test_from_incidents_uses_the_police_uk_loader(shared_data, pack):
    from workstation.loaders.police_uk import load_police_uk
    path = shared_data / "police_uk_burglary" / "2024-08-metropolitan-street.csv.gz"
    incidents = load_police_uk(path, boroughs=pack.table("boroughs"))
    counts = IncidentCounts.from_incidents(incidents)
    assert len(counts) == incidents.rows_placed
    assert counts.months() == ("2024-08",)
    # the same month on the lattice holds the London-placed subset of the same rows
    lattice_month = pack.table("burglary_lattice").query("month == '2024-08'")["incidents"].sum()
    inside = (counts.gss_code != "").sum()
    assert abs(inside - lattice_month) <= 0.01 * lattice_month


def test_month_helpers():
    assert parse_month_range("2023-01..2023-12") == ("2023-01", "2023-12")
    assert parse_month_range("2024-05") == ("2024-05", "2024-05")
    assert month_add("2024-01", -1) == "2023-12" and month_add("2023-12", 13) == "2025-01"
    assert month_span("2019-01", "2024-08") == 68
    for bad in ("2024-13..2024-14", "2024-05..2024-01", "May 2024"):
        with pytest.raises(InputError):
            parse_month_range(bad)
