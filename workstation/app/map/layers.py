"""Map layers. Each layer owns one pg.ItemGroup in the map's view so visibility, opacity
and drawing order are a single property on that group; the layer panel edits them.

Layers read the Session (pack, population, plan, incidents, hotspots, time, selection)
and redraw on ``update_time`` / ``update_view`` / ``refresh``. Anything costly is cached
per (day type, hour) so dragging the hour slider only swaps brushes and arrays.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pyqtgraph as pg
import shapely
from PySide6.QtCore import QLineF, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen, QPolygonF, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from workstation.app import style
from workstation.app.map.label_items import LabelPool, text_size_px
from workstation.app.map.legend import LegendBlock, LegendEntry
from workstation.app.map.paths import lines_path, polygons_path
from workstation.domain import DayType
from workstation.flows.population import commuters_at_work
from workstation.maps import classify as classification_rules
from workstation.maps import layers_data as mapdata
from workstation.maps.borough_metrics import METRICS, available, borough_values
from workstation.maps.classify import Classification, Method


def polygon_path(geometry) -> QPainterPath:
    """One QPainterPath per borough (all parts and holes, odd-even fill), built once."""
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    for polygon in shapely.get_parts(geometry):
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = np.asarray(ring.coords)
            path.addPolygon(QPolygonF([QPointF(x, y) for x, y in coords[:, :2]]))
            path.closeSubpath()
    return path


# Rasters that change only with a new result (density, KDE, Gi*): scaling them to the view
# cost ~3-5 ms each per repaint; a device pixmap is blitted instead (see canvas.PIXMAP_CACHE_KB).
STATIC_CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache


def cosmetic_pen(colour: QColor, width: float = 1.0, style_: Qt.PenStyle = Qt.PenStyle.SolidLine
                 ) -> QPen:
    pen = QPen(colour, width)
    pen.setCosmetic(True)  # width in screen pixels at every zoom
    pen.setStyle(style_)
    return pen


class MapLayer(QObject):
    """Base: a named group of graphics items with visibility, opacity and order."""

    sig_changed = Signal()  # legend, enabled state or contents changed

    key = "layer"
    title = "Layer"
    description = ""
    follows_time = False
    avoids_legend = False   # re-place labels when the legend changes size (cheap layers only)

    def __init__(self, session, *, visible: bool = True, opacity: float = 1.0):
        super().__init__()
        self.session = session
        self.root = pg.ItemGroup()
        self.canvas = None
        self._visible = visible
        self._enabled = True
        self.disabled_reason = ""
        self.root.setOpacity(opacity)

    # --- state the layer panel edits ----------------------------------------------------
    @property
    def visible(self) -> bool:
        return self._visible

    @property
    def enabled(self) -> bool:
        return self._enabled

    @property
    def opacity(self) -> float:
        return float(self.root.opacity())

    def set_visible(self, visible: bool) -> None:
        self._visible = bool(visible)
        self.root.setVisible(self._visible and self._enabled)
        if self.root.isVisible():
            self.refresh()
        self.sig_changed.emit()

    def set_opacity(self, opacity: float) -> None:
        self.root.setOpacity(float(np.clip(opacity, 0.0, 1.0)))

    def set_z(self, z: float) -> None:
        self.root.setZValue(z)

    def set_enabled(self, enabled: bool, reason: str = "") -> None:
        self._enabled = bool(enabled)
        self.disabled_reason = "" if enabled else reason
        self.root.setVisible(self._visible and self._enabled)
        self.sig_changed.emit()

    @property
    def shown(self) -> bool:
        return self._visible and self._enabled

    def tooltip(self) -> str:
        return self.disabled_reason or self.description

    # --- lifecycle ------------------------------------------------------------------------
    def attach(self, canvas) -> None:
        self.canvas = canvas
        canvas.view.addItem(self.root, ignoreBounds=True)
        self.root.setVisible(self.shown)
        self.build()

    def build(self) -> None:
        """Create the items (after the window is shown for heavy layers)."""

    def refresh(self) -> None:
        """Redraw for the session's current time, selection and results."""

    def update_time(self, day_type: DayType, hour: int) -> None:
        if self.follows_time and self.shown:
            self.refresh()

    def prefetch(self, day_type: DayType, hour: int) -> None:
        """Fill this layer's per-hour cache for another hour without drawing, so the first
        visit to it is as quick as a return visit (the canvas calls this when idle)."""

    def update_view(self, rect: QRectF) -> None:
        """The visible map rectangle changed (metres)."""

    def legend_block(self) -> LegendBlock | None:
        return None


# ------------------------------------------------------------------------------------------
class FillItem(QGraphicsPathItem):
    """A borough (or ward) fill for a choropleth.

    Drawn without antialiasing: the basemap's antialiased outline covers its edge, and
    filling 33 antialiased polygons was a third of an hour step's repaint. Zoomed out
    (>= COARSE_FILL_M_PER_PX metres per pixel) it fills a copy simplified to that many
    metres, so the error is under a pixel: London's 33 boroughs have 46k vertices, 8k
    simplified. And it is cached as a pixmap (device coordinates), so an hour step
    re-fills only the boroughs whose colour changed (Qt ignores a setBrush to the same
    brush); pan and zoom re-render it.
    """

    def __init__(self, geometry):
        super().__init__(polygon_path(geometry))
        simplified = shapely.simplify(geometry, COARSE_FILL_M_PER_PX, preserve_topology=True)
        self.coarse_path = polygon_path(simplified)
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self.setCacheMode(STATIC_CACHE)

    def path_at(self, pixels_per_m: float) -> QPainterPath:
        coarse = pixels_per_m > 0 and 1.0 / pixels_per_m >= COARSE_FILL_M_PER_PX
        return self.coarse_path if coarse else self.path()

    def paint(self, painter, option, widget=None) -> None:
        painter.setRenderHint(painter.RenderHint.Antialiasing, False)
        painter.setPen(self.pen())
        painter.setBrush(self.brush())
        painter.drawPath(self.path_at(option.levelOfDetailFromTransform(painter.worldTransform())))


