"""Habits desktop GIS users bring: drag and drop, and right-click menus.

- Drop a police.uk CSV, a folder of them or a zip (or an incident table) on the window:
  the same import preview dialog as File > Import incidents opens on it. Drop a vector
  file (GeoPackage, shapefile, GeoJSON, ...): it is added as a reference layer through
  the mapapp add-layer action, ``layer_panel.add_reference_layer_dialog(window,
  window.user_layers, session, path=...)`` (it asks which layer of a GeoPackage and shows
  a bad file's error), or an ``add_reference_layer(path)`` method on the window or its
  actions; without either the status bar says so.
- Right-click a layer in the layer panel: zoom to layer, show/hide, remove (added
  layers only: the built-in layers are wired into the plan views, so they hide instead),
  properties.
- Right-click the map: copy the coordinates (British National Grid, or WGS84 latitude,
  longitude) and identify what is there (borough and its mapped value, hotspot).

``install(window)`` wires all three into a ``MainWindow``; every piece is a small
method here so the window and the layer panel keep their own code.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, QRectF, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QMenu,
                               QMessageBox, QVBoxLayout, QWidget)

from workstation.domain import BNG, WGS84

_log = logging.getLogger(__name__)

# OGR formats a planner is likely to drop (one file each; a shapefile is its .shp).
VECTOR_SUFFIXES = frozenset({".gpkg", ".shp", ".geojson", ".json", ".fgb", ".kml", ".gml",
                             ".tab", ".mif", ".sqlite"})
INCIDENT_SUFFIXES = frozenset({".csv", ".gz", ".zip", ".xlsx", ".xls", ".parquet", ".txt"})
ADD_LAYER_METHOD = "add_reference_layer"


def classify_drop(paths: list[Path]) -> tuple[str, Path | None, str]:
    """("incidents" | "vector" | "", path, why) for dropped local paths.

    A folder or zip is police.uk; a vector suffix is a layer; a table is incidents. One
    path at a time: several police.uk files belong in a folder or a zip (the import
    dialog reads those)."""
    paths = [Path(p) for p in paths]
    if not paths:
        return "", None, "nothing to open: drop a file or folder"
    if len(paths) > 1:
        return "", None, (f"{len(paths)} items dropped: drop one file, or the folder or zip "
                          "that holds several police.uk months")
    path = paths[0]
    if path.is_dir():
        return "incidents", path, ""
    suffix = path.suffix.lower()
    if suffix in VECTOR_SUFFIXES:
        if suffix == ".json" and _looks_like_scenario(path):
            return "", None, f"{path.name} is not a vector layer (use File > Open project)"
        return "vector", path, ""
    if suffix in INCIDENT_SUFFIXES:
        return "incidents", path, ""
    return "", None, (f"{path.name}: not an incident file (CSV, folder, zip, XLSX, Parquet) "
                      "or a vector layer (GeoPackage, shapefile, GeoJSON, ...)")


def _looks_like_scenario(path: Path) -> bool:
    """A .json that is a GeoJSON says "type": "Feature..."; others (plans, scenarios) don't."""
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        return False
    return '"FeatureCollection"' not in head and '"Feature"' not in head


