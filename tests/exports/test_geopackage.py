"""GeoPackage of the real engine's plan: layers read back with pyogrio (GDAL) and sqlite equal
what was written (names, fields, counts, EPSG:27700), with GeoPackage version 1.2, a
description per table, QGIS default styles in the app's colours, one geometry per borough
with the hours in a joined attributes table, day/hour on flow lines; partner-safe counts and
fully suppressed features left out."""

from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest
from geopandas.testing import assert_geodataframe_equal

from workstation.domain import DayType
from workstation.errors import OutputError
from workstation.exports.layers import gather_layers
from workstation.exports.geopackage import geopackage_layers, write_geopackage

import sqlite3
import xml.etree.ElementTree as ET

import pandas as pd


BOROUGH_FIELDS = ["unit_code", "unit_name", "bcu_code", "residents"]
HOUR_FIELDS = [
    "unit_code", "day_type", "day_type_label", "hour", "population_present",
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
    assert listed == {"boroughs": "Polygon", "borough_hours": None, "hotspots": "MultiPolygon",
                      "grid_cells": "Polygon", "flow_lines": "LineString",
                      "layer_styles": None}
    for name, frame in frames.items():
        info = pyogrio.read_info(path, layer=name)
        assert info["features"] == counts[name] == len(frame) > 0, name
        assert list(info["fields"]) == [c for c in frame.columns if c != "geometry"], name
        if name == "borough_hours":
            assert info["geometry_type"] is None
            back = pyogrio.read_dataframe(path, layer=name, read_geometry=False)
            pd.testing.assert_frame_equal(back, frame, check_dtype=False)
            continue
        assert info["crs"] == "EPSG:27700", name
        back = gpd.read_file(path, layer=name, engine="pyogrio")
        assert back.crs.to_epsg() == 27700
        assert_geodataframe_equal(back, frame, check_dtype=False, check_like=True,
                                  check_less_precise=True, normalize=True)


def test_version_descriptions_and_styles(written):
    """GeoPackage 1.2 (user_version 10200), a description per table, and a QGIS default
    style per map layer whose classes and colours are the app's."""
    path, counts, _ = written
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # "GPKG"
        assert con.execute("PRAGMA user_version").fetchone()[0] == 10200
        contents = dict(con.execute("SELECT table_name, description FROM gpkg_contents"))
        kinds = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
        styles = {t: (name, qml, default) for t, name, qml, default in con.execute(
            "SELECT f_table_name, styleName, styleQML, useAsDefault FROM layer_styles")}
    finally:
        con.close()
    assert kinds["borough_hours"] == "attributes" and kinds["boroughs"] == "features"
    for name in counts:
        assert len(contents[name]) > 80, name                 # what, when, units, source
        assert "Source" in contents[name], name
    assert "unit_code" in contents["borough_hours"] and "Mon–Thu" in contents["borough_hours"]
    assert "Partner-safe" in contents["grid_cells"] and "left out" in contents["grid_cells"]
    assert "08:00" in contents["flow_lines"]
    assert set(styles) == {"boroughs", "hotspots", "grid_cells", "flow_lines"}
    for table, (_, qml, default) in styles.items():
        root = ET.fromstring(qml.split("\n", 1)[1])        # drop the DOCTYPE line
        assert root.tag == "qgis" and root.find("renderer-v2") is not None, table
        assert default == 1
    # boroughs: the app's residents map = 5 quantile classes on ColorBrewer Blues
    from workstation.exports.qgis_styles import BLUES_9, quantile_bounds, ramp
    root = ET.fromstring(styles["boroughs"][1].split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    assert renderer.get("attr") == "residents"
    boroughs = gpd.read_file(path, layer="boroughs", engine="pyogrio")
    bounds = quantile_bounds(boroughs["residents"])
    ranges = renderer.findall("ranges/range")
    assert [float(r.get("lower")) for r in ranges] == pytest.approx(bounds[:-1])
    assert float(ranges[-1].get("upper")) == pytest.approx(bounds[-1])
    colours = [s.find("layer/Option/Option[@name='color']").get("value")
               for s in renderer.findall("symbols/symbol")]
    expected = [",".join(str(int(h[i:i + 2], 16)) for i in (1, 3, 5)) + ",255"
                for h in ramp(BLUES_9, 5)]
    assert colours == expected
    grid = ET.fromstring(styles["grid_cells"][1].split("\n", 1)[1])
    assert any('"hot"' in r.get("filter") for r in grid.iter("rule"))


def test_style_colours_are_the_apps():
    """The exports may not import Qt, so they copy the app's ramps: the copies must match
    (the app's own ramps, wherever the app keeps them: app/style.py, or the Qt-free
    maps/classify.py once the map work moves them there)."""
    pytest.importorskip("PySide6")
    import numpy as np

    from workstation.app import style
    from workstation.exports import qgis_styles as qs
    try:
        from workstation.maps import classify as source
    except ImportError:
        from workstation.app.map import classify as classify_module
        source = style
        quantile_bounds = classify_module.quantile_bounds
    else:
        quantile_bounds = source.quantile_bounds
    assert qs.BLUES_9 == source.BLUES_9 and qs.YLORRD_9 == source.YLORRD_9
    assert qs.RDBU_9 == source.RDBU_9 and qs.HOTSPOT_COLOUR == style.HOTSPOT_COLOUR
    assert [c.name() for c in style.ramp("Blues", 5)] == qs.ramp(qs.BLUES_9, 5)
    values = np.arange(33, dtype=float) ** 1.7
    assert qs.quantile_bounds(values) == pytest.approx(list(quantile_bounds(values, 5)))


def test_boroughs_one_geometry_hours_joined(written, real_plan):
    path, _, _ = written
    boroughs = gpd.read_file(path, layer="boroughs", engine="pyogrio")
    assert list(boroughs.columns) == BOROUGH_FIELDS + ["geometry"]
    # 32 planned boroughs (the City has its own force), each polygon once
    assert len(boroughs) == boroughs["unit_code"].nunique() == 32
    hours = pyogrio.read_dataframe(path, layer="borough_hours", read_geometry=False)
    assert list(hours.columns) == HOUR_FIELDS
    assert len(hours) == 32 * 3 * 24 == len(real_plan.hourly)
    assert set(hours["unit_code"]) == set(boroughs["unit_code"])   # the documented join key
    assert set(hours["day_type_label"]) == {"Mon–Thu", "Sat", "Sun"}
    assert hours["allocated_officers"].sum() == real_plan.hourly["allocated"].sum()
    joined = boroughs.merge(hours, on="unit_code")
    camden_8 = joined[(joined["unit_code"] == "E09000007") & (joined["hour"] == 8)
                      & (joined["day_type"] == "weekday")].iloc[0]
    assert camden_8["unit_name"] == "Camden"
    source = real_plan.hourly
    expected = source[(source["unit_code"] == "E09000007") & (source["hour"] == 8)
                      & (source["day_type"] == "weekday")].iloc[0]
    assert camden_8["demand_per_hour"] == pytest.approx(expected["demand_per_hour"])
    assert camden_8["allocation_gap_officers"] == pytest.approx(
        expected["allocated"] - expected["required"])


def test_flow_lines_say_day_and_hour(written):
    path, _, _ = written
    lines = gpd.read_file(path, layer="flow_lines", engine="pyogrio")
    assert set(lines["day_type"]) == {"weekday"} and set(lines["hour"]) == {8}


def test_partner_safe_file_small_and_without_empty_cells(written, pack, real_plan,
                                                         tmp_path):
    """Fully suppressed cells are left out of a partner-safe file (and are present in the
    open one); the partner-safe file of the shipped data is under 5 MB."""
    import os
    path, counts, _ = written
    assert os.path.getsize(path) < 5e6
    cells = gpd.read_file(path, layer="grid_cells", engine="pyogrio")
    empty = cells["incidents_suppressed"] & ~cells["hot"] & ~cells["cold"] \
        & (cells["hotspot_id"] == 0)
    assert not empty.any()
    assert cells["incidents_suppressed"].any()     # suppressed but significant cells stay
    layers = gather_layers(pack, day_type=DayType.WEEKDAY)
    frames = geopackage_layers(pack=pack, plan=real_plan, layers=layers, partner_safe=False)
    assert len(frames["grid_cells"]) == len(layers.grid_cells) > counts["grid_cells"]


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
    assert (cells["incidents"] >= 10).all()
    assert not cells["incidents_suppressed"].any()   # fully suppressed cells left out
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
    # density x cell area x 12 months = the last year's police.uk burglaries (edge loss < 2%);
    # on the whole grid, since the partner-safe file leaves fully suppressed cells out
    whole = gather_layers(pack, day_type=DayType.WEEKDAY).grid_cells
    assert len(whole) > len(cells)
    lattice = pack.table("burglary_lattice")
    recent = sorted(lattice["month"].unique())[-12:]
    total = lattice.loc[lattice["month"].isin(recent), "incidents"].sum()
    cell_km2 = cells.geometry.iloc[0].area / 1e6
    assert whole["kde_incidents_per_km2_per_month"].sum() * cell_km2 * 12 == pytest.approx(
        total, rel=0.02)
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
    hours = pyogrio.read_dataframe(path, layer="bcu_hours", read_geometry=False)
    n_units = plan.plan["unit_code"].nunique()
    assert n_units == 12 and len(bcus) == n_units == counts["bcus"]
    assert len(hours) == n_units * 24 == counts["bcu_hours"]
    assert set(bcus["unit_code"]) == set(plan.plan["unit_code"])  # the City (COL) not planned
    assert bcus.crs.to_epsg() == 27700
    assert hours["allocated_officers"].sum() == plan.hourly["allocated"].sum()


def test_a_bare_patrol_result_gives_named_hotspots_and_its_cells(pack):
    """The app may hold a bare ``PatrolHotspots``: the layers use its places and its Gi*
    cells, so a cell's hotspot_id is the cluster_id of the places in it."""
    from workstation.exports.layers import PatrolLayers, patrol_from_counts
    from workstation.maps.counts import IncidentCounts

    full = patrol_from_counts(pack, IncidentCounts.from_lattice(pack))
    assert isinstance(full, PatrolLayers)
    layers = gather_layers(pack, day_type=DayType.WEEKDAY, hotspots=full.result)
    assert "patrol hotspots" in layers.hotspot_title
    assert layers.hotspots["name"].notna().all()
    cells = layers.grid_cells
    assert len(cells) > 0 and "kde_incidents_per_km2_per_month" not in cells.columns
    top = layers.hotspots.iloc[0]
    inside = cells[cells.geometry.intersects(top.geometry.representative_point())]
    assert set(inside["hotspot_id"]) == {top["cluster_id"]}


def test_the_maps_bundle_of_kde_and_patrol_hotspots(pack):
    """The map's hotspot bundle (kde, hotspots, patrol — maps.map_hotspots.MapHotspots)
    gives the named places and the cells with the KDE beside them."""
    from types import SimpleNamespace

    from workstation.exports.layers import patrol_from_counts
    from workstation.maps.counts import IncidentCounts

    full = patrol_from_counts(pack, IncidentCounts.from_lattice(pack))
    bundle = SimpleNamespace(kde=full.kde, hotspots=full.result.gistar, patrol=full.result,
                             source="burglary")
    layers = gather_layers(pack, day_type=DayType.WEEKDAY, hotspots=bundle)
    assert layers.hotspots["name"].notna().all() and "patrol hotspots" in layers.hotspot_title
    assert "kde_incidents_per_km2_per_month" in layers.grid_cells.columns
    clusters = gather_layers(pack, day_type=DayType.WEEKDAY,
                             hotspots=SimpleNamespace(kde=full.kde, hotspots=full.result.gistar,
                                                      patrol=None))
    assert len(clusters.hotspots) == len(full.result.gistar.hotspots)
    assert "kde_incidents_per_km2_per_month" in clusters.grid_cells.columns