COARSE_FILL_M_PER_PX = 10.0


# ------------------------------------------------------------------------------------------
class ChoroplethLayer(MapLayer):
    key = "choropleth"
    title = "Borough choropleth"
    description = "Boroughs coloured by the chosen metric and classification"
    follows_time = True

    def __init__(self, session, boroughs: pd.DataFrame, **kw):
        super().__init__(session, **kw)
        self._chosen_opacity = float(self.root.opacity())   # before any close-zoom fading
        self.boroughs = boroughs
        self.metric_key = "population_present" if session.population is not None else "residents"
        self.method = Method.QUANTILES
        self.k = 5
        self.values: pd.Series = pd.Series(dtype=float)
        self.classification: Classification | None = None
        self.colours: list[QColor] = []
        self.items: dict[str, QGraphicsPathItem] = {}
        self._cache: dict[tuple, pd.Series] = {}

    def build(self) -> None:
        for code, geometry in zip(self.boroughs["gss_code"], self.boroughs.geometry.values):
            item = FillItem(geometry)
            item.setBrush(QBrush(style.NO_DATA_COLOUR))
            item.setParentItem(self.root)
            self.items[code] = item
        self.refresh()

    @property
    def metric(self):
        return METRICS[self.metric_key]

    def metric_available(self, key: str) -> tuple[bool, str]:
        return available(METRICS[key], population=self.session.population, plan=self.session.plan)

    def set_metric(self, key: str) -> None:
        ok, reason = self.metric_available(key)
        if not ok:
            raise ValueError(reason)
        self.metric_key = key
        self.refresh()

    def set_method(self, method: Method | str) -> None:
        self.method = Method(method)
        self.refresh()

    def set_k(self, k: int) -> None:
        self.k = int(k)
        self.refresh()

    def invalidate(self) -> None:
        """Results changed (plan, population): forget cached values."""
        self._cache.clear()
        if not self.metric_available(self.metric_key)[0]:
            self.metric_key = "residents"
        self.refresh()

    def current_values(self) -> pd.Series:
        s = self.session
        key = (self.metric_key, s.day_type, s.hour, id(s.plan), id(s.population))
        if key not in self._cache:
            self._cache[key] = borough_values(self.metric_key, pack=s.pack, population=s.population,
                                              plan=s.plan, day_type=s.day_type, hour=s.hour)
        return self._cache[key]

    def refresh(self) -> None:
        if not self.items:
            return
        values = self.current_values()
        metric = self.metric
        # The same rule as the PDF maps (exports/figures.py): one function in the core.
        classification = classification_rules.choropleth_classes(
            values.reindex(list(self.items)).to_numpy(), method=self.method, k=self.k,
            diverging=metric.diverging)
        colours = style.ramp(metric.palette, classification.k)
        for (code, item), cls in zip(self.items.items(), classification.classes):
            colour = colours[cls] if cls >= 0 and colours else style.NO_DATA_COLOUR
            item.setBrush(QBrush(colour))
        self.values, self.classification, self.colours = values, classification, colours
        self.sig_changed.emit()

    def colour_of(self, code: str) -> QColor:
        return self.items[code].brush().color()

    # Closer than this (metres per pixel, about 1:25,000) one borough fills the view and its
    # fill only hides the streets, parks and names an officer reads: the fill gives way.
    FADE_BELOW_M_PER_PX = 8.0
    FADED_OPACITY = 0.3

    def set_opacity(self, opacity: float) -> None:
        self._chosen_opacity = float(np.clip(opacity, 0.0, 1.0))
        self._apply_opacity()

    @property
    def opacity(self) -> float:
        return getattr(self, "_chosen_opacity", float(self.root.opacity()))

    def update_view(self, rect: QRectF) -> None:
        self._apply_opacity()

    def _apply_opacity(self) -> None:
        chosen = self.opacity
        close = (self.canvas is not None
                 and 0 < self.canvas.metres_per_pixel() <= self.FADE_BELOW_M_PER_PX)
        self.root.setOpacity(min(chosen, self.FADED_OPACITY) if close else chosen)

    def legend_block(self) -> LegendBlock | None:
        c = self.classification
        if c is None or c.k < 1:
            return None
        entries = []
        for i in range(c.k - 1, -1, -1):  # highest class on top
            lo, hi = c.bounds[i], c.bounds[i + 1]
            label = f"{style.format_value(lo)} – {style.format_value(hi)}  ({c.counts()[i]})"
            entries.append(LegendEntry(label, self.colours[i]))
        if (c.classes < 0).any():
            entries.append(LegendEntry("No data", style.NO_DATA_COLOUR))
        note = f"{c.method.label}; {self.session.day_type.label} {self.session.hour:02d}:00"
        if self.metric_key == "residents":
            note = f"{c.method.label}; ONS mid-2019"
        return LegendBlock(f"{self.metric.label} ({self.metric.unit})", tuple(entries), note)


