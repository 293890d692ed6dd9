"""Main window on the real pack: opens with every layer, the hour slider recolours the
choropleth, a mouse click on a borough fills the inspector, layout persists."""

import pytest
import shapely
from PySide6.QtCore import QSettings, Qt

from workstation.app.main_window import MainWindow
from workstation.app.session import Session
from workstation.domain import DayType

LAYER_KEYS = ["choropleth", "safety_index", "water", "parks", "lsoa", "roads", "incidents",
              "kde", "hotspots", "tube_trips", "flows", "tube_lines", "stations", "basemap",
              "street_names", "station_names"]


@pytest.fixture(scope="module")
def population(pack):
    from workstation.flows.population import population_present
    return population_present(pack)


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "layout.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, pack, population, settings):
    session = Session(pack)
    session.population = population
    w = MainWindow(session, settings=settings, background=False)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.loaded, timeout=5000)
    return w


def test_window_opens_with_all_layers(window):
    assert [layer.key for layer in window.canvas.layers] == LAYER_KEYS
    assert window.layer_panel.list.count() == len(LAYER_KEYS)
    enabled = {layer.key for layer in window.canvas.layers if layer.enabled}
    assert {"choropleth", "stations", "basemap", "tube_trips", "flows"} <= enabled
    if window.session.pack.has("burglary_lattice"):
        assert {"incidents", "kde", "hotspots"} <= enabled
    assert window.choropleth.metric_key == "population_present"
    assert len(window.station_layer.scatter.data) > 300
    assert {"layers", "inspector"} <= set(window.docks)
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles[:4] == ["&File", "&Edit", "&View", "&Help"]


def test_hour_slider_changes_hour_and_choropleth(window, qtbot):
    s = window.session
    s.set_time(DayType.WEEKDAY, 3)
    night = window.choropleth.values.copy()
    night_colour = window.choropleth.colour_of("E09000001")
    with qtbot.waitSignal(s.sig_time_changed, timeout=2000):
        window.timebar.slider.setValue(11)
    assert s.hour == 11
    assert "11:00" in window.time_label.text()
    day = window.choropleth.values
    assert day["E09000001"] > 10 * night["E09000001"]      # the City fills up by day
    assert window.choropleth.colour_of("E09000001") != night_colour
    assert "11:00" in window.choropleth.legend_block().note


def test_click_on_borough_fills_inspector(window, qtbot):
    boroughs = window.session.pack.table("boroughs_simplified")
    row = boroughs[boroughs["gss_code"] == "E09000022"].iloc[0]   # Lambeth
    point = shapely.point_on_surface(row.geometry)
    pos = window.canvas.map_to_widget(point.x, point.y)
    with qtbot.waitSignal(window.session.sig_selection_changed, timeout=2000):
        qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert window.session.selected_code == "E09000022"
    assert "Lambeth" in window.inspector.title.text()
    assert window.inspector.figures["population_present"].text() != "–"
    assert not window.basemap.highlight.path().isEmpty()
    session = window.session
    assert len(window.flow_layer._flows(session.day_type, session.hour, session.selected_code)) > 0


def test_layer_panel_toggles_and_reorders(window):
    panel = window.layer_panel
    item = next(panel.list.item(i) for i in range(panel.list.count())
                if panel.list.item(i).data(Qt.ItemDataRole.UserRole) == "tube_trips")
    item.setCheckState(Qt.CheckState.Checked)
    assert window.tube_layer.shown and not window.tube_layer.drawn.empty
    before = [layer.key for layer in window.canvas.layers].index("tube_trips")
    window.canvas.move_layer("tube_trips", +1)
    assert [layer.key for layer in window.canvas.layers].index("tube_trips") == before + 1
    assert window.tube_layer.root.zValue() == before + 1


def test_layout_is_remembered(qtbot, pack, population, settings, window):
    window.docks["layers"].hide()
    window.close()
    assert settings.value("main_window/state") is not None
    session = Session(pack)
    session.population = population
    again = MainWindow(session, settings=settings, background=False)
    qtbot.addWidget(again)
    assert again.docks["layers"].isHidden()


def test_hotspots_compute_on_a_worker_after_show(qtbot, pack, population, settings):
    if not pack.has("burglary_lattice"):
        pytest.skip("pack has no burglary lattice")
    session = Session(pack)
    session.population = population
    w = MainWindow(session, settings=settings, background=True)
    qtbot.addWidget(w)
    assert not w.hotspot_layer.enabled and w.hotspot_layer.disabled_reason
    w.show()
    qtbot.waitUntil(lambda: w.hotspot_layer.enabled and w.kde_layer.enabled, timeout=30_000)
    assert len(session.hotspots.hotspots) > 0


