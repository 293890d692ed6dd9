"""Map: classification, borough metrics, canvas geometry and layers on the real pack."""

import numpy as np
import pytest
import shapely
from PySide6.QtCore import QRectF

from plan_samples import sample_plan
from workstation.maps import layers_data as mapdata
from workstation.app.map import layers as L
from workstation.app.map.canvas import MapCanvas
from workstation.maps.classify import Method, classify, jenks_bounds
from workstation.maps.borough_metrics import borough_values
from workstation.app.map.scalebar import format_length, nice_length_m
from workstation.app.session import Session
from workstation.domain import DayType

WESTMINSTER = "E09000033"
CITY = "E09000001"


@pytest.fixture(scope="module")
def population(pack):
    from workstation.flows.population import population_present
    return population_present(pack)


@pytest.fixture
def session(pack, population):
    s = Session(pack)
    s.population = population
    return s


@pytest.fixture
def canvas(qtbot, pack):
    c = MapCanvas()
    qtbot.addWidget(c)
    c.resize(900, 700)
    c.set_boroughs(pack.table("boroughs_simplified"))
    c.show()
    qtbot.waitExposed(c)
    return c


# --- classification (Qt-free) -------------------------------------------------------------
def test_jenks_finds_the_obvious_groups():
    values = np.array([1, 2, 3, 10, 11, 12, 50, 51, 52, 100.0])
    bounds = jenks_bounds(values, 4)
    assert bounds.tolist() == [1.0, 3.0, 12.0, 52.0, 100.0]
    c = classify(values, method=Method.NATURAL_BREAKS, k=4)
    assert c.classes.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]


def test_quantiles_balance_residents_across_classes(pack):
    residents = pack.table("population")["residents_mid2019"].to_numpy(float)
    c = classify(residents, method=Method.QUANTILES, k=5)
    assert sum(c.counts()) == 33
    assert max(c.counts()) - min(c.counts()) <= 1
    assert c.bounds[0] == residents.min() and c.bounds[-1] == residents.max()


def test_diverging_classes_are_symmetric_and_nan_is_unclassed():
    c = classify(np.array([-4.0, -1.0, 0.0, 2.0, np.nan]), method=Method.DIVERGING, k=5)
    assert c.bounds[0] == -c.bounds[-1] == -4.0
    assert c.classes[2] == 2          # zero sits in the neutral middle class
    assert c.classes[-1] == -1


# --- borough metrics ------------------------------------------------------------------------
def test_population_present_follows_the_hour(pack, population):
    night = borough_values("population_present", pack=pack, population=population, plan=None,
                           day_type=DayType.WEEKDAY, hour=3)
    midday = borough_values("population_present", pack=pack, population=population, plan=None,
                            day_type=DayType.WEEKDAY, hour=12)
    residents = pack.table("population").set_index("gss_code")["residents_mid2019"]
    # Commuters fill the centre by day: Westminster and the City hold far more people at noon.
    assert midday[WESTMINSTER] > 1.5 * night[WESTMINSTER]
    assert midday[CITY] > 10 * residents[CITY]
    assert list(midday.index) == sorted(midday.index)


def test_plan_metrics_gap_and_net_lending(pack):
    plan = sample_plan(pack.table("boroughs_simplified"))
    gap = borough_values("allocation_gap", pack=pack, population=None, plan=plan,
                         day_type=DayType.WEEKDAY, hour=9)
    lending = borough_values("net_lending", pack=pack, population=None, plan=plan,
                             day_type=DayType.WEEKDAY, hour=9)
    assert gap[CITY] == pytest.approx((40 - 3) - 30)
    assert lending[WESTMINSTER] == 3 and lending[CITY] == -3
    assert lending.drop([WESTMINSTER, CITY]).eq(0).all()


