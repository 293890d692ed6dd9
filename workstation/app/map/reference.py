"""Reference layers that make the map readable offline: the Thames, parks, the Major Road
Network, Tube lines, station and street names, LSOA outlines, and the analyst's own vector
files (File > Add reference layer).

These layers only draw. Their tables come from the data pack (``build_basemap``, the
stations table, the hotspot engine's gazetteer and LSOA tables) or from
``workstation.loaders.vector_layer``; which names to show is decided by
``workstation.maps.labels`` in one screen space shared by every layer, so names never
collide. None of them follows the time bar: an hour step never recomputes them, and
their static geometry is drawn from a device-coordinate pixmap cache (an hour step repaints
the whole map, so an uncached 3,957-line road network would be stroked on every step).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyqtgraph as pg
import shapely
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from workstation.app import style
from workstation.app.map.label_items import LabelPool, text_size_px
from workstation.app.map.paths import lines_path, polygons_path
from workstation.app.map.layers import MapLayer, cosmetic_pen
from workstation.app.map.legend import LegendBlock, LegendEntry
from workstation.maps.labels import LabelSpace, to_screen

OSM_ATTRIBUTION = "© OpenStreetMap contributors"
OS_ATTRIBUTION = "Contains OS data © Crown copyright"
TFL_ATTRIBUTION = "Powered by TfL Open Data"
DFT_ATTRIBUTION = "DfT Major Road Network"

# Names appear once the map is closer than these scales (metres per screen pixel; 1:10,000
# on a 96 dpi screen is 2.6 m/px, the whole of London in 1,500 px about 35 m/px).
STATION_NAMES_MAX_M_PER_PX = 9.0
STREET_NAMES_MAX_M_PER_PX = 4.0
PARK_NAMES_MAX_M_PER_PX = 6.0
LSOA_MAX_M_PER_PX = 6.0
USER_LABELS_MAX_M_PER_PX = 12.0

WATER_FILL = QColor("#a9cce3")
WATER_EDGE = QColor("#7fb0d0")
PARK_FILL = QColor(120, 180, 100, 110)
PARK_EDGE = QColor(90, 150, 80, 170)
ROAD_COLOUR = QColor(230, 150, 60, 200)
TUBE_COLOUR = QColor(0, 25, 168, 200)       # TfL Underground blue
LSOA_COLOUR = QColor(90, 90, 90, 150)
STATION_LABEL = QColor(0, 25, 120)
STREET_LABEL = QColor(70, 55, 40)
PARK_LABEL = QColor(40, 100, 40)


class _CachedPath(QGraphicsPathItem):
    """Static geometry drawn once per view into a pixmap (see the module note)."""

    def __init__(self, path: QPainterPath, pen: QPen, brush: QBrush):
        super().__init__(path)
        self.setPen(pen)
        self.setBrush(brush)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


class ReferenceLayer(MapLayer):
    """A static layer from a pack table; disabled with the reason when the table is absent."""

    table = ""
    attribution = ""
    label_rank: float | None = None

    def __init__(self, session, **kw):
        super().__init__(session, **kw)
        self.frame = None

    def load(self) -> bool:
        from workstation.datapack.schema import TABLES
        pack = self.session.pack
        if not self.table or self.table not in TABLES or not pack.has(self.table):
            self.set_enabled(False, f"The data pack has no '{self.table}' table "
                                    "(python -m workstation.datapack build)")
            return False
        self.frame = pack.table(self.table)
        return True

    def set_visible(self, visible: bool) -> None:
        super().set_visible(visible)
        if self.canvas is not None:
            self.canvas.place_labels()

    def place_labels(self, space: LabelSpace, rect: QRectF, metres_per_px: float) -> None:
        """Show the names that fit (layers with labels override)."""


class WaterLayer(ReferenceLayer):
    key = "water"
    title = "Thames (water)"
    description = "River Thames and tidal tributaries, OS Open Data water polygons"
    table = "basemap_water"
    attribution = OS_ATTRIBUTION

    def build(self) -> None:
        if not self.load():
            return
        item = _CachedPath(polygons_path(self.frame.geometry.values),
                           cosmetic_pen(WATER_EDGE, 1.0), QBrush(WATER_FILL))
        item.setParentItem(self.root)

    def legend_block(self) -> LegendBlock | None:
        return None   # water needs no key; the legend stays short


class ParksLayer(ReferenceLayer):
    key = "parks"
    title = "Parks (OpenStreetMap)"
    description = "OpenStreetMap leisure=park polygons (Jan 2021), names at close zoom"
    table = "basemap_parks"
    attribution = OSM_ATTRIBUTION
    label_rank = 40

    def build(self) -> None:
        if not self.load():
            return
        item = _CachedPath(polygons_path(self.frame.geometry.values),
                           cosmetic_pen(PARK_EDGE, 1.0), QBrush(PARK_FILL))
        item.setParentItem(self.root)
        named = self.frame[self.frame["name"].str.len() > 0]
        points = shapely.point_on_surface(named.geometry.values)
        bounds = shapely.bounds(named.geometry.values)
        self._names = named["name"].to_numpy()
        self._x, self._y = shapely.get_x(points), shapely.get_y(points)
        self._width_m = bounds[:, 2] - bounds[:, 0]
        self._area = named["area_m2"].to_numpy(float)
        self.labels = LabelPool(self.root, style.ui_font(7.5), PARK_LABEL)

    def place_labels(self, space: LabelSpace, rect: QRectF, metres_per_px: float) -> None:
        if self.frame is None:
            return
        if not self.shown or metres_per_px > PARK_NAMES_MAX_M_PER_PX:
            self.labels.clear()
            return
        inside = _in_rect(self._x, self._y, rect)
        names = self._names[inside]
        widths, height = text_size_px(self.labels.font, names)
        fits = self._width_m[inside] / metres_per_px >= 0.8 * widths   # name within the park
        x, y = to_screen(self._x[inside], self._y[inside], metres_per_px)
        placed = np.zeros(len(names), dtype=bool)
        placed[fits] = space.place(x[fits], y[fits], widths[fits], height,
                                   priority=self._area[inside][fits])
        self.labels.show(names[placed], self._x[inside][placed], self._y[inside][placed])

    def legend_block(self) -> LegendBlock | None:
        return LegendBlock("Parks", (LegendEntry("park (OpenStreetMap)", PARK_FILL),))


class RoadsLayer(ReferenceLayer):
    key = "roads"
    title = "Major roads (DfT MRN)"
    description = ("DfT Major Road Network 2018 (geometry only: the source has no names; "
                   "streets are named from police.uk locations)")
    table = "basemap_roads"
    attribution = DFT_ATTRIBUTION

    def build(self) -> None:
        if not self.load():
            return
        item = _CachedPath(lines_path(self.frame.geometry.values), cosmetic_pen(ROAD_COLOUR, 2.0),
                           QBrush(Qt.BrushStyle.NoBrush))
        item.setParentItem(self.root)

    def legend_block(self) -> LegendBlock | None:
        return LegendBlock("Roads", (LegendEntry("Major Road Network", ROAD_COLOUR, "line", 8),))


class TubeLinesLayer(ReferenceLayer):
    key = "tube_lines"
    title = "Tube lines"
    description = "London Underground links between adjacent stations (TfL)"
    table = "basemap_tube_links"
    attribution = TFL_ATTRIBUTION

    def build(self) -> None:
        if not self.load():
            return
        item = _CachedPath(lines_path(self.frame.geometry.values), cosmetic_pen(TUBE_COLOUR, 1.5),
                           QBrush(Qt.BrushStyle.NoBrush))
        item.setParentItem(self.root)

    def legend_block(self) -> LegendBlock | None:
        return LegendBlock("Underground", (LegendEntry("Tube line", TUBE_COLOUR, "line", 6),))


class StationNamesLayer(ReferenceLayer):
    """Station names at close zoom, busiest first (TfL 2019 counts) so the names that help
    an officer find a place win the space."""

    key = "station_names"
    title = "Station names"
    description = "Tube and rail station names at close zoom (busiest first)"
    table = "stations"
    attribution = TFL_ATTRIBUTION
    label_rank = 10

    def build(self) -> None:
        if not self.load():
            return
        stations = self.frame
        # "Victoria LU", "Paddington TfL" are the counts' names for one operator's part of a
        # station; on the map the station is just "Victoria", "Paddington".
        self._names = (stations["name"].astype(str)
                       .str.replace(r" (LU|TfL)$", "", regex=True).to_numpy())
        self._x = stations["easting_m"].to_numpy(float)
        self._y = stations["northing_m"].to_numpy(float)
        self._priority = None    # from the station counts, read when first needed (start-up)
        self.labels = LabelPool(self.root, style.ui_font(8.0, bold=True), STATION_LABEL, z=60)

    def place_labels(self, space: LabelSpace, rect: QRectF, metres_per_px: float) -> None:
        if self.frame is None:
            return
        if not self.shown or metres_per_px > STATION_NAMES_MAX_M_PER_PX:
            self.labels.clear()
            return
        if self._priority is None:
            self._priority = self._busyness()
        inside = _in_rect(self._x, self._y, rect)
        names = self._names[inside]
        widths, height = text_size_px(self.labels.font, names)
        # The name sits just above its station's symbol (offset in metres for this zoom).
        offset_m = 11.0 * metres_per_px
        x, y = to_screen(self._x[inside], self._y[inside] + offset_m, metres_per_px)
        placed = space.place(x, y, widths, height, priority=self._priority[inside])
        self.labels.show(names[placed], self._x[inside][placed],
                         self._y[inside][placed] + offset_m)


    def _busyness(self) -> np.ndarray:
        """Entries + exits per station over the latest counted year's typical days."""
        pack = self.session.pack
        nlc = self.frame["nlc"]
        if not pack.has("station_counts_qhr"):
            return np.zeros(len(nlc))
        counts = pack.table("station_counts_qhr")
        counts = counts[counts["year"] == counts["year"].max()]
        busy = counts.groupby("nlc", observed=True)["count"].sum()
        return nlc.map(busy).fillna(0.0).to_numpy(float)


