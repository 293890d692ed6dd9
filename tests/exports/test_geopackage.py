"""GeoPackage of the real engine's plan: layers read back with pyogrio (GDAL) equal what was
written (names, fields, counts, EPSG:27700); partner-safe counts."""

from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest
from geopandas.testing import assert_geodataframe_equal

from workstation.domain import DayType
from workstation.errors import OutputError
from workstation.exports.layers import gather_layers
from workstation.exports.geopackage import geopackage_layers, write_geopackage


BOROUGH_FIELDS = [
    "unit_code", "unit_name", "bcu_code", "day_type", "hour", "population_present",
    "demand_per_hour", "harm_per_hour", "required_officers", "static_officers",
    "allocated_officers", "share_within_standard", "static_share_within_standard",
    "allocation_gap_officers"]


@pytest.fixture(scope="module")
def written(pack, real_plan, tmp_path_factory):
    path = tmp_path_factory.mktemp("gpkg") / "plan.gpkg"
    layers = gather_layers(pack, day_type=DayType.WEEKDAY)
    counts = write_geopackage(path, pack=pack, plan=real_plan, layers=layers)
    frames = geopackage_layers(pack=pack, plan=real_plan, layers=layers)
    return path, counts, frames


def test_layers_round_trip(written):
    path, counts, frames = written
    listed = {name: kind for name, kind in pyogrio.list_layers(path)}
    assert listed == {"boroughs": "Polygon", "hotspots": "MultiPolygon",
                      "grid_cells": "Polygon", "flow_lines": "LineString"}
    for name, frame in frames.items():
        info = pyogrio.read_info(path, layer=name)
        assert info["crs"] == "EPSG:27700", name
        assert info["features"] == counts[name] == len(frame) > 0, name
        assert list(info["fields"]) == [c for c in frame.columns if c != "geometry"], name
        back = gpd.read_file(path, layer=name, engine="pyogrio")
        assert back.crs.to_epsg() == 27700
        assert_geodataframe_equal(back, frame, check_dtype=False, check_like=True,
                                  check_less_precise=True, normalize=True)


def test_boroughs_layer_is_long_per_hour(written, real_plan):
    path, _, _ = written
    boroughs = gpd.read_file(path, layer="boroughs", engine="pyogrio")
    assert list(boroughs.columns) == BOROUGH_FIELDS + ["geometry"]
    # 32 planned boroughs (the City has its own force) x 3 day types x 24 hours
    assert len(boroughs) == 32 * 3 * 24 == len(real_plan.hourly)
    assert boroughs["allocated_officers"].sum() == real_plan.hourly["allocated"].sum()
    camden_8 = boroughs[(boroughs["unit_code"] == "E09000007") & (boroughs["hour"] == 8)
                        & (boroughs["day_type"] == "weekday")].iloc[0]
    assert camden_8["unit_name"] == "Camden"
    source = real_plan.hourly
    expected = source[(source["unit_code"] == "E09000007") & (source["hour"] == 8)
                      & (source["day_type"] == "weekday")].iloc[0]
    assert camden_8["demand_per_hour"] == pytest.approx(expected["demand_per_hour"])
    assert camden_8["allocation_gap_officers"] == pytest.approx(
        expected["allocated"] - expected["required"])


def test_partner_safe_counts_in_hotspot_layers(written):
    path, _, _ = written
    for name in ("hotspots", "grid_cells"):
        layer = gpd.read_file(path, layer=name, engine="pyogrio")
        shown = layer["incidents"].dropna()
        assert (shown >= 10).all(), name
        assert layer["incidents_suppressed"].sum() == layer["incidents"].isna().sum()
    cells = gpd.read_file(path, layer="grid_cells", engine="pyogrio")
    assert cells["harm"][cells["incidents_suppressed"]].isna().all()


def test_unwritable_geopackage(pack, real_plan, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError):
        write_geopackage(blocker / "out.gpkg", pack=pack, plan=real_plan)
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