def test_station_counts_and_tube_trips_for_an_hour(pack):
    counts = mapdata.StationCounts(pack)
    am, night = counts.at(DayType.WEEKDAY, 8), counts.at(DayType.WEEKDAY, 3)
    assert am.total_per_hour.sum() > 20 * night.total_per_hour.sum()
    busiest = am.name[np.argmax(am.exits_per_hour)]
    assert "Waterloo" in busiest or "Liverpool Street" in busiest or "Bank" in busiest
    trips = mapdata.TubeTrips(pack).at(DayType.WEEKDAY, 8)
    assert (trips.origin != trips.destination).all()
    assert WESTMINSTER in set(trips.destination[:5])
    assert (np.diff(trips.value) <= 0).all()


@pytest.mark.parametrize("borough, mode", [(None, None), (WESTMINSTER, "all"),
                                           (WESTMINSTER, "out_of")])
def test_map_flows_are_the_flow_engines_numbers(pack, borough, mode):
    """The map reads the hourly flow matrix without building line geometry: same rows and
    numbers as workstation.flows.flowlines.flow_lines."""
    from workstation.flows import flowlines
    from workstation.flows.population import commuters_at_work
    commuters = commuters_at_work(pack)
    ours = mapdata.engine_flows(pack, day_type=DayType.FRIDAY, hour=9, borough=borough,
                                min_flow=150.0, mode=mode, commuters=commuters).frame()
    engine = flowlines.flow_lines(pack, hour=9, day_type=DayType.FRIDAY, borough=borough,
                                  min_flow=150.0, mode=mode or ("all" if borough else "into"),
                                  commuters=commuters)
    key = lambda f, o, d: sorted(zip(f[o], f[d], np.round(f["flow"], 6)))   # noqa: E731
    assert len(ours) == len(engine) > 10
    assert key(ours, "origin", "destination") == key(engine, "origin_gss", "destination_gss")


def test_scale_bar_lengths():
    assert nice_length_m(50.0, 150) == 5000   # 150 px * 50 m = 7.5 km -> 5 km
    assert nice_length_m(10.0, 150) == 1000
    assert format_length(2500) == "2.5 km" and format_length(500) == "500 m"


# --- canvas and layers --------------------------------------------------------------------
def test_canvas_fits_london_aspect_locked_and_hit_tests(canvas, pack):
    rect = canvas.view.viewRect()
    minx, miny, maxx, maxy = canvas.london_bounds()
    assert rect.left() <= minx and rect.right() >= maxx
    assert rect.top() <= miny and rect.bottom() >= maxy
    sx, sy = canvas.view.viewPixelSize()
    assert sx == pytest.approx(sy, rel=1e-3)    # a metre is as long east as north
    boroughs = pack.table("boroughs_simplified")
    for code, point in zip(boroughs["gss_code"], shapely.point_on_surface(boroughs.geometry.values)):
        assert canvas.borough_at(point.x, point.y) == code
    assert canvas.borough_at(450000.0, 180000.0) == ""   # Berkshire


def test_choropleth_colours_follow_classes_and_legend(canvas, session, pack):
    boroughs = pack.table("boroughs_simplified")
    layer = canvas.add_layer(L.ChoroplethLayer(session, boroughs))
    assert layer.metric_key == "population_present"
    c = layer.classification
    for code, cls in zip(layer.items, c.classes):
        assert layer.colour_of(code) == layer.colours[cls]
    block = layer.legend_block()
    assert len(block.entries) == c.k and "Population present" in block.title
    layer.set_method(Method.NATURAL_BREAKS)
    assert layer.classification.method is Method.NATURAL_BREAKS
    session.plan = sample_plan(boroughs)
    layer.invalidate()
    layer.set_metric("allocation_gap")
    assert layer.classification.method is Method.DIVERGING
    assert layer.classification.bounds[0] == -layer.classification.bounds[-1]


def test_incidents_switch_from_density_to_points_when_zoomed(canvas, session, qtbot):
    if not session.pack.has("burglary_lattice"):
        pytest.skip("pack has no burglary lattice")
    layer = canvas.add_layer(L.IncidentsLayer(session, canvas.london_bounds()))
    assert layer.mode == "density" and layer.image.image is not None
    total = layer.weight.sum()
    assert layer.image.image.shape[0] > 100
    assert total == pytest.approx(session.pack.table("burglary_lattice")["incidents"].sum())
    canvas.view.setRange(QRectF(529000, 180000, 2000, 1500), padding=0)
    qtbot.waitUntil(lambda: layer.mode == "points", timeout=3000)
    assert 0 < layer.points_in_view <= L.POINTS_MAX_COUNT
    canvas.fit_london()
    qtbot.waitUntil(lambda: layer.mode == "density", timeout=3000)