class LsoaLayer(ReferenceLayer):
    """LSOA 2021 outlines at close zoom only (4,994 small areas would be a grey mesh over
    the whole of London)."""

    key = "lsoa"
    title = "LSOA 2021 outlines"
    description = "Lower-layer Super Output Areas (2021), shown at close zoom"
    table = "lsoa21_boundaries"
    attribution = "ONS LSOA 2021 boundaries; " + OS_ATTRIBUTION

    def build(self) -> None:
        self.item = None    # read and drawn on the first close zoom (start-up stays light)

    def update_view(self, rect: QRectF) -> None:
        if self.canvas is None or not self.shown:
            return
        close = 0 < self.canvas.metres_per_pixel() <= LSOA_MAX_M_PER_PX
        if close and self.item is None and self.enabled and self.load():
            # The pack's table is already simplified (5 m): drawn as it is.
            self.item = _CachedPath(polygons_path(self.frame.geometry.values),
                                    cosmetic_pen(LSOA_COLOUR, 1.0, Qt.PenStyle.DotLine),
                                    QBrush(Qt.BrushStyle.NoBrush))
            self.item.setParentItem(self.root)
        if self.item is not None:
            self.item.setVisible(close)


class StreetNamesLayer(ReferenceLayer):
    """Street names at close zoom from the police.uk gazetteer (the snap points police.uk
    names "On or near <street>", pack table ``policeuk_gazetteer``): one label per street in
    view, at its snap point nearest the view's centre, busier streets first. Place-kind
    names ("Supermarket", "Parking Area") are not streets and are left out."""

    key = "street_names"
    title = "Street names (police.uk)"
    description = "Street names from police.uk snap-point locations, at close zoom"
    table = "policeuk_gazetteer"
    attribution = "police.uk locations, OGL v3.0"
    label_rank = 20

    def build(self) -> None:
        if not self.load():
            return
        self._names = None     # prepared on first close zoom (keeps start-up light)
        self.labels = LabelPool(self.root, style.ui_font(7.5), STREET_LABEL, z=55)

    def _prepare(self) -> None:
        self._names, self._x, self._y, self._priority = _street_points(self.frame)

    def place_labels(self, space: LabelSpace, rect: QRectF, metres_per_px: float) -> None:
        if self.frame is None:
            return
        if not self.shown or metres_per_px > STREET_NAMES_MAX_M_PER_PX:
            self.labels.clear()
            return
        if self._names is None:
            self._prepare()
        inside = np.flatnonzero(_in_rect(self._x, self._y, rect))
        if not len(inside):
            self.labels.clear()
            return
        # One candidate per street: its snap point nearest the centre of the view.
        centre = rect.center()
        d2 = (self._x[inside] - centre.x()) ** 2 + (self._y[inside] - centre.y()) ** 2
        frame = pd.DataFrame({"i": inside, "name": self._names[inside], "d2": d2})
        first = frame.sort_values("d2", kind="stable").drop_duplicates("name")["i"].to_numpy()
        names = self._names[first]
        widths, height = text_size_px(self.labels.font, names)
        x, y = to_screen(self._x[first], self._y[first], metres_per_px)
        # Streets are the densest names: wider air between them, and at most one per
        # ~250 x 160 px of map, so a 1:10,000 view reads as a map, not a list.
        view = space.view_px
        budget = max(8, int((view[2] - view[0]) * (view[3] - view[1]) / 40_000))
        placed = space.place(x, y, widths, height, priority=self._priority[first], pad_px=12.0,
                             max_labels=budget)
        self.labels.show(names[placed], self._x[first][placed], self._y[first][placed])