# ------------------------------------------------------------------------------------------
class BasemapLayer(MapLayer):
    """Borough outlines and names, and the selection highlight: the offline basemap."""

    key = "basemap"
    title = "Borough outlines & names"
    description = "Borough boundaries (ONS) and names; the selected borough is outlined"
    avoids_legend = True

    def __init__(self, session, boroughs: pd.DataFrame, **kw):
        super().__init__(session, **kw)
        self.boroughs = boroughs
        self.outlines: dict[str, QGraphicsPathItem] = {}
        self.labels: list[pg.TextItem] = []
        self.highlight = QGraphicsPathItem()
        self.show_labels = True
        self._widths_m = None
        self.placed_px: list[tuple[float, float, float, float]] = []   # for other layers' names

    def build(self) -> None:
        pen = cosmetic_pen(style.BOROUGH_EDGE, 0.9)
        for code, geometry in zip(self.boroughs["gss_code"], self.boroughs.geometry.values):
            item = QGraphicsPathItem(polygon_path(geometry))
            item.setPen(pen)
            item.setBrush(QBrush(Qt.BrushStyle.NoBrush))
            # Outlines never change: a pixmap each, so an hour step does not re-stroke them
            # (close up, stroking a borough's whole antialiased outline took ~4 ms).
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            item.setParentItem(self.root)
            self.outlines[code] = item
        points = mapdata.label_points(self.boroughs)
        font = style.ui_font(7.5)
        for code, name in zip(self.boroughs["gss_code"], self.boroughs["name"]):
            text = pg.TextItem(mapdata.short_name(name), color=style.LABEL_COLOUR, anchor=(0.5, 0.5))
            text.setFont(font)
            text.textItem.document().setDefaultTextOption(_centred_text())
            text.setPos(*points[code])
            text.setParentItem(self.root)
            self.labels.append(text)
        self.highlight.setPen(cosmetic_pen(style.SELECTED_EDGE, 3.0))
        self.highlight.setCacheMode(STATIC_CACHE)   # a 3 px pen goes through Qt's stroker
        self.highlight.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        self.highlight.setParentItem(self.root)
        self.highlight.setZValue(10)
        self.refresh()

    def set_labels_visible(self, shown: bool) -> None:
        self.show_labels = shown
        if self.canvas is not None:
            self.update_view(self.canvas.view.viewRect())
        else:
            for label in self.labels:
                label.setVisible(shown)

    def update_view(self, rect: QRectF) -> None:
        """Show a borough's name only where it fits inside the borough and does not collide
        with a name already placed (selected borough first, then largest first), so the small
        inner boroughs do not print over each other when the whole city is in view."""
        if not self.labels or self.canvas is None:
            return
        metres_per_px = self.canvas.metres_per_pixel()
        if self._widths_m is None:
            bounds = shapely.bounds(self.boroughs.geometry.values)
            self._widths_m = bounds[:, 2] - bounds[:, 0]
            self._order = np.argsort(-self.boroughs["area_m2"].to_numpy(float))
        if metres_per_px <= 0:
            return
        codes = list(self.boroughs["gss_code"])
        order = list(self._order)
        if self.session.selected_code in codes:
            first = codes.index(self.session.selected_code)
            order.remove(first)
            order.insert(0, first)
        def to_px(r: QRectF) -> QRectF:     # metres (y up) -> label pixel space (y down)
            r = r.normalized()
            return QRectF(r.left() / metres_per_px, -r.bottom() / metres_per_px,
                          r.width() / metres_per_px, r.height() / metres_per_px)

        view_px = to_px(rect)
        legend_m = self.canvas.legend_rect_m()
        # The legend counts as a label already placed: names under it would be half hidden.
        placed: list[QRectF] = [to_px(legend_m)] if legend_m is not None else []
        self.placed_px = []
        for i in order:
            label = self.labels[i]
            box = label.textItem.boundingRect()
            pos = label.pos()
            centre = QPointF(pos.x() / metres_per_px, -pos.y() / metres_per_px)
            px = QRectF(centre.x() - box.width() / 2, centre.y() - box.height() / 2,
                        box.width(), box.height()).adjusted(2, 3, -2, -3)
            fits = self._widths_m[i] / metres_per_px >= 0.85 * box.width()
            free = not any(px.intersects(other) for other in placed)
            inside = view_px.contains(px)    # never a name cut by the map's edge
            show = self.show_labels and bool(fits) and free and inside
            label.setVisible(show)
            if show:
                placed.append(px)
                self.placed_px.append((px.left(), px.top(), px.right(), px.bottom()))

    def refresh(self) -> None:
        code = self.session.selected_code
        item = self.outlines.get(code)
        self.highlight.setPath(item.path() if item is not None else QPainterPath())
        if self.canvas is not None:
            self.update_view(self.canvas.view.viewRect())


def _centred_text():
    from PySide6.QtGui import QTextOption
    option = QTextOption()
    option.setAlignment(Qt.AlignmentFlag.AlignHCenter)
    return option