def local_paths(mime) -> list[Path]:
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class DropHandler(QObject):
    """Event filter on the main window: accepts file drops and routes them."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.window = window
        window.setAcceptDrops(True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            mime = event.mimeData()
            if mime.hasUrls() and classify_drop(local_paths(mime))[0]:
                event.acceptProposedAction()
                return True
            return False
        if kind == QEvent.Type.Drop:
            mime = event.mimeData()
            if not mime.hasUrls():
                return False
            self.open_dropped(local_paths(mime))
            event.acceptProposedAction()
            return True
        return False

    def open_dropped(self, paths: list[Path]) -> Any:
        """Route dropped paths: the import preview, a reference layer, or a status line."""
        kind, path, why = classify_drop(paths)
        session = getattr(self.window, "session", None)
        if kind == "incidents":
            actions = getattr(self.window, "actions", None)
            if actions is not None and hasattr(actions, "open_import_dialog"):
                return actions.open_import_dialog(path)
            why = "importing needs the File actions, which are not available"
        elif kind == "vector":
            adder = self._layer_adder()
            if adder is not None:
                return adder(path)
            why = (f"{path.name}: adding vector layers needs the reference-layer loader "
                   "(workstation.loaders.vector_layer), which is not in this build")
        if session is not None:
            session.status(why)
        return None

    def _layer_adder(self):
        for owner in (self.window, getattr(self.window, "actions", None)):
            method = getattr(owner, ADD_LAYER_METHOD, None) if owner is not None else None
            if callable(method):
                return method
        user_layers = getattr(self.window, "user_layers", None)
        if user_layers is None:
            return None
        from workstation.app import layer_panel
        dialog = getattr(layer_panel, "add_reference_layer_dialog", None)
        if dialog is None:
            return None

        def add(path: Path):
            layer = dialog(self.window, user_layers, self.window.session, path=str(path))
            panel = getattr(self.window, "layer_panel", None)
            if layer is not None and panel is not None:
                panel.sync()
            return layer
        return add


# --- layer panel ----------------------------------------------------------------------
def layer_extent(layer) -> QRectF | None:
    """The layer's drawn extent in map metres, None if it draws nothing yet."""
    bounds = getattr(layer, "bounds_m", None)
    if callable(bounds):
        box = bounds()
        if box is not None:
            minx, miny, maxx, maxy = box
            return QRectF(minx, miny, maxx - minx, maxy - miny)
    rect = layer.root.mapRectToParent(layer.root.childrenBoundingRect())
    return rect if rect.isValid() and rect.width() > 0 and rect.height() > 0 else None