def _street_points(frame: pd.DataFrame) -> tuple[np.ndarray, ...]:
    """Names, x, y and priority of the gazetteer's street points. The hotspot engine's list
    of place-kind names is imported here, not at start-up: the engine pulls in scipy.stats
    (seconds), and by the first close zoom the hotspot worker has usually loaded it."""
    from workstation.maps.microplaces import GENERIC_PLACE_NAMES
    frame = frame[~frame["name"].astype(str).str.casefold().isin(GENERIC_PLACE_NAMES)]
    # Busier streets first: the police.uk rows snapped to all of a street's points.
    per_name = frame.groupby("name", observed=True)["incidents"].transform("sum")
    return (frame["name"].astype(str).to_numpy(), frame["easting_m"].to_numpy(float),
            frame["northing_m"].to_numpy(float), per_name.to_numpy(float))


def _in_rect(x: np.ndarray, y: np.ndarray, rect: QRectF) -> np.ndarray:
    r = rect.normalized()
    return (x >= r.left()) & (x <= r.right()) & (y >= r.top()) & (y <= r.bottom())


# ------------------------------------------------------------------------------------------
class VectorFileLayer(MapLayer):
    """An analyst's vector file (File > Add reference layer), drawn with a simple style the
    layer panel edits (colour, line width, fill opacity, label column)."""

    label_rank = 30
    attribution = ""

    def __init__(self, session, vector, source, **kw):
        super().__init__(session, visible=source.visible, **kw)
        self.vector = vector             # workstation.loaders.vector_layer.VectorLayer
        self.source = source             # workstation.project.model.ReferenceLayerSource
        self.key = f"user:{vector.path}:{vector.layer or ''}"
        self.title = source.title or vector.title
        self.description = (f"{vector.path} ({vector.n_features:,} {vector.kind} features, "
                            f"from {vector.source_crs})")
        self.item: QGraphicsItem | None = None
        self.labels = LabelPool(self.root, style.ui_font(7.5), QColor(source.colour).darker(150),
                                z=45)

    def build(self) -> None:
        self._draw()

    def set_style(self, **changes) -> None:
        """Change colour / line_width_px / fill_opacity / label_column and redraw."""
        from dataclasses import replace
        self.source = replace(self.source, **changes)
        self.labels.colour = QColor(self.source.colour).darker(150)
        for item in self.labels.items:
            item._colour = self.labels.colour
            item.update()
        self._draw()
        self.sig_changed.emit()
        if self.canvas is not None:
            self.canvas.place_labels()

    def _draw(self) -> None:
        if self.item is not None:
            self.item.setParentItem(None)
            if self.item.scene() is not None:
                self.item.scene().removeItem(self.item)
        colour = QColor(self.source.colour)
        geoms = self.vector.frame.geometry.values
        if self.vector.kind == "point":
            points = shapely.get_coordinates(geoms)
            self.item = pg.ScatterPlotItem(x=points[:, 0], y=points[:, 1], size=6,
                                           pen=pg.mkPen(255, 255, 255, 200, width=0.8),
                                           brush=pg.mkBrush(colour))
        else:
            if self.vector.kind == "polygon":
                boundaries = shapely.boundary(geoms[shapely.get_type_id(geoms) >= 3])
                path = lines_path(boundaries)
                fill = QColor(colour)
                fill.setAlphaF(self.source.fill_opacity)
                if self.source.fill_opacity > 0:
                    path = polygons_path(geoms[shapely.get_type_id(geoms) >= 3])
                brush = QBrush(fill) if self.source.fill_opacity > 0 else QBrush(
                    Qt.BrushStyle.NoBrush)
            else:
                path, brush = lines_path(geoms), QBrush(Qt.BrushStyle.NoBrush)
            self.item = _CachedPath(path, cosmetic_pen(colour, self.source.line_width_px), brush)
        self.item.setParentItem(self.root)
        column = self.source.label_column
        if column and column in self.vector.frame.columns:
            points = shapely.point_on_surface(geoms)
            self._lx, self._ly = shapely.get_x(points), shapely.get_y(points)
            self._ltext = self.vector.frame[column].astype(str).to_numpy()
            size = shapely.area(geoms) if self.vector.kind == "polygon" else shapely.length(geoms)
            self._lpriority = np.asarray(size, dtype=float)
        else:
            self._ltext = None

    def place_labels(self, space: LabelSpace, rect: QRectF, metres_per_px: float) -> None:
        if (self._ltext is None or not self.shown
                or metres_per_px > USER_LABELS_MAX_M_PER_PX):
            self.labels.clear()
            return
        inside = _in_rect(self._lx, self._ly, rect)
        texts = self._ltext[inside]
        widths, height = text_size_px(self.labels.font, texts)
        x, y = to_screen(self._lx[inside], self._ly[inside], metres_per_px)
        placed = space.place(x, y, widths, height, priority=self._lpriority[inside])
        self.labels.show(texts[placed], self._lx[inside][placed], self._ly[inside][placed])

    def legend_block(self) -> LegendBlock | None:
        kind = {"polygon": "box", "line": "line", "point": "circle"}[self.vector.kind]
        return LegendBlock(self.title, (LegendEntry(f"{self.vector.n_features:,} features",
                                                    QColor(self.source.colour), kind, 10),))


