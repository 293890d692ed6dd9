"""The map: a pyqtgraph view in British National Grid metres (EPSG:27700), aspect-locked so
a metre is the same length both ways, with scale bar, north arrow and legend overlays.

Layers are added in drawing order; the canvas only routes time, view and selection events
to them and answers "which borough is at this point" for clicks and the status bar.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyqtgraph as pg
import shapely
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QTimer, Signal

from workstation.app import style
from workstation.app.map.layers import MapLayer
from workstation.app.map.legend import Attribution, MapLegend
from workstation.app.map.scalebar import NorthArrow, ScaleBar
from workstation.maps.labels import LabelSpace

# Margin around London when fitting the view (metres).
FIT_MARGIN_M = 1500.0
# Coalesce view-range changes while panning/zooming before layers recompute (ms).
VIEW_THROTTLE_MS = 60
# The time bar must rest this long before other hours are prefetched (a drag keeps moving).
PREFETCH_IDLE_MS = 150
# Extra room kept beside the legend at Home (pixels), so small changes do not refit the map.
LEGEND_SLACK_PX = 24.0
# Static layers (water, parks, roads, Tube lines, hotspot outlines, labels) are drawn from
# device-coordinate pixmaps so an hour step only blits them. Qt keeps those in QPixmapCache,
# 10 MB by default: less than two full-map pixmaps at 1600 x 1000, so every step evicted and
# re-stroked them (measured ~45 ms of a 70 ms close-up hour step). 256 MB holds a dozen
# layers on a 4K map.
PIXMAP_CACHE_KB = 256 * 1024


class MapCanvas(pg.PlotWidget):
    sig_mouse_moved = Signal(float, float)   # easting_m, northing_m under the cursor
    sig_clicked = Signal(float, float)       # left click, metres
    sig_view_changed = Signal(QRectF)        # throttled visible rectangle, metres
    sig_layers_changed = Signal()            # a layer was added or removed

    def __init__(self, parent=None):
        super().__init__(parent=parent, background=style.MAP_BACKGROUND)
        from PySide6.QtGui import QPixmapCache
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), PIXMAP_CACHE_KB))
        self.setObjectName("MapCanvas")
        plot = self.getPlotItem()
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        plot.hideButtons()
        plot.setMenuEnabled(False)
        self.view: pg.ViewBox = plot.getViewBox()
        self.view.setAspectLocked(True, ratio=1.0)
        self.view.setDefaultPadding(0.0)
        self.view.setMouseEnabled(True, True)
        self.setAntialiasing(True)
        self.setToolTip("")
        self.layers: list[MapLayer] = []
        self.boroughs: pd.DataFrame | None = None
        self._geoms = None
        self.scale_bar = ScaleBar(self.view)
        self.north_arrow = NorthArrow(self.view)
        self.legend = MapLegend(self.view)
        self.legend.sig_moved.connect(self.place_labels)
        self.attribution = Attribution(self.view)
        self._legend_timer = QTimer(self, singleShot=True, interval=0)
        self._legend_timer.timeout.connect(self.rebuild_legend)
        self._view_timer = QTimer(self, singleShot=True, interval=VIEW_THROTTLE_MS)
        self._view_timer.timeout.connect(self._emit_view_changed)
        self.view.sigRangeChanged.connect(lambda *a: self._view_timer.start())
        # Once the time bar rests, warm the other hours' caches one hour per event-loop turn
        # (nearest first), so a first visit to an hour costs what a return visit does.
        self._prefetch_timer = QTimer(self, singleShot=True)
        self._prefetch_timer.timeout.connect(self._prefetch_next)
        self._prefetch_queue: list[tuple] = []
        # "Home" (whole of London, left of the legend) is kept while the view is still the
        # fitted one: the legend grows as layers fill in, and the window is resized, after
        # the first fit. Any other zoom or pan (user or code) leaves home.
        self._home_rect: QRectF | None = None
        self._home_legend_px = 0.0
        self._legend_size: tuple = ()
        self.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)
        self.scene().sigMouseClicked.connect(self._on_scene_mouse_clicked)

    # --- geography ----------------------------------------------------------------------------
    def set_boroughs(self, boroughs: pd.DataFrame) -> None:
        self.boroughs = boroughs
        self._geoms = boroughs.geometry.values
        shapely.prepare(self._geoms)
        self.fit_london()

    def london_bounds(self) -> tuple[float, float, float, float]:
        minx, miny, maxx, maxy = shapely.total_bounds(self._geoms)
        return float(minx), float(miny), float(maxx), float(maxy)

    def fit_london(self) -> None:
        """All 33 boroughs in view, left of the legend (which sits bottom right) so the legend
        does not cover the eastern boroughs."""
        if self._geoms is None:
            return
        minx, miny, maxx, maxy = self.london_bounds()
        width_m = maxx - minx + 2 * FIT_MARGIN_M
        height_m = maxy - miny + 2 * FIT_MARGIN_M
        rect = QRectF(minx - FIT_MARGIN_M, miny - FIT_MARGIN_M, width_m, height_m)
        view_w_px, view_h_px = float(self.view.width()), float(self.view.height())
        # Room for the legend plus some slack: its width changes a little with each hour's
        # class labels, and the map must not shift while the time bar plays.
        legend_px = self._legend_px()
        if 0 < legend_px and legend_px + LEGEND_SLACK_PX < 0.4 * view_w_px:
            legend_px += LEGEND_SLACK_PX
        if view_w_px > 0 and view_h_px > 0 and 0 < legend_px < 0.4 * view_w_px:
            free_w_px = view_w_px - legend_px
            metres_per_px = max(width_m / free_w_px, height_m / view_h_px)
            left_m = rect.left() - (free_w_px * metres_per_px - width_m) / 2
            bottom_m = rect.center().y() - view_h_px * metres_per_px / 2
            rect = QRectF(left_m, bottom_m, view_w_px * metres_per_px, view_h_px * metres_per_px)
        self.view.setRange(rect, padding=0.0)
        self._home_rect = self.view.viewRect()
        self._home_legend_px = legend_px

    def at_home(self) -> bool:
        """Is the view still the one ``fit_london`` set?"""
        home = self.__dict__.get("_home_rect")    # resizeEvent runs during PlotWidget init
        if home is None:
            return False
        rect = self.view.viewRect()
        tolerance = 0.01 * max(home.width(), 1.0)
        return (abs(rect.left() - home.left()) < tolerance
                and abs(rect.top() - home.top()) < tolerance
                and abs(rect.width() - home.width()) < tolerance
                and abs(rect.height() - home.height()) < tolerance)

    def _legend_px(self) -> float:
        """Width the legend takes from the right of the map, with its margin."""
        if not self.legend.isVisible() or self.legend.moved:   # dragged away: no room kept
            return 0.0
        return self.legend.width() + 16

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        was_home = self.at_home()
        super().resizeEvent(event)
        if was_home:
            QTimer.singleShot(0, self.fit_london)

    def legend_rect_m(self) -> QRectF | None:
        """The legend's area in map metres (labels are not placed under it)."""
        if not self.legend.isVisible():
            return None
        return self.view.mapSceneToView(self.legend.sceneBoundingRect()).boundingRect()

    def zoom_to(self, code: str, margin_m: float = 1000.0) -> None:
        if self.boroughs is None:
            return
        match = np.flatnonzero(self.boroughs["gss_code"].to_numpy() == code)
        if len(match):
            minx, miny, maxx, maxy = self._geoms[match[0]].bounds
            self.view.setRange(QRectF(minx - margin_m, miny - margin_m, maxx - minx + 2 * margin_m,
                                      maxy - miny + 2 * margin_m), padding=0.0)

    def borough_at(self, easting_m: float, northing_m: float) -> str:
        """GSS code of the borough containing the point, "" outside London."""
        if self._geoms is None:
            return ""
        hits = np.flatnonzero(shapely.contains_xy(self._geoms, easting_m, northing_m))
        return str(self.boroughs["gss_code"].iloc[hits[0]]) if len(hits) else ""

    def borough_name(self, code: str) -> str:
        if self.boroughs is None or not code:
            return ""
        row = self.boroughs.loc[self.boroughs["gss_code"] == code, "name"]
        return str(row.iloc[0]) if len(row) else ""

    # --- coordinates ----------------------------------------------------------------------------
    def map_to_widget(self, easting_m: float, northing_m: float) -> QPoint:
        """Widget pixel of a map point (used by tests to click on a borough)."""
        scene = self.view.mapViewToScene(QPointF(easting_m, northing_m))
        return self.mapFromScene(scene)

    def metres_per_pixel(self) -> float:
        size = self.view.viewPixelSize()
        return float(size[0]) if size is not None else 0.0

    # --- layers ----------------------------------------------------------------------------------
    def add_layer(self, layer: MapLayer, *, above: str | None = None) -> MapLayer:
        """Add on top, or just above the layer keyed ``above`` in the drawing order."""
        anchor = self.layer(above) if above else None
        if anchor is not None:
            self.layers.insert(self.layers.index(anchor) + 1, layer)
        else:
            self.layers.append(layer)
        layer.attach(self)
        layer.sig_changed.connect(self.update_legend)
        self.restack()
        self.update_legend()
        self.sig_layers_changed.emit()
        return layer

    def remove_layer(self, key: str) -> None:
        layer = self.layer(key)
        if layer is None:
            return
        self.layers.remove(layer)
        layer.sig_changed.disconnect(self.update_legend)
        self.view.removeItem(layer.root)
        self.restack()
        self.update_legend()
        self.place_labels()
        self.sig_layers_changed.emit()

    def place_labels(self) -> None:
        """Choose every layer's names for this view in one shared screen space (highest
        ``label_rank`` priority first), clear of the legend, the attribution and the
        borough names already placed, so names never collide across layers."""
        metres_per_px = self.metres_per_pixel()
        if metres_per_px <= 0:
            return
        rect = self.view.viewRect()
        overlays = (self.attribution, self.scale_bar, self.north_arrow)
        blocked = [self._px_box(r) for r in (self.legend_rect_m(),
                                             *map(self._overlay_rect_m, overlays))
                   if r is not None]
        basemap = self.layer("basemap")
        blocked += list(getattr(basemap, "placed_px", []))
        space = LabelSpace(self._px_box(rect), blocked)
        ranked = [layer for layer in self.layers if getattr(layer, "label_rank", None) is not None]
        for layer in sorted(ranked, key=lambda layer: layer.label_rank):
            layer.place_labels(space, rect, metres_per_px)
        self.label_space = space

    def _px_box(self, r: QRectF) -> tuple[float, float, float, float]:
        """Metres (y up) -> the label space's pixels (y down)."""
        mpp = self.metres_per_pixel()
        r = r.normalized()
        return (r.left() / mpp, -r.bottom() / mpp, r.right() / mpp, -r.top() / mpp)

    def _overlay_rect_m(self, overlay) -> QRectF | None:
        if not overlay.isVisible():
            return None
        return self.view.mapSceneToView(overlay.sceneBoundingRect()).boundingRect()

    def update_attribution(self) -> None:
        """The sources of the layers on show, bottom left of the map (and so in every
        grab of it: PNG export, the report's map image)."""
        texts: list[str] = []
        for layer in self.layers:
            text = getattr(layer, "attribution", "")
            if layer.shown and text and text not in texts:
                texts.append(text)
        self.attribution.set_text(" · ".join(texts))

    def layer(self, key: str) -> MapLayer | None:
        return next((layer for layer in self.layers if layer.key == key), None)

    def move_layer(self, key: str, steps: int) -> None:
        """Move a layer up (+) or down (-) the drawing order."""
        layer = self.layer(key)
        if layer is None:
            return
        i = self.layers.index(layer)
        j = int(np.clip(i + steps, 0, len(self.layers) - 1))
        self.layers.insert(j, self.layers.pop(i))
        self.restack()
        self.update_legend()

    def set_order(self, keys: list[str]) -> None:
        by_key = {layer.key: layer for layer in self.layers}
        ordered = [by_key[k] for k in keys if k in by_key]
        self.layers = ordered + [layer for layer in self.layers if layer not in ordered]
        self.restack()

    def restack(self) -> None:
        for z, layer in enumerate(self.layers):
            layer.set_z(z)

    def update_legend(self) -> None:
        """Coalesced: several layers change per hour step, the legend is rebuilt once."""
        self._legend_timer.start()

    def rebuild_legend(self) -> None:
        blocks = [layer.legend_block() for layer in reversed(self.layers) if layer.shown]
        self.legend.set_blocks([b for b in blocks if b is not None])
        self.update_attribution()
        size = (round(self.legend.width()), round(self.legend.height()), self.legend.isVisible())
        if size != self._legend_size:
            self._legend_size = size
            if self.at_home() and self._legend_px() > self._home_legend_px:
                self.fit_london()             # the legend grew past the room kept for it
            rect = self.view.viewRect()   # names avoid the legend's new area (cheap layers)
            for layer in self.layers:
                if layer.avoids_legend:
                    layer.update_view(rect)
            self.place_labels()

    def update_time(self, day_type, hour: int) -> None:
        for layer in self.layers:
            layer.update_time(day_type, hour)
        # The legend now, not on the coalescing timer: that would fire after the scene's
        # first repaint and pay a second full repaint per hour step.
        self._legend_timer.stop()
        self.rebuild_legend()
        self.schedule_prefetch(day_type, hour)

    def schedule_prefetch(self, day_type, hour: int) -> None:
        """Queue the other 23 hours of ``day_type`` (nearest first) for idle prefetching;
        called again on every time or selection change, which restarts the queue."""
        steps = [k for d in range(1, 13) for k in (d, -d)][:23]
        self._prefetch_queue = [(day_type, (hour + k) % 24) for k in steps]
        self._prefetch_timer.start(PREFETCH_IDLE_MS)

    def prefetch_pending(self) -> int:
        return len(self._prefetch_queue)

    def _prefetch_next(self) -> None:
        if not self._prefetch_queue:
            return
        day_type, hour = self._prefetch_queue.pop(0)
        for layer in self.layers:
            if layer.follows_time:
                layer.prefetch(day_type, hour)
        if self._prefetch_queue:
            self._prefetch_timer.start(0)   # input events are handled between hours

    # --- events ---------------------------------------------------------------------------------
    def _emit_view_changed(self) -> None:
        rect = self.view.viewRect()
        for layer in self.layers:
            layer.update_view(rect)
        self.place_labels()
        self.update_legend()
        self.sig_view_changed.emit(rect)

    def _on_scene_mouse_moved(self, pos) -> None:
        if self.view.sceneBoundingRect().contains(pos):
            p = self.view.mapSceneToView(pos)
            self.sig_mouse_moved.emit(float(p.x()), float(p.y()))

    def _on_scene_mouse_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or event.double():
            return
        p = self.view.mapSceneToView(event.scenePos())
        self.sig_clicked.emit(float(p.x()), float(p.y()))