@pytest.fixture(scope="module")
def police_uk_month(shared_data, pack):
    """One real police.uk month (Met burglary), through the analysts' import path."""
    from workstation.loaders import import_incidents
    files = sorted((shared_data / "police_uk_burglary").rglob("*.csv.gz"))
    return import_incidents(files[-1], boroughs=pack.table("boroughs"))


def test_incidents_are_cells_unless_opted_out(pack, police_uk_month, tmp_path):
    layers = gather_layers(pack, day_type=DayType.WEEKDAY)  # no plan: analysis layers only
    safe = tmp_path / "safe.gpkg"
    write_geopackage(safe, pack=pack, layers=layers, incidents=police_uk_month.frame)
    names = [name for name, _ in pyogrio.list_layers(safe)]
    assert "incident_cells" in names and "incident_points" not in names
    cells = gpd.read_file(safe, layer="incident_cells", engine="pyogrio")
    assert (cells["incidents"].dropna() >= 10).all()
    assert cells["incidents_suppressed"].any()
    open_file = tmp_path / "open.gpkg"
    write_geopackage(open_file, pack=pack, layers=layers, incidents=police_uk_month.frame,
                     partner_safe=False)
    points = gpd.read_file(open_file, layer="incident_points", engine="pyogrio")
    assert len(points) == police_uk_month.rows_placed
    assert set(points.columns) == {"month", "crime_type", "gss_code", "geometry"}


def test_grid_cells_carry_kde_and_gi_star_coarsened(written, pack):
    """Grid cells hold the KDE surface beside Gi*; in partner-safe mode both are rounded so
    the counts cannot be deconvolved back out, yet the KDE still holds all the incidents."""
    path, _, _ = written
    cells = gpd.read_file(path, layer="grid_cells", engine="pyogrio")
    for field in ("incidents", "harm", "z_score", "p_value", "hot", "cold", "hotspot_id",
                  "kde_incidents_per_km2_per_month", "kde_harm_per_km2_per_month"):
        assert field in cells.columns, field
    kde = cells["kde_incidents_per_km2_per_month"]
    assert (kde * 10 - (kde * 10).round()).abs().max() < 1e-9      # 0.1 per km² per month
    assert (cells["z_score"] * 10 - (cells["z_score"] * 10).round()).abs().max() < 1e-9
    # density x cell area x 12 months = the last year's police.uk burglaries (edge loss < 2%)
    lattice = pack.table("burglary_lattice")
    recent = sorted(lattice["month"].unique())[-12:]
    total = lattice.loc[lattice["month"].isin(recent), "incidents"].sum()
    cell_km2 = cells.geometry.iloc[0].area / 1e6
    assert kde.sum() * cell_km2 * 12 == pytest.approx(total, rel=0.02)
    # the densest KDE cell lies in a Gi* hotspot
    assert cells.loc[kde.idxmax(), "hotspot_id"] > 0


def test_bcu_plan_writes_a_bcus_layer(pack, tmp_path):
    """A plan by basic command unit: one feature per BCU x day type x hour, BCU polygons."""
    from workstation.deploy import recommend
    from workstation.deploy.scenario import DeploymentScenario

    plan = recommend(pack, DeploymentScenario(units="bcu", day_types=(DayType.FRIDAY,)))
    layers = gather_layers(pack, day_type=DayType.FRIDAY)
    path = tmp_path / "bcu.gpkg"
    counts = write_geopackage(path, pack=pack, plan=plan, layers=layers)
    assert "bcus" in counts and "boroughs" not in counts
    bcus = gpd.read_file(path, layer="bcus", engine="pyogrio")
    n_units = plan.plan["unit_code"].nunique()
    assert n_units == 12 and len(bcus) == n_units * 24 == counts["bcus"]
    assert set(bcus["unit_code"]) == set(plan.plan["unit_code"])  # the City (COL) not planned
    assert bcus.crs.to_epsg() == 27700
    assert bcus["allocated_officers"].sum() == plan.hourly["allocated"].sum()