def reference_layers(session) -> list[ReferenceLayer]:
    """The shipped reference layers, bottom to top, with their default visibility."""
    return [WaterLayer(session), ParksLayer(session, opacity=0.9), LsoaLayer(session),
            RoadsLayer(session, opacity=0.8), TubeLinesLayer(session, opacity=0.9),
            StreetNamesLayer(session), StationNamesLayer(session)]


# ------------------------------------------------------------------------------------------
class UserLayers:
    """The analyst's reference layers: add from a file, remove, restyle, and the list the
    project saves (by path, relative to the project's folder when it lies beneath it)."""

    def __init__(self, canvas, session, *, above: str = "hotspots"):
        self.canvas, self.session, self.above = canvas, session, above
        self.layers: list[VectorFileLayer] = []

    def add_file(self, path, *, layer: str | None = None, source=None) -> VectorFileLayer:
        """Read and draw a vector file; raises InputError (nothing changes) if it is bad."""
        from workstation.loaders.vector_layer import load_vector_layer
        from workstation.project.model import ReferenceLayerSource

        vector = load_vector_layer(path, layer=layer)   # may raise: before any change
        if source is None:
            colours = ("#7b3294", "#1b7837", "#b35806", "#c51b7d", "#01665e")   # not Tube blue
            source = ReferenceLayerSource(path=str(vector.path), layer=vector.layer,
                                          title=vector.title,
                                          colour=colours[len(self.layers) % len(colours)],
                                          label_column=vector.label_column)
        item = VectorFileLayer(self.session, vector, source)
        if self.canvas.layer(item.key) is not None:
            raise_duplicate(vector.path)
        self.canvas.add_layer(item, above=self.above)
        self.layers.append(item)
        self.canvas.place_labels()
        return item

    def remove(self, key: str) -> None:
        self.layers = [layer for layer in self.layers if layer.key != key]
        self.canvas.remove_layer(key)

    def clear(self) -> None:
        for layer in list(self.layers):
            self.remove(layer.key)

    def sources(self, project_path=None) -> tuple:
        """What the project saves: each layer's source with its current style and
        visibility, path relative to the project's folder where possible (portable)."""
        from dataclasses import replace
        from pathlib import Path

        out = []
        for layer in self.layers:
            path = Path(layer.source.path)
            if project_path is not None:
                folder = Path(project_path).resolve().parent
                if path.is_absolute() and path.is_relative_to(folder):
                    path = path.relative_to(folder)
            out.append(replace(layer.source, path=path.as_posix(), visible=layer.visible))
        return tuple(out)

    def restore(self, sources, project_path=None) -> list[str]:
        """Replace the list with a project's; a file that is gone or unreadable is skipped
        with its reason (the rest of the project still opens)."""
        from dataclasses import replace

        from workstation.errors import InputError
        from workstation.project.model import resolve_source_path

        self.clear()
        problems = []
        for source in sources:
            path = resolve_source_path(source.path, project_path)
            try:
                self.add_file(path, layer=source.layer, source=replace(source, path=str(path)))
            except InputError as exc:
                problems.append(str(exc))
        return problems


def raise_duplicate(path) -> None:
    from workstation.errors import InputError
    raise InputError("is already on the map", path=path, hint="Remove it first to add it again")


# Where each shipped reference layer goes in the drawing order (just above this layer).
PLACEMENT = {"water": "choropleth", "parks": "water", "lsoa": "parks", "roads": "lsoa",
             "tube_lines": "flows", "street_names": "basemap", "station_names": "street_names"}


def install(canvas, session) -> dict[str, ReferenceLayer]:
    """Add the shipped reference layers to a map that already holds the thematic layers."""
    added = {}
    for layer in reference_layers(session):
        canvas.add_layer(layer, above=PLACEMENT.get(layer.key))
        added[layer.key] = layer
    return added
