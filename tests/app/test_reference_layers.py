"""Issue 16, the map: reference layers present and drawn from the pack, names that never
collide, attributions on the map, a legend that folds and moves, File > Add reference layer
round-tripping through save/open, and a bad vector file that changes nothing."""

from pathlib import Path

import pytest
from PySide6.QtCore import QRectF, QSettings

from workstation.app.main_window import MainWindow
from workstation.app.session import Session
from workstation.errors import InputError

MSOA = "boundaries/London-MSOA-2021.gpkg"
WESTMINSTER_VIEW = QRectF(527500, 179000, 4000, 2600)   # Oxford Circus to the river, metres


@pytest.fixture(scope="module")
def population(pack):
    from workstation.flows.population import population_present
    return population_present(pack)


@pytest.fixture
def window(qtbot, pack, population, tmp_path):
    session = Session(pack)
    session.population = population
    w = MainWindow(session, settings=QSettings(str(tmp_path / "l.ini"), QSettings.Format.IniFormat),
                   background=False)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.loaded, timeout=10000)
    if w.actions is not None:
        w.actions.ask_unsaved = lambda: "discard"
    return w


def _zoom(window, rect=WESTMINSTER_VIEW):
    window.canvas.view.setRange(rect, padding=0)
    window.canvas._emit_view_changed()


def test_reference_layers_are_drawn_from_the_pack(window):
    canvas = window.canvas
    for key, table in (("water", "basemap_water"), ("parks", "basemap_parks"),
                       ("roads", "basemap_roads"), ("tube_lines", "basemap_tube_links")):
        layer = canvas.layer(key)
        assert layer.enabled, layer.disabled_reason
        assert len(layer.frame) == len(window.session.pack.table(table)) > 0
        # Drawn: a path holding the geometry, in the London part of the grid.
        item = layer.root.childItems()[0]
        bounds = item.boundingRect()
        assert 500_000 < bounds.center().x() < 560_000 and 160_000 < bounds.center().y() < 200_000
    order = [layer.key for layer in canvas.layers]
    assert order.index("choropleth") < order.index("water") < order.index("hotspots")
    assert order.index("station_names") == len(order) - 1       # names on top of everything


def test_parks_attribution_on_the_map_follows_the_layer(window, qtbot):
    canvas = window.canvas
    canvas.rebuild_legend()
    assert "© OpenStreetMap contributors" in canvas.attribution.text
    assert canvas.attribution.isVisible()
    canvas.layer("parks").set_visible(False)
    canvas.rebuild_legend()
    assert "OpenStreetMap" not in canvas.attribution.text
    assert "TfL" in canvas.attribution.text            # Tube lines still on


def test_station_names_show_close_up_only_and_never_collide(window):
    names = window.canvas.layer("station_names")
    window.canvas.fit_london()
    window.canvas._emit_view_changed()
    assert names.labels.shown_texts() == []             # whole of London: no station names
    _zoom(window)
    shown = names.labels.shown_texts()
    assert {"Oxford Circus", "Green Park"} <= set(shown)
    boxes = []
    for layer in window.canvas.layers:
        pool = getattr(layer, "labels", None)
        items = getattr(pool, "items", pool if isinstance(pool, list) else [])
        boxes += [i.sceneBoundingRect() for i in items if i.isVisible()]
    boxes += [window.canvas.legend.sceneBoundingRect()]
    assert len(boxes) > 8
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.adjusted(1, 1, -1, -1).intersects(b.adjusted(1, 1, -1, -1))


def test_legend_folds_and_moves(window, qtbot):
    legend = window.canvas.legend
    window.canvas.rebuild_legend()
    full = legend.height()
    legend.set_collapsed(True)
    assert legend.height() < 40 < full
    legend.set_collapsed(False)
    before = legend.sceneBoundingRect().topLeft()
    legend.move_by(-300, -200)
    after = legend.sceneBoundingRect().topLeft()
    assert after.x() < before.x() - 250 and after.y() < before.y() - 150
    assert legend.moved
    legend.move_by(-10_000, -10_000)        # never dragged off the map
    view = window.canvas.view.sceneBoundingRect()
    assert view.contains(legend.sceneBoundingRect())


def test_added_layer_round_trips_through_save_and_open(window, shared_data, tmp_path):
    actions = window.actions
    layer = window.user_layers.add_file(shared_data / MSOA)
    assert layer.vector.n_features == 1002 and layer.vector.kind == "polygon"
    assert window.canvas.layer(layer.key) is layer
    assert any(window.layer_panel.list.item(r).text() == "London-MSOA-2021"
               for r in range(window.layer_panel.list.count()))
    layer.set_style(colour="#7b3294", line_width_px=2.0, label_column="msoa21nm")
    layer.set_visible(False)
    project = tmp_path / "msoa.ldwproj"
    assert actions.save_project_as(project)
    assert "London-MSOA-2021.gpkg" in project.read_text()
    actions.new_project()
    assert window.user_layers.layers == []
    assert window.canvas.layer(layer.key) is None
    assert actions.open_project(project)
    (restored,) = window.user_layers.layers
    assert restored.vector.n_features == 1002
    assert restored.source.colour == "#7b3294" and restored.source.line_width_px == 2.0
    assert restored.source.label_column == "msoa21nm" and not restored.visible
    restored.set_visible(True)
    for key in ("street_names", "station_names", "parks"):   # leave the space to its labels
        window.canvas.layer(key).set_visible(False)
    _zoom(window)
    assert any(t.startswith("Westminster") for t in restored.labels.shown_texts())


def test_bad_vector_file_gives_a_specific_error_and_changes_nothing(window, tmp_path):
    bad = tmp_path / "beats.gpkg"
    bad.write_bytes(b"not a geopackage at all\n" * 20)
    keys = [layer.key for layer in window.canvas.layers]
    dirty = window.session.dirty
    with pytest.raises(InputError) as info:
        window.user_layers.add_file(bad)
    message = str(info.value)
    assert str(bad) in message and "GDAL cannot open it" in message
    assert [layer.key for layer in window.canvas.layers] == keys
    assert window.user_layers.layers == [] and window.session.dirty == dirty
    # Through the menu's dialog path too: an error dialog, no layer, project unchanged.
    from workstation.app import layer_panel
    shown = []
    layer_panel_show = __import__("workstation.app.dialogs", fromlist=["show_error"])
    original = layer_panel_show.show_error
    layer_panel_show.show_error = lambda parent, exc, title="": shown.append(str(exc))
    try:
        assert layer_panel.add_reference_layer_dialog(window, window.user_layers,
                                                      window.session, path=str(bad)) is None
    finally:
        layer_panel_show.show_error = original
    assert shown and "GDAL cannot open it" in shown[0]
    assert [layer.key for layer in window.canvas.layers] == keys
    assert window.session.dirty == dirty