class LayerMenu(QObject):
    """The layer panel's right-click menu (zoom to, show/hide, remove, properties)."""

    def __init__(self, panel, canvas, window=None):
        super().__init__(panel)
        self.panel, self.canvas, self.window = panel, canvas, window
        panel.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        panel.list.customContextMenuRequested.connect(self._on_list_menu_requested)

    def _layer_at(self, pos: QPoint):
        item = self.panel.list.itemAt(pos)
        if item is None:
            return None
        return self.canvas.layer(item.data(Qt.ItemDataRole.UserRole))

    def menu_for(self, layer) -> QMenu:
        menu = QMenu(self.panel)
        zoom = menu.addAction("Zoom to layer", lambda: self.zoom_to(layer))
        zoom.setEnabled(layer_extent(layer) is not None)
        menu.addAction("Hide" if layer.visible else "Show",
                       lambda: self.set_visible(layer, not layer.visible))
        remove = menu.addAction("Remove", lambda: self.remove(layer))
        if not self.removable(layer):
            remove.setEnabled(False)
            remove.setToolTip("Built-in layers can be hidden, not removed")
        menu.setToolTipsVisible(True)
        menu.addSeparator()
        menu.addAction("Properties…", lambda: self.properties(layer))
        return menu

    def _on_list_menu_requested(self, pos: QPoint) -> None:
        layer = self._layer_at(pos)
        if layer is not None:
            self.menu_for(layer).popup(self.panel.list.viewport().mapToGlobal(pos))

    def zoom_to(self, layer) -> bool:
        rect = layer_extent(layer)
        if rect is None:
            return False
        pad = max(rect.width(), rect.height()) * 0.05 + 200.0
        self.canvas.view.setRange(rect.adjusted(-pad, -pad, pad, pad), padding=0.0)
        return True

    def set_visible(self, layer, visible: bool) -> None:
        layer.set_visible(visible)
        self.panel.sync()

    def _user_layers(self):
        """The analyst's added layers (mapapp's ``window.user_layers``), if any."""
        return getattr(self.window, "user_layers", None)

    def removable(self, layer) -> bool:
        added = self._user_layers()
        return bool(getattr(layer, "removable", False)) or (
            added is not None and layer in getattr(added, "layers", ()))

    def remove(self, layer) -> bool:
        """Take an added layer off the map (through the added-layers list when it is one, so
        the project forgets it too; else the canvas's own remove when it has one)."""
        if not self.removable(layer):
            return False
        added = self._user_layers()
        remover = getattr(self.canvas, "remove_layer", None)
        if added is not None and layer in getattr(added, "layers", ()):
            added.remove(layer.key)
            session = getattr(self.window, "session", None)
            if session is not None:
                session.mark_dirty(True)
        elif callable(remover):
            remover(layer.key)
        else:
            layer.set_visible(False)
            self.canvas.view.removeItem(layer.root)
            self.canvas.layers.remove(layer)
            self.canvas.update_legend()
        self.panel.sync()
        return True

    def properties_text(self, layer) -> list[tuple[str, str]]:
        """(label, value) rows of the properties dialog."""
        rows = [("Name", layer.title), ("What it shows", layer.description or "—"),
                ("Shown", "yes" if layer.shown else
                 ("no (" + layer.disabled_reason + ")" if layer.disabled_reason else "no")),
                ("Opacity", f"{layer.opacity:.0%}"),
                ("Drawing order", f"{self.panel.ordered_layers().index(layer) + 1} of "
                                  f"{len(self.canvas.layers)} (1 = top)")]
        source = getattr(layer, "source_path", None) or getattr(layer, "source", None)
        if source:
            rows.append(("Source", str(source)))
        rect = layer_extent(layer)
        if rect is not None:
            rows.append(("Extent (BNG, m)", f"{rect.left():,.0f}, {rect.top():,.0f} to "
                                            f"{rect.right():,.0f}, {rect.bottom():,.0f}"))
        block = layer.legend_block() if hasattr(layer, "legend_block") else None
        if block is not None:
            entries = "; ".join(e.label for e in block.entries if e.label)
            rows.append(("Legend", f"{block.title}: {entries}" if entries else block.title))
        return rows

    def properties(self, layer) -> QDialog:
        dialog = QDialog(self.panel)
        dialog.setWindowTitle(f"Layer properties — {layer.title}")
        column = QVBoxLayout(dialog)
        form = QFormLayout()
        for label, value in self.properties_text(layer):
            text = QLabel(value)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, text)
        column.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        column.addWidget(buttons)
        dialog.setObjectName("LayerPropertiesDialog")
        dialog.show()
        return dialog


# --- map ----------------------------------------------------------------------------------
_TO_WGS84 = None


def bng_to_wgs84(easting_m: float, northing_m: float) -> tuple[float, float]:
    """(latitude, longitude) in degrees of a British National Grid point."""
    global _TO_WGS84
    if _TO_WGS84 is None:
        from pyproj import Transformer
        _TO_WGS84 = Transformer.from_crs(BNG, WGS84, always_xy=True)
    lon, lat = _TO_WGS84.transform(easting_m, northing_m)
    return float(lat), float(lon)


def coordinate_texts(easting_m: float, northing_m: float) -> dict[str, str]:
    """What "Copy coordinates" puts on the clipboard."""
    lat, lon = bng_to_wgs84(easting_m, northing_m)
    return {"bng": f"{easting_m:.0f}, {northing_m:.0f}", "wgs84": f"{lat:.6f}, {lon:.6f}"}


