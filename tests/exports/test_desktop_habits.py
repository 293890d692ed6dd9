"""Desktop GIS habits in the real main window: drop a police.uk CSV/folder/zip to open the
import preview, drop a vector file to add a reference layer; right-click menus on the layer
panel (zoom to, show/hide, remove, properties) and on the map (copy BNG / WGS84, identify)."""

from __future__ import annotations

import zipfile

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from workstation.app.desktop_habits import (classify_drop, coordinate_texts,  # noqa: E402
                                            layer_extent)
from workstation.app.main_window import MainWindow  # noqa: E402
from workstation.app.session import Session  # noqa: E402

POLICE_UK_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
                    "LSOA code,LSOA name,Crime type,Last outcome category,Context\n")
POLICE_UK_ROW = (",2024-01,Metropolitan Police Service,Metropolitan Police Service,-0.127810,"
                 "51.507997,On or near Trafalgar Square,E01004736,Westminster 018A,Burglary,"
                 "Under investigation,\n")


@pytest.fixture
def window(qtbot, pack, tmp_path):
    settings = QSettings(str(tmp_path / "layout.ini"), QSettings.Format.IniFormat)
    w = MainWindow(Session(pack), settings=settings, background=False)
    qtbot.addWidget(w)
    w.actions.ask_unsaved = lambda: "discard"          # teardown never waits on a dialog
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.loaded, timeout=20_000)
    return w


@pytest.fixture
def police_csv(tmp_path):
    path = tmp_path / "2024-01-metropolitan-street.csv"
    path.write_text(POLICE_UK_HEADER + POLICE_UK_ROW * 3, encoding="utf-8")
    return path


def test_classify_drop(tmp_path, police_csv):
    folder = tmp_path / "months"
    folder.mkdir()
    archive = tmp_path / "months.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("2024-01/2024-01-metropolitan-street.csv", POLICE_UK_HEADER + POLICE_UK_ROW)
    geojson = tmp_path / "wards.geojson"
    geojson.write_text('{"type": "FeatureCollection", "features": []}')
    feature_json = tmp_path / "wards.json"
    feature_json.write_text('{"type": "FeatureCollection", "features": []}')
    plan_json = tmp_path / "plan.json"
    plan_json.write_text('{"format": "ldw-shift-plan"}')
    assert classify_drop([police_csv])[:2] == ("incidents", police_csv)
    assert classify_drop([folder])[:2] == ("incidents", folder)
    assert classify_drop([archive])[:2] == ("incidents", archive)
    assert classify_drop([tmp_path / "wards.gpkg"])[0] == "vector"
    assert classify_drop([tmp_path / "wards.shp"])[0] == "vector"
    assert classify_drop([geojson])[0] == "vector" and classify_drop([feature_json])[0] == "vector"
    kind, _, why = classify_drop([plan_json])
    assert kind == "" and "not a vector layer" in why
    kind, _, why = classify_drop([police_csv, archive])
    assert kind == "" and "2 items" in why
    assert classify_drop([tmp_path / "notes.docx"])[0] == ""


# PySide6 marks the QPoint overload of QDragEnterEvent deprecated; it is what Qt delivers.
pytestmark = pytest.mark.filterwarnings("ignore:Function.*QDragEnterEvent:DeprecationWarning")


def _drop(window, paths, target=None):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    target = target or window
    enter = QDragEnterEvent(QPoint(50, 50), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, drop)
    return enter, drop


def test_drop_police_uk_opens_the_import_preview(qtbot, window, police_csv, monkeypatch):
    from workstation.app.import_dialog import ImportDialog
    opened = []
    real = window.actions.open_import_dialog

    def spy(path=None):
        dialog = real(path)
        opened.append(dialog)
        return dialog
    monkeypatch.setattr(window.actions, "open_import_dialog", spy)
    enter, drop = _drop(window, [police_csv], target=window.canvas.viewport())
    assert enter.isAccepted() and drop.isAccepted()
    assert len(opened) == 1 and isinstance(opened[0], ImportDialog)
    dialog = opened[0]
    qtbot.addWidget(dialog)
    assert dialog.path == police_csv and dialog.path_edit.text() == str(police_csv)
    assert dialog.preview is not None            # the same preview as File > Import
    dialog.close()


def test_drop_vector_adds_a_reference_layer(window, pack, tmp_path, monkeypatch):
    import geopandas as gpd
    boroughs = pack.table("boroughs_simplified").head(3)
    gpkg = tmp_path / "beats.gpkg"
    gpd.GeoDataFrame({"name": boroughs["name"]}, geometry=boroughs.geometry,
                     crs="EPSG:27700").to_file(gpkg, layer="beats", engine="pyogrio")
    messages = []
    window.session.sig_status.connect(messages.append)
    from workstation.app import layer_panel
    if getattr(window, "user_layers", None) is not None and hasattr(
            layer_panel, "add_reference_layer_dialog"):
        # mapapp's reference layers are in this build: the dropped file is drawn
        before = len(window.user_layers.layers)
        _drop(window, [gpkg])
        assert len(window.user_layers.layers) == before + 1
        assert window.user_layers.layers[-1].vector.n_features == 3
        window.session.mark_dirty(False)
    else:
        _drop(window, [gpkg])                     # no loader in this build: says so
        assert messages and "beats.gpkg" in messages[-1] and "vector_layer" in messages[-1]
    added = []
    window.add_reference_layer = added.append     # an add_reference_layer(path) method wins
    _drop(window, [gpkg])
    assert added == [gpkg]
    del window.add_reference_layer
    # with an added-layers list: the add-layer dialog opens on the dropped file
    calls = []
    window.user_layers = object()
    monkeypatch.setattr(layer_panel, "add_reference_layer_dialog",
                        lambda parent, layers, session, path=None: calls.append(
                            (parent, layers, session, path)), raising=False)
    _drop(window, [gpkg])
    assert calls == [(window, window.user_layers, window.session, str(gpkg))]
    docx = tmp_path / "notes.docx"
    enter, _ = _drop(window, [docx])
    assert not enter.isAccepted()


