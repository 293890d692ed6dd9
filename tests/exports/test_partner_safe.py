"""Partner-safe mode on real police.uk burglary (the pack lattice): no small counts leave."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workstation.exports.partner_safe import (DisclosurePolicy, aggregate_incidents,
                                              incidents_for_export, suppress_counts)


@pytest.fixture(scope="module")
def burglary_points(pack) -> pd.DataFrame:
    """One point per real burglary in a recent month (lattice cell centres, count-expanded)."""
    lattice = pack.table("burglary_lattice")
    month = sorted(lattice["month"].unique())[-1]
    rows = lattice[lattice["month"] == month]
    repeat = rows["incidents"].to_numpy(dtype=int)
    return pd.DataFrame({
        "easting_m": np.repeat(rows["cell_e"].to_numpy() + 50.0, repeat),
        "northing_m": np.repeat(rows["cell_n"].to_numpy() + 50.0, repeat),
        "month": month, "crime_type": "Burglary",
        "gss_code": np.repeat(rows["gss_code"].to_numpy(), repeat)})


def test_grid_aggregation_suppresses_every_small_count(burglary_points):
    cells = aggregate_incidents(burglary_points, by="grid", cell_m=500)
    shown = cells["incidents"].dropna()
    assert (shown >= 10).all()
    assert cells["incidents_suppressed"].any()           # real data has many small cells
    assert cells["incidents"].isna().sum() == cells["incidents_suppressed"].sum()
    assert cells.crs.to_epsg() == 27700
    # nothing is lost: the shown counts never exceed the real total
    assert shown.sum() <= len(burglary_points)


def test_borough_aggregation_totals_and_threshold(burglary_points):
    boroughs = aggregate_incidents(burglary_points, by="borough",
                                   policy=DisclosurePolicy(threshold=200))
    raw = burglary_points.groupby("gss_code").size()
    for row in boroughs.itertuples():
        if row.incidents_suppressed:
            assert raw[row.gss_code] < 200 and np.isnan(row.incidents)
        else:
            assert row.incidents == raw[row.gss_code] >= 200


def test_points_need_explicit_opt_in(burglary_points):
    safe = incidents_for_export(burglary_points)
    assert safe.geom_type.unique().tolist() == ["Polygon"]
    assert (safe["incidents"].dropna() >= 10).all()
    points = incidents_for_export(burglary_points, policy=DisclosurePolicy(partner_safe=False))
    assert len(points) == len(burglary_points)
    assert points.geom_type.unique().tolist() == ["Point"]


def test_labels_and_derived_columns():
    policy = DisclosurePolicy()
    assert policy.label(3) == "<10" and policy.label(0) == "<10" and policy.label(12) == "12"
    assert "below 10" in policy.note
    frame = pd.DataFrame({"incidents": [3, 25], "harm": [9.0, 80.0]})
    out = suppress_counts(frame, ["incidents"], derived=["harm"])
    assert out["incidents"].isna().tolist() == [True, False]
    assert out["harm"].isna().tolist() == [True, False]
    assert DisclosurePolicy(partner_safe=False).label(3) == "3"