def test_hotspot_layer_from_engine_result(canvas, session, pack):
    from workstation.maps.map_hotspots import compute_map_hotspots
    if not pack.has("burglary_lattice"):
        pytest.skip("pack has no burglary lattice")
    result = compute_map_hotspots(pack)
    hot = canvas.add_layer(L.HotspotLayer(session))
    kde = canvas.add_layer(L.KdeLayer(session))
    assert not hot.enabled and hot.disabled_reason
    session.set_hotspots(result.hotspots)
    hot.refresh()
    kde.set_result(result.kde)
    assert hot.enabled and kde.enabled
    first = result.hotspots.hotspots.iloc[0]
    p = first.geometry.representative_point()
    found = hot.hotspot_at(p.x, p.y)
    assert found is not None and int(found["hotspot_id"]) == int(first["hotspot_id"])
    assert canvas.borough_at(p.x, p.y) in set(result.hotspots.hotspots["gss_code"]) | {""}


def test_names_stay_inside_the_map_and_off_the_legend(canvas, session, pack, qtbot):
    basemap = canvas.add_layer(L.BasemapLayer(session, pack.table("boroughs_simplified")))
    canvas.add_layer(L.ChoroplethLayer(session, pack.table("boroughs_simplified")))
    qtbot.waitUntil(lambda: canvas.legend.isVisible(), timeout=3000)
    canvas.view.setRange(QRectF(520000, 170000, 12000, 9000), padding=0)  # cuts boroughs
    canvas._emit_view_changed()
    qtbot.wait(50)
    view = canvas.view.sceneBoundingRect()
    legend = canvas.legend.sceneBoundingRect()
    shown = [label for label in basemap.labels if label.isVisible()]
    assert shown
    for label in shown:
        box = label.sceneBoundingRect().adjusted(2, 3, -2, -3)
        assert view.contains(box), label.textItem.toPlainText()
        assert not box.intersects(legend), label.textItem.toPlainText()


def test_home_view_keeps_london_left_of_the_legend_as_it_grows(canvas, session, pack, qtbot):
    assert canvas.at_home()
    canvas.add_layer(L.ChoroplethLayer(session, pack.table("boroughs_simplified")))
    qtbot.waitUntil(lambda: canvas.legend.isVisible(), timeout=3000)
    qtbot.wait(50)
    assert canvas.at_home()
    minx, miny, maxx, maxy = canvas.london_bounds()
    east_px = canvas.map_to_widget(maxx, (miny + maxy) / 2).x()
    legend_left_px = canvas.mapFromScene(canvas.legend.sceneBoundingRect().topLeft()).x()
    assert east_px < legend_left_px
    canvas.resize(1200, 800)          # still home after a resize
    qtbot.wait(100)
    assert canvas.at_home()
    canvas.view.setRange(QRectF(529000, 180000, 2000, 1500), padding=0)
    assert not canvas.at_home()       # a zoom leaves home; the legend no longer refits it


def test_borough_names_never_overlap_and_selected_name_shows(canvas, session, pack):
    basemap = canvas.add_layer(L.BasemapLayer(session, pack.table("boroughs_simplified")))
    session.select(WESTMINSTER)
    basemap.refresh()
    shown = [label for label in basemap.labels if label.isVisible()]
    assert 10 < len(shown) < 33          # the whole city at 900 px: some inner names give way
    names = list(pack.table("boroughs_simplified")["gss_code"])
    assert basemap.labels[names.index(WESTMINSTER)].isVisible()
    rects = [label.sceneBoundingRect().adjusted(2, 3, -2, -3) for label in shown]
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])
    canvas.zoom_to(WESTMINSTER)
    basemap.update_view(canvas.view.viewRect())
    assert sum(label.isVisible() for label in basemap.labels) >= 3