def test_layer_panel_menu(qtbot, window):
    menu_owner = window.layer_menu
    choropleth = window.canvas.layer("choropleth")
    menu = menu_owner.menu_for(choropleth)
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts == ["Zoom to layer", "Hide", "Remove", "Properties…"]
    remove = next(a for a in menu.actions() if a.text() == "Remove")
    assert not remove.isEnabled()                 # built-in: hide, not remove
    # zoom to the hotspot layer (drawn after loading): the view fits the hotspots
    hotspots = window.canvas.layer("hotspots")
    extent = layer_extent(hotspots)
    assert extent is not None
    assert menu_owner.zoom_to(hotspots)
    view = window.canvas.view.viewRect()
    assert view.contains(extent.center())
    assert view.width() < 1.5 * max(extent.width(), extent.height()) + 2000
    # show/hide through the menu, mirrored in the panel's tick box
    next(a for a in menu.actions() if a.text() == "Hide").trigger()
    assert not choropleth.visible
    item = next(window.layer_panel.list.item(i) for i in range(window.layer_panel.list.count())
                if window.layer_panel.list.item(i).data(Qt.ItemDataRole.UserRole) == "choropleth")
    assert item.checkState() == Qt.CheckState.Unchecked
    menu_owner.menu_for(choropleth).actions()[1].trigger()   # "Show"
    assert choropleth.visible
    rows = dict(menu_owner.properties_text(choropleth))
    assert rows["Name"] == choropleth.title and rows["Opacity"] == "85%"
    assert "Legend" in rows and "Drawing order" in rows
    dialog = menu_owner.properties(choropleth)
    qtbot.addWidget(dialog)
    assert choropleth.title in dialog.windowTitle()
    dialog.close()


def test_remove_an_added_layer(window):
    """A layer the analyst added can be removed (built-in ones only hidden); one in
    mapapp's added-layers list is removed through it, and the project marked changed."""
    from workstation.app.map.layers import MapLayer

    class Reference(MapLayer):
        key = "reference:beats"
        title = "Beats"
        removable = True
    layer = window.canvas.add_layer(Reference(window.session))
    window.layer_panel.sync()
    count = window.layer_panel.list.count()
    assert window.layer_menu.remove(layer)
    assert window.canvas.layer("reference:beats") is None
    assert window.layer_panel.list.count() == count - 1

    class Added:
        def __init__(self):
            self.layers, self.removed = [], []

        def remove(self, key):
            self.removed.append(key)
            self.layers = [x for x in self.layers if x.key != key]

    class VectorFile(MapLayer):
        key = "user:wards"
        title = "Wards"
    user = VectorFile(window.session)
    window.user_layers = Added()
    window.user_layers.layers.append(user)
    window.session.mark_dirty(False)
    assert window.layer_menu.removable(user)
    assert window.layer_menu.remove(user)
    assert window.user_layers.removed == ["user:wards"] and window.session.dirty
    window.actions.ask_unsaved = lambda: "discard"     # closing must not wait on a dialog
    window.session.mark_dirty(False)


def test_map_menu_copies_bng_and_wgs84_and_identifies(qtbot, window):
    from pyproj import Transformer
    # Nelson's Column, Trafalgar Square (WGS84 lon, lat) -> BNG
    east, north = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True).transform(
        -0.12803, 51.50809)
    assert 529_500 < east < 530_500 and 180_000 < north < 181_000     # TQ 30 80, not swapped
    texts = coordinate_texts(east, north)
    assert texts["bng"] == f"{east:.0f}, {north:.0f}"
    lat, lon = (float(v) for v in texts["wgs84"].split(", "))
    assert lat == pytest.approx(51.50809, abs=1e-6) and lon == pytest.approx(-0.12803, abs=1e-6)
    menu = window.map_menu.menu_at(east, north)
    actions = [a for a in menu.actions() if a.text()]
    assert actions[0].text().startswith("Copy coordinates (BNG)")
    actions[0].trigger()
    assert QGuiApplication.clipboard().text() == texts["bng"]
    actions[1].trigger()
    assert QGuiApplication.clipboard().text() == texts["wgs84"]
    rows = dict(window.map_menu.identify_rows(east, north))
    assert rows["Borough"] == "Westminster (E09000033)"
    assert "Map value" in rows
    box = window.map_menu.identify(east, north)
    qtbot.addWidget(box)
    assert "Westminster" in box.text() and window.session.selected_code == "E09000033"
    box.close()
    assert dict(window.map_menu.identify_rows(600_000, 100_000))["Borough"] == "outside London"