def test_imported_incidents_replace_the_lattice(window, qtbot, shared_data):
    from workstation.loaders.police_uk import load_police_uk
    path = shared_data / "police_uk_burglary" / "2019-01-metropolitan-street.csv.gz"
    incidents = load_police_uk(path, boroughs=window.session.pack.table("boroughs"))
    if window.actions is not None:
        window.actions.ask_unsaved = lambda: "discard"   # no modal dialog at teardown
    window.session.set_incidents(incidents, path)
    layer = window.incidents_layer
    assert layer.source == "imported incidents" and layer.enabled
    assert len(layer.east) == len(incidents.frame)
    # Hotspots were recomputed from the one imported month, not the 2019-2024 lattice.
    assert window.hotspot_layer.enabled
    binned = window.session.hotspots.incidents.sum()
    assert 0.9 * len(incidents.frame) <= binned <= len(incidents.frame)
    window.session.mark_dirty(False)


def test_inspector_shows_the_map_value(window):
    window.session.select("E09000001")
    text = window.inspector.figures["map_value"].text()
    assert "Population present" in text
    window.choropleth.set_metric("residents")
    assert "Residents" in window.inspector.figures["map_value"].text()
    assert window.inspector.figures["map_value"].text().startswith("9.7k")   # City, mid-2019


def test_fit_london_keeps_boroughs_clear_of_the_legend(window, qtbot):
    canvas = window.canvas
    canvas.rebuild_legend()
    assert canvas.legend.isVisible() and canvas.legend.width() > 50
    canvas.fit_london()
    minx, miny, maxx, maxy = canvas.london_bounds()
    east_edge = canvas.map_to_widget(maxx, (miny + maxy) / 2)
    top, bottom = canvas.map_to_widget(minx, maxy), canvas.map_to_widget(minx, miny)
    legend_left_px = canvas.mapFromScene(canvas.legend.sceneBoundingRect().topLeft()).x()
    assert east_edge.x() < legend_left_px
    assert top.y() >= 0 and bottom.y() <= canvas.height()


def test_hotspot_click_shows_in_inspector(window, qtbot):
    layer = window.hotspot_layer
    if layer.result is None:
        pytest.skip("no hotspots")
    layer.set_visible(True)
    first = layer.result.hotspots.iloc[0]
    point = first.geometry.representative_point()
    window._on_canvas_clicked(point.x, point.y)
    # The figures (and the monthly sparkline) come from the hotspot's row in the table.
    details = window.hotspot_table.details
    text = details.text.text()
    assert details.isVisibleTo(window.inspector)
    assert f"Hotspot #{int(first['hotspot_id'])}" in text and "Incidents / month" in text
    window._on_canvas_clicked(100.0, 100.0)   # far outside London
    assert not details.isVisibleTo(window.inspector)
    assert window.inspector.hotspot_label.text() == ""


def test_officer_chart_hidden_until_a_plan(window):
    window.session.select("E09000033")
    assert window.inspector.population_plot.isVisible()
    assert not window.inspector.officer_plot.isVisible()


def test_resting_time_bar_prefetches_the_other_hours(window, qtbot):
    """First visits to an hour were 70-90 ms with 1M incidents (bench_app); once the time bar
    rests, every hour of the day type is computed ahead for the current selection."""
    for layer in (window.flow_layer, window.tube_layer, window.station_layer):
        layer.set_visible(True)
    window.session.select("E09000033")
    window.session.set_time(DayType.SATURDAY, 9)
    qtbot.waitUntil(lambda: window.canvas.prefetch_pending() == 0, timeout=20_000)
    flows = window.flow_layer
    hours_cached = {key[1] for key in flows._segments
                    if key[0] == DayType.SATURDAY and key[2] == "E09000033"}
    assert hours_cached == set(range(24))
    assert {(DayType.SATURDAY, h) for h in range(24)} <= set(window.station_layer._cache)
    computed = []
    original = flows._compute_segments
    flows._compute_segments = lambda *a: computed.append(a) or original(*a)
    window.session.set_time(DayType.SATURDAY, 17)     # never visited: served from the cache
    assert computed == []
    assert not flows.drawn.empty


def test_hour_step_leaves_layer_list_alone_and_legend_relays_only_on_change(window, qtbot):
    """An hour step changes no layer's title or visibility, so the layer list is not rebuilt
    (each rebuild repainted the dock on every step); the legend lays out again only when its
    blocks change (its notes carry the hour, so a step does), and hiding a layer reaches both."""
    panel, legend = window.layer_panel, window.canvas.legend
    window.session.set_time(DayType.SATURDAY, 9)
    qtbot.wait(20)
    first_item, laid_out = panel.list.item(0), legend._laid_out
    legend.set_blocks(list(legend.blocks))
    assert legend._laid_out is laid_out
    window.session.set_time(DayType.SATURDAY, 10)
    qtbot.wait(20)
    assert panel.list.item(0) is first_item
    assert legend._laid_out != laid_out and "Sat 10:00" in str(legend._laid_out)
    item = next(panel.list.item(i) for i in range(panel.list.count())
                if panel.list.item(i).data(Qt.ItemDataRole.UserRole) == "choropleth")
    item.setCheckState(Qt.CheckState.Unchecked)
    qtbot.wait(20)
    assert panel.list.item(0) is not first_item