class MapMenu(QObject):
    """The map's right-click menu: copy coordinates (BNG, WGS84) and identify."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.canvas = window.canvas
        self.canvas.scene().sigMouseClicked.connect(self._on_scene_clicked)

    def _on_scene_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.RightButton:
            return
        p = self.canvas.view.mapSceneToView(event.scenePos())
        menu = self.menu_at(float(p.x()), float(p.y()))
        menu.popup(event.screenPos().toPoint())
        event.accept()

    def menu_at(self, easting_m: float, northing_m: float) -> QMenu:
        texts = coordinate_texts(easting_m, northing_m)
        menu = QMenu(self.canvas)
        menu.addAction(f"Copy coordinates (BNG)  {texts['bng']}",
                       lambda: self.copy(texts["bng"], "BNG (EPSG:27700) easting, northing"))
        menu.addAction(f"Copy coordinates (WGS84)  {texts['wgs84']}",
                       lambda: self.copy(texts["wgs84"], "WGS84 latitude, longitude"))
        menu.addSeparator()
        menu.addAction("Identify…", lambda: self.identify(easting_m, northing_m))
        return menu

    def copy(self, text: str, what: str) -> None:
        QGuiApplication.clipboard().setText(text)
        session = getattr(self.window, "session", None)
        if session is not None:
            session.status(f"Copied {what}: {text}")

    def identify_rows(self, easting_m: float, northing_m: float) -> list[tuple[str, str]]:
        """What is at a map point: coordinates, borough (and its mapped value), hotspot."""
        texts = coordinate_texts(easting_m, northing_m)
        rows = [("BNG (m)", texts["bng"]), ("WGS84 (lat, lon)", texts["wgs84"])]
        code = self.canvas.borough_at(easting_m, northing_m)
        if not code:
            return rows + [("Borough", "outside London")]
        rows.append(("Borough", f"{self.canvas.borough_name(code)} ({code})"))
        value = getattr(self.window, "_map_value_text", None)
        if callable(value):
            rows.append(("Map value", value(code)))
        hotspot = self._hotspot_at(easting_m, northing_m)
        if hotspot:
            rows.append(("Hotspot", hotspot))
        return rows

    def _hotspot_at(self, easting_m: float, northing_m: float) -> str:
        result = getattr(getattr(self.window, "session", None), "hotspots", None)
        frame = getattr(result, "hotspots", None)
        frame = getattr(frame, "hotspots", frame)      # a HotspotLayers-like wrapper
        if frame is None or not hasattr(frame, "geometry") or not len(frame):
            return ""
        import shapely
        hits = shapely.contains_xy(frame.geometry.values, easting_m, northing_m)
        if not hits.any():
            return ""
        row = frame[hits].iloc[0]
        name = row.get("name") if "name" in frame.columns else None
        rank = row.get("hotspot_id")
        parts = [f"#{int(rank)}" if rank is not None else "", str(name) if name else ""]
        if "incidents" in frame.columns and row.get("incidents") == row.get("incidents"):
            parts.append(f"{row['incidents']:,.0f} incidents")
        return " ".join(p for p in parts if p)

    def identify(self, easting_m: float, northing_m: float) -> QMessageBox:
        rows = self.identify_rows(easting_m, northing_m)
        code = self.canvas.borough_at(easting_m, northing_m)
        session = getattr(self.window, "session", None)
        if code and session is not None:
            session.select(code)           # the Inspector shows the rest
        box = QMessageBox(QMessageBox.Icon.Information, "Identify",
                          "\n".join(f"{label}: {value}" for label, value in rows),
                          QMessageBox.StandardButton.Close, self.canvas)
        box.setObjectName("IdentifyBox")
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setModal(False)
        box.show()
        return box


def install(window) -> None:
    """Drag and drop on ``window``; context menus on its layer panel and map."""
    window.drop_handler = DropHandler(window)
    window.installEventFilter(window.drop_handler)
    canvas = getattr(window, "canvas", None)
    if canvas is not None:
        # the map (a QGraphicsView) takes drags itself; route them here as well
        canvas.viewport().installEventFilter(window.drop_handler)
    panel = getattr(window, "layer_panel", None)
    if panel is not None and hasattr(panel, "list"):
        window.layer_menu = LayerMenu(panel, window.canvas, window)
    if getattr(window, "canvas", None) is not None:
        window.map_menu = MapMenu(window)


__all__ = ["ADD_LAYER_METHOD", "DropHandler", "LayerMenu", "MapMenu", "classify_drop",
           "coordinate_texts", "install"]