# ------------------------------------------------------------------------------------------
class LinesItem(QGraphicsItem):
    """Many straight translucent lines (flows, trips), grouped by width and colour.

    Qt's raster engine strokes an antialiased wide line about 20x faster with an opaque
    pen than with a translucent one (measured 0.06 vs 1.3 ms for eight 2 px commuter
    lines across London). So on screen the lines of one alpha are drawn opaque into an
    off-screen image the size of the lines' bounds in the view, which is then drawn with
    that alpha as opacity: 9-10 ms of an hour step's repaint became ~2 ms. Lines of the
    same alpha no longer darken where they cross. Other devices (PDF, SVG) get vectors.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.groups: list[tuple[QPen, list]] = []    # (pen, [QLineF, ...]) in drawing order
        self._opaque_by_alpha: dict[int, list[tuple[QPen, list]]] = {}
        self._bounds = QRectF()

    def set_groups(self, groups: list[tuple[QPen, list]], bounds: QRectF) -> None:
        self.prepareGeometryChange()
        self.groups = groups
        self._bounds = bounds
        self._opaque_by_alpha = {}
        for pen, lines in groups:
            opaque = QPen(pen)
            colour = QColor(pen.color())
            colour.setAlpha(255)
            opaque.setColor(colour)
            self._opaque_by_alpha.setdefault(pen.color().alpha(), []).append((opaque, lines))
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter, option, widget=None) -> None:
        if not self.groups:
            return
        if widget is None:                # printing or SVG: translucent vectors
            painter.setRenderHint(painter.RenderHint.Antialiasing, True)
            for pen, lines in self.groups:
                painter.setPen(pen)
                painter.drawLines(lines)
            return
        to_device = painter.worldTransform()
        pad_px = max(pen.widthF() for pen, _ in self.groups) + 2
        device = to_device.mapRect(self._bounds).adjusted(-pad_px, -pad_px, pad_px, pad_px)
        device = device.toAlignedRect() & widget.rect()
        if device.isEmpty():
            return
        ratio = widget.devicePixelRatioF()
        painter.save()
        painter.resetTransform()
        base_opacity = painter.opacity()
        for alpha, groups in self._opaque_by_alpha.items():
            image = QImage(round(device.width() * ratio), round(device.height() * ratio),
                           QImage.Format.Format_ARGB32_Premultiplied)
            image.setDevicePixelRatio(ratio)
            image.fill(0)
            offscreen = QPainter(image)
            offscreen.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            offscreen.setTransform(to_device * QTransform.fromTranslate(-device.x(), -device.y()))
            for opaque, lines in groups:
                offscreen.setPen(opaque)
                offscreen.drawLines(lines)
            offscreen.end()
            painter.setOpacity(base_opacity * alpha / 255)
            painter.drawImage(device.topLeft(), image)
        painter.restore()


class _LinesMixin:
    """Draw many straight lines as one LinesItem per layer (groups by width and colour),
    far cheaper than one item per line; the item is kept and refilled on each hour step."""

    def _lines_item(self) -> LinesItem:
        item = getattr(self, "_item", None)
        if item is None:
            item = self._item = LinesItem()
            item.setParentItem(self.root)
        return item

    def refresh(self) -> None:
        item = self._lines_item()
        if not self.shown or self.canvas is None:
            item.set_groups([], QRectF())
            return
        s = self.session
        self.drawn, self._bounds, groups, extent = self._segments_at(s.day_type, s.hour)
        item.set_groups(groups, extent)
        self.sig_changed.emit()

    def line_count(self) -> int:
        return sum(len(lines) for _, lines in self._lines_item().groups)

    def prefetch(self, day_type: DayType, hour: int) -> None:
        if self.shown and self.canvas is not None:
            self._segments_at(day_type, hour)

    def _segments_at(self, day_type: DayType, hour: int) -> tuple:
        """(drawn table, width-class bounds, line groups for LinesItem, their extent),
        cached per ``_segment_key`` with the Qt lines and pens already built: an hour step
        or a return to a selection only swaps them."""
        code = self.session.selected_code
        key = self._segment_key(day_type, hour, code)
        if key not in self._segments:
            drawn, bounds, segments = self._compute_segments(day_type, hour, code)
            self._segments[key] = (drawn, bounds, *_line_groups(segments))
        return self._segments[key]


def _line_groups(segments) -> tuple[list[tuple[QPen, list]], QRectF]:
    """(x0, y0, x1, y1, width_px, colour) arrays -> (pen, [QLineF]) groups and their extent."""
    groups, xs, ys = [], [], []
    for x0, y0, x1, y1, width_px, colour in segments:
        if len(x0) == 0:
            continue
        lines = [QLineF(*c) for c in zip(x0.tolist(), y0.tolist(), x1.tolist(), y1.tolist())]
        groups.append((cosmetic_pen(colour, width_px), lines))
        xs += [x0, x1]
        ys += [y0, y1]
    if not groups:
        return groups, QRectF()
    x, y = np.concatenate(xs), np.concatenate(ys)
    return groups, QRectF(float(x.min()), float(y.min()), float(np.ptp(x)), float(np.ptp(y)))


WIDTHS_PX = (1.0, 2.0, 3.5, 5.5)


class FlowLinesLayer(_LinesMixin, MapLayer):
    key = "flows"
    title = "Commuter flows"
    follows_time = True

    def __init__(self, session, boroughs: pd.DataFrame, *, min_flow: float = 200.0, **kw):
        super().__init__(session, **kw)
        self._commuters = None
        self.boroughs = boroughs
        self.points = mapdata.label_points(boroughs)
        self.min_flow = float(min_flow)
        self.mode = None
        self._cache: dict[tuple, pd.DataFrame] = {}
        self._segments: dict[tuple, tuple] = {}
        self.drawn = pd.DataFrame()
        self._bounds: list = []
        self.description = "Commuters into (blue) and out of (red) the selected borough at this hour"

    def set_min_flow(self, value: float) -> None:
        self.min_flow = float(value)
        self.refresh()

    def _flows(self, day_type: DayType, hour: int, code: str | None) -> mapdata.FlowTable:
        s = self.session
        code = code or None
        key = (day_type, hour, code, self.min_flow, self.mode)
        if key in self._cache:
            return self._cache[key]
        if self._commuters is None:   # TfL timing, computed once, reused for every hour
            self._commuters = commuters_at_work(s.pack)
        frame = mapdata.engine_flows(s.pack, day_type=day_type, hour=hour, borough=code,
                                     min_flow=self.min_flow, mode=self.mode,
                                     commuters=self._commuters)
        self._cache[key] = frame
        return frame

    def _segment_key(self, day_type: DayType, hour: int, code: str) -> tuple:
        return (day_type, hour, code, self.min_flow, self.mode)

    def _compute_segments(self, day_type: DayType, hour: int,
                          code: str) -> tuple[pd.DataFrame, list, list]:
        """The lines to draw (by width class and colour), cached per hour and selection."""
        lines = mapdata.lines_to_draw(self._flows(day_type, hour, code), self.points,
                                      selected=code or None, max_lines=None,
                                      n_widths=len(WIDTHS_PX), keep_largest_unselected=60)
        other = style.FLOW_OUT_COLOUR if code else style.FLOW_NEUTRAL_COLOUR
        segments = []
        for w, width in enumerate(WIDTHS_PX):
            for mask, colour in ((lines.inbound, style.FLOW_IN_COLOUR), (~lines.inbound, other)):
                sel = (lines.width_class == w) & mask
                segments.append((lines.x0[sel], lines.y0[sel], lines.x1[sel], lines.y1[sel],
                                 width, colour))
        return lines.table, lines.bounds, segments

    def legend_block(self) -> LegendBlock | None:
        if self.drawn.empty:
            return None
        b = self._bounds
        entries = [LegendEntry(f"{style.format_value(b[i])} – {style.format_value(b[i + 1])}",
                               QColor(90, 90, 90), "line", WIDTHS_PX[i] * 4)
                   for i in range(len(b) - 1)][::-1]
        note = "" if self.session.selected_code else "60 largest; click a borough for its flows"
        if self.session.selected_code:
            entries += [LegendEntry("into selected", style.FLOW_IN_COLOUR, "line", 10),
                        LegendEntry("out of selected", style.FLOW_OUT_COLOUR, "line", 10)]
        return LegendBlock("Commuter flows (commuters/h)", tuple(entries), note)


class TubeTripsLayer(_LinesMixin, MapLayer):
    key = "tube_trips"
    title = "Tube trips between boroughs"
    description = ("TfL NUMBAT 2019 Underground trips between boroughs in the current time band "
                   "(per hour); the 80 largest, or those touching the selected borough")
    follows_time = True
    MAX_LINES = 80

    def __init__(self, session, boroughs: pd.DataFrame, **kw):
        super().__init__(session, **kw)
        self.points = mapdata.label_points(boroughs)
        self._cache: dict[tuple, pd.DataFrame] = {}
        self._segments: dict[tuple, tuple] = {}
        self._trips: mapdata.TubeTrips | None = None
        self.drawn = pd.DataFrame()
        self._bounds: list = []

    def _segment_key(self, day_type: DayType, hour: int, code: str) -> tuple:
        return (day_type, hour, code)

    def _compute_segments(self, day_type: DayType, hour: int,
                          code: str) -> tuple[pd.DataFrame, list, list]:
        s = self.session
        key = (day_type, hour)
        if key not in self._cache:
            if self._trips is None:
                self._trips = mapdata.TubeTrips(s.pack)
            self._cache[key] = self._trips.at(day_type, hour)
        lines = mapdata.lines_to_draw(self._cache[key], self.points, selected=code or None,
                                      max_lines=self.MAX_LINES, n_widths=len(WIDTHS_PX))
        segments = [(lines.x0[lines.width_class == w], lines.y0[lines.width_class == w],
                     lines.x1[lines.width_class == w], lines.y1[lines.width_class == w],
                     width, style.TUBE_TRIPS_COLOUR) for w, width in enumerate(WIDTHS_PX)]
        return lines.table, lines.bounds, segments

    def legend_block(self) -> LegendBlock | None:
        if self.drawn.empty:
            return None
        b = self._bounds
        entries = [LegendEntry(f"{style.format_value(b[i])} – {style.format_value(b[i + 1])}",
                               style.TUBE_TRIPS_COLOUR, "line", WIDTHS_PX[i] * 4)
                   for i in range(len(b) - 1)][::-1]
        return LegendBlock("Tube trips between boroughs (/h)", tuple(entries))


class StationsLayer(MapLayer):
    key = "stations"
    title = "Tube stations (entries + exits)"
    description = "TfL Annual Station Counts 2019: entries plus exits in the current hour"
    follows_time = True
    MAX_SIZE_PX = 18.0

    def __init__(self, session, **kw):
        super().__init__(session, **kw)
        self.scatter = pg.ScatterPlotItem(pen=pg.mkPen(255, 255, 255, 180, width=0.6),
                                          brush=pg.mkBrush(style.STATION_COLOUR), hoverable=True,
                                          tip=self._tip)
        self.scatter.setParentItem(self.root)
        self.counts: mapdata.StationCounts | None = None
        self.current: mapdata.StationHour | None = None
        self.scale_max = 1.0
        self._cache: dict[tuple, tuple] = {}

    def _tip(self, x, y, data) -> str:
        return str(data)

    def build(self) -> None:
        pack = self.session.pack
        if not (pack.has("stations") and pack.has("station_counts_qhr")):
            self.set_enabled(False, "The data pack has no TfL station tables")
            return
        self.counts = mapdata.StationCounts(pack)
        # One size scale for the whole day, so sizes compare across hours.
        self.scale_max = max(self.counts.busiest_hour_total(), 1.0)
        self.refresh()

    def size_px(self, totals: np.ndarray) -> np.ndarray:
        # Area proportional to people (sqrt), with a 3 px floor so quiet stations still show.
        size = 3.0 + (self.MAX_SIZE_PX - 3.0) * np.sqrt(np.asarray(totals) / self.scale_max)
        return np.round(size * 2) / 2   # half-pixel steps keep pyqtgraph's symbol atlas small

    def refresh(self) -> None:
        if self.counts is None or not self.shown:
            return
        self.current, arrays = self._hour_arrays(self.session.day_type, self.session.hour)
        self.scatter.setData(**arrays)
        self.sig_changed.emit()

    def prefetch(self, day_type: DayType, hour: int) -> None:
        if self.counts is not None and self.shown:
            self._hour_arrays(day_type, hour)

    def _hour_arrays(self, day_type: DayType, hour_of_day: int) -> tuple:
        key = (day_type, hour_of_day)
        if key not in self._cache:   # per hour: dragging back over an hour only swaps arrays
            hour = self.counts.at(*key)
            order = np.argsort(-hour.total_per_hour)  # big ones underneath
            tips = [f"{n}\nentries {e:,.0f}/h, exits {x:,.0f}/h" for n, e, x in
                    zip(hour.name[order], hour.entries_per_hour[order], hour.exits_per_hour[order])]
            self._cache[key] = (hour, dict(x=hour.easting_m[order], y=hour.northing_m[order],
                                           size=self.size_px(hour.total_per_hour[order]),
                                           data=tips))
        return self._cache[key]

    def legend_block(self) -> LegendBlock | None:
        if self.current is None:
            return None
        sizes = [1000.0, 10000.0, 30000.0]
        entries = tuple(LegendEntry(f"{style.format_value(v)} /h", style.STATION_COLOUR, "circle",
                                    float(self.size_px(np.array([v]))[0])) for v in sizes)
        return LegendBlock("Tube station entries + exits", entries)


# ------------------------------------------------------------------------------------------
DENSITY_CELL_M = 250.0
POINTS_MAX_VIEW_M = 6000.0     # show raw points when the view is narrower than this
POINTS_MAX_COUNT = 60000       # ... and holds fewer points than this (SETUP-NOTES: 1M ≈ 0.18 s/paint)


@functools.cache
def _density_lut() -> np.ndarray:
    colours = [QColor(c) for c in style.YLORRD_9[2:]]
    lut = np.zeros((256, 4), dtype=np.ubyte)
    positions = np.linspace(0, 255, len(colours))
    for channel, getter in enumerate((QColor.red, QColor.green, QColor.blue)):
        lut[:, channel] = np.interp(np.arange(256), positions, [getter(c) for c in colours])
    lut[:, 3] = np.clip(np.linspace(60, 255, 256), 0, 255)
    lut[0, 3] = 0  # empty cells transparent
    lut.flags.writeable = False   # cached and shared by every layer and legend
    return lut


class IncidentsLayer(MapLayer):
    """A density raster when zoomed out; individual incidents (or lattice cells) in view
    when zoomed in, because painting a year of points is too slow to stay interactive."""

    key = "incidents"
    title = "Incidents"
    description = ("Imported incidents, else police.uk burglary 2019-2024 on the 100 m lattice: "
                   "density when zoomed out, points when zoomed in")

    def __init__(self, session, bounds: tuple[float, float, float, float], **kw):
        super().__init__(session, **kw)
        self.bounds = bounds
        self.image = pg.ImageItem(axisOrder="col-major")
        self.image.setLookupTable(_density_lut())
        self.image.setCacheMode(STATIC_CACHE)
        self.image.setParentItem(self.root)
        self.scatter = pg.ScatterPlotItem(pen=None, brush=pg.mkBrush(160, 0, 30, 170), size=4)
        # The points only change when the view does, yet every hour step repaints the map:
        # keep them as a pixmap (the item spans only the points in view, so it stays small).
        self.scatter.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.scatter.setParentItem(self.root)
        self.scatter.setVisible(False)
        self.east = np.zeros(0)
        self.north = np.zeros(0)
        self.weight: np.ndarray | None = None
        self.source = ""
        self.mode = "density"
        self.points_in_view = 0
        self.max_density = 0.0

    def build(self) -> None:
        self.load_source()

    def load_source(self) -> None:
        s = self.session
        frame = getattr(s.incidents, "frame", None)
        if frame is not None and len(frame):
            self.east = frame["easting_m"].to_numpy(float)
            self.north = frame["northing_m"].to_numpy(float)
            self.weight = None
            self.source = "imported incidents"
        elif s.pack.has("burglary_lattice"):
            self.east, self.north, self.weight = mapdata.lattice_cell_centres(s.pack)
            self.source = "burglary 2019-2024 (police.uk)"
        else:
            self.east = self.north = np.zeros(0)
            self.set_enabled(False, "No incidents: import a file (File > Import) or ship the "
                                    "burglary lattice in the data pack")
            return
        self.set_enabled(True)
        grid, origin = mapdata.density_grid(self.east, self.north, self.weight, bounds=self.bounds,
                                            cell_m=DENSITY_CELL_M)
        shown = np.log1p(grid)  # incidents are heavy-tailed: log keeps the suburbs visible
        self.max_density = float(grid.max())
        self.image.setImage(shown, levels=(0, max(float(shown.max()), 1e-9)), autoLevels=False)
        self.image.setRect(QRectF(origin[0], origin[1], grid.shape[0] * DENSITY_CELL_M,
                                  grid.shape[1] * DENSITY_CELL_M))
        if self.canvas is not None:
            self.update_view(self.canvas.view.viewRect())
        self.sig_changed.emit()

    def update_view(self, rect: QRectF) -> None:
        if not self.shown or len(self.east) == 0:
            return
        narrow = rect.width() <= POINTS_MAX_VIEW_M
        inside = None
        if narrow:
            inside = ((self.east >= rect.left()) & (self.east <= rect.right())
                      & (self.north >= rect.top()) & (self.north <= rect.bottom()))
            narrow = int(inside.sum()) <= POINTS_MAX_COUNT
        if narrow:
            self.points_in_view = int(inside.sum())
            if self.weight is None:
                self.scatter.setData(x=self.east[inside], y=self.north[inside], pxMode=True, size=4,
                                     symbol="o")
            else:  # lattice: 100 m squares shaded by count
                w = self.weight[inside]
                level = np.log1p(w) / np.log1p(max(float(self.weight.max()), 1.0))
                lut = _density_lut()
                idx = np.clip((level * 255).astype(int), 1, 255)
                brushes = [pg.mkBrush(*lut[i]) for i in idx]
                self.scatter.setData(x=self.east[inside], y=self.north[inside], pxMode=False,
                                     size=100.0, symbol="s", brush=brushes, pen=None)
            self.mode = "points"
        else:
            self.points_in_view = 0
            self.scatter.clear()
            self.mode = "density"
        self.scatter.setVisible(self.mode == "points")
        self.image.setVisible(self.mode == "density")

    def legend_block(self) -> LegendBlock | None:
        if len(self.east) == 0:
            return None
        lut = _density_lut()
        top = self.max_density
        entries = tuple(LegendEntry(label, QColor(*lut[i][:3]))
                        for label, i in ((f"{style.format_value(top)} per cell (max)", 255),
                                         ("", 128),
                                         ("1 per cell", 1)) if label)
        return LegendBlock(f"Incidents: {self.source}", entries,
                           f"density per {DENSITY_CELL_M:.0f} m cell (log scale)"
                           if self.mode == "density" else "points in view")


# ------------------------------------------------------------------------------------------
@functools.cache
def _diverging_lut() -> np.ndarray:
    """Blue (cold) - transparent - magenta (hot) for Gi* z-scores scaled to 0..255 (128 = 0).
    Magenta, not red, so hotspots stay distinct from the KDE heat drawn under them."""
    cold, hot = QColor(style.RDBU_9[8]), QColor(style.HOTSPOT_COLOUR)
    lut = np.zeros((256, 4), dtype=np.ubyte)
    for i in range(256):
        colour = hot if i > 128 else cold
        strength = abs(i - 128) / 127.0
        lut[i] = (colour.red(), colour.green(), colour.blue(), min(255, int(60 + 160 * strength)))
    lut[128, 3] = 0
    lut.flags.writeable = False   # cached and shared
    return lut


class HotspotLayer(MapLayer):
    """Getis-Ord Gi* cells significant after Benjamini-Hochberg FDR (red hot, blue cold) and
    the merged hotspot polygons outlined and ranked by harm (from workstation.maps.gistar)."""

    key = "hotspots"
    title = "Gi* hotspots"
    description = "Getis-Ord Gi* cells significant after FDR (red hot, blue cold); hotspots ranked by harm"
    Z_CLIP = 8.0   # z beyond this all draw at full strength

    def __init__(self, session, **kw):
        super().__init__(session, **kw)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(_diverging_lut())
        self.image.setCacheMode(STATIC_CACHE)
        self.image.setParentItem(self.root)
        self.outline = QGraphicsPathItem()
        # 1 px: Qt strokes cosmetic pens wider than one pixel through its general stroker,
        # measured at ~35 ms per repaint for the 200 shipped hotspots against ~3 ms at 1 px.
        self.outline.setPen(cosmetic_pen(QColor(73, 0, 106), 1.0))
        # Static between results: drawn once per view into a pixmap, not on every hour step
        # (2,246 patrol places at 1 px cost ~10 ms a repaint uncached).
        self.outline.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.outline.setParentItem(self.root)
        self.top_fill = QGraphicsPathItem()    # the labelled top places, filled
        self.top_fill.setPen(QPen(Qt.PenStyle.NoPen))
        self.top_fill.setBrush(QBrush(QColor(174, 1, 126, 110)))
        self.top_fill.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.top_fill.setParentItem(self.root)
        self.selected_outline = QGraphicsPathItem()
        self.selected_outline.setPen(cosmetic_pen(QColor("#00b4ff"), 3.0))
        self.selected_outline.setParentItem(self.root)
        self.selected_outline.setZValue(5)
        self.selected_id: int | None = None
        self.labels = LabelPool(self.root, style.ui_font(8.0, bold=True), QColor(73, 0, 106),
                                z=70)
        self.result = None
        self._drawn = False
        self._geoms = None

    def build(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        result = self.session.hotspots
        if self._drawn and result is self.result:
            return
        self.result, self._drawn = result, True
        self.labels.clear()
        self.set_selected(None)
        if result is None or not hasattr(result, "grid"):
            self.image.clear()
            self.outline.setPath(QPainterPath())
            self.top_fill.setPath(QPainterPath())
            self._geoms = None
            self.set_enabled(False, "Hotspots are computed after start-up, or after importing incidents")
            return
        grid = result.grid
        z = np.where(result.hot | result.cold, np.nan_to_num(result.z_score), 0.0)
        scaled = 128 + np.clip(z / self.Z_CLIP, -1, 1) * 127
        self.image.setImage(scaled, levels=(0, 255), autoLevels=False)
        n_rows, n_cols = grid.shape
        self.image.setRect(QRectF(grid.x0_m, grid.y0_m, n_cols * grid.cell_m, n_rows * grid.cell_m))
        frame = result.hotspots
        self.outline.setPath(lines_path(shapely.boundary(frame.geometry.values)))
        top = frame["hotspot_id"].to_numpy(int) <= self.MAX_LABELS
        self.top_fill.setPath(polygons_path(frame.geometry.values[top]))
        self._geoms = frame.geometry.values
        shapely.prepare(self._geoms)
        points = shapely.point_on_surface(self._geoms)
        self._label_x, self._label_y = shapely.get_x(points), shapely.get_y(points)
        ranks = frame["hotspot_id"].to_numpy(int)
        names = (frame["name"].fillna("").astype(str).to_numpy() if "name" in frame.columns
                 else np.full(len(frame), ""))
        self._label_text = np.array([f"#{r} {n}".strip() for r, n in zip(ranks, names)],
                                    dtype=object)
        self._label_rank_only = np.array([f"#{r}" for r in ranks], dtype=object)
        self._label_rank = ranks
        self.set_enabled(True)
        if self.canvas is not None:
            self.canvas.place_labels()

    label_rank = 0       # hotspot names are placed before any other name
    MAX_LABELS = 20
    NAMES_MAX_M_PER_PX = 9.0

    def place_labels(self, space, rect: QRectF, metres_per_px: float) -> None:
        """Rank (and name) labels for the top hotspots in view, never cut by the map edge
        nor covering each other: a "#1" half hidden misleads."""
        if self._geoms is None or not self.shown:
            self.labels.clear()
            return
        from workstation.maps.labels import to_screen
        r = rect.normalized()
        inside = ((self._label_x >= r.left()) & (self._label_x <= r.right())
                  & (self._label_y >= r.top()) & (self._label_y <= r.bottom())
                  & (self._label_rank <= self.MAX_LABELS))
        # Names close up; across London "#1" is what fits (and what the table lists).
        texts = (self._label_text if metres_per_px <= self.NAMES_MAX_M_PER_PX
                 else self._label_rank_only)[inside]
        widths, height = text_size_px(self.labels.font, texts)
        x, y = to_screen(self._label_x[inside], self._label_y[inside], metres_per_px)
        placed = space.place(x, y, widths, height, priority=-self._label_rank[inside])
        self.labels.show(texts[placed], self._label_x[inside][placed],
                         self._label_y[inside][placed])

    def set_visible(self, visible: bool) -> None:
        super().set_visible(visible)
        if self.canvas is not None:
            self.canvas.place_labels()

    # Close up, the Gi* cells (the significance test) fade so the patrol places stand out.
    CELLS_FADE_BELOW_M_PER_PX = 9.0

    def update_view(self, rect: QRectF) -> None:
        if self.canvas is not None:
            close = 0 < self.canvas.metres_per_pixel() <= self.CELLS_FADE_BELOW_M_PER_PX
            self.image.setOpacity(0.35 if close else 1.0)

    def set_selected(self, hotspot_id: int | None) -> None:
        """Outline one hotspot (chosen in the hotspot table), None to clear."""
        self.selected_id = hotspot_id
        path = QPainterPath()
        if hotspot_id is not None and self.result is not None:
            frame = self.result.hotspots
            match = frame[frame["hotspot_id"] == hotspot_id]
            if len(match):
                path = polygon_path(match.geometry.iloc[0])
        self.selected_outline.setPath(path)

    def hotspot_at(self, easting_m: float, northing_m: float) -> dict | None:
        """The hotspot row (as a dict) under a point, or None."""
        if self._geoms is None or not self.shown:
            return None
        hits = np.flatnonzero(shapely.contains_xy(self._geoms, easting_m, northing_m))
        if not len(hits):
            return None
        row = self.result.hotspots.iloc[hits[0]]
        return {k: row[k] for k in row.index if k != "geometry"}

    def legend_block(self) -> LegendBlock | None:
        if self.result is None:
            return None
        lut = _diverging_lut()
        n = len(self.result.hotspots)
        return LegendBlock(f"Gi* hotspots (FDR {self.result.fdr_alpha:g})", (
            LegendEntry(f"hot (z ≥ {self.Z_CLIP:g})", QColor(*lut[255][:3])),
            LegendEntry("hot", QColor(*lut[190])),
            LegendEntry("cold", QColor(*lut[66])),
            LegendEntry(f"{n} hotspots (outlined, #1 = most harm)", QColor(255, 255, 255))),
            "patrol-sized places (≤ 0.2 km²), ranked by forecast harm"
            if "forecast_harm_per_month" in self.result.hotspots.columns else "")


class KdeLayer(MapLayer):
    key = "kde"
    title = "KDE heat"
    description = "Kernel density of incidents (incidents per km2 per month), workstation.maps.kde"

    def __init__(self, session, **kw):
        super().__init__(session, **kw)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(_density_lut())
        self.image.setCacheMode(STATIC_CACHE)
        self.image.setParentItem(self.root)
        self.result = None
        self.top = 0.0
        self.set_enabled(False, "The KDE surface is computed after start-up")

    def set_result(self, kde) -> None:
        """A workstation.maps.kde.KdeResult (None to clear)."""
        self.result = kde
        if kde is None:
            self.image.clear()
            self.set_enabled(False, "No incidents to smooth")
            return
        density = np.nan_to_num(np.asarray(kde.incidents_per_km2_per_month, dtype=float))
        # Top of the scale at the 99.5th percentile of cells with any density: a handful of
        # extreme cells would otherwise wash the rest of London out.
        positive = density[density > 0]
        self.top = float(np.quantile(positive, 0.995)) if len(positive) else 1.0
        self.image.setImage(density, levels=(0, self.top), autoLevels=False)
        grid = kde.grid
        n_rows, n_cols = grid.shape
        self.image.setRect(QRectF(grid.x0_m, grid.y0_m, n_cols * grid.cell_m, n_rows * grid.cell_m))
        self.set_enabled(True)

    def legend_block(self) -> LegendBlock | None:
        if self.result is None:
            return None
        lut = _density_lut()
        return LegendBlock("KDE heat (incidents/km² per month)", (
            LegendEntry(f"≥ {style.format_value(self.top)}", QColor(*lut[255][:3])),
            LegendEntry(f"{style.format_value(self.top / 2)}", QColor(*lut[128][:3])),
            LegendEntry("low", QColor(*lut[20][:3]))),
            f"{self.result.bandwidth_m:.0f} m {self.result.kernel} kernel")
