"""Scale bar and north arrow drawn in screen pixels on top of the map view.

They are children of the ViewBox (not of its data group), so they stay put while the map
pans and zooms; the scale bar re-measures itself from the view's metres-per-pixel.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QPen

from workstation.app.style import ui_font

_NICE_STEPS = (1, 2, 2.5, 5)


def nice_length_m(metres_per_pixel: float, max_pixels: float) -> float:
    """Largest 1/2/2.5/5 x 10^n metres that fits in ``max_pixels``."""
    if metres_per_pixel <= 0 or not math.isfinite(metres_per_pixel):
        return 0.0
    limit = metres_per_pixel * max_pixels
    exponent = math.floor(math.log10(limit))
    best = 0.0
    for e in (exponent - 1, exponent):
        for step in _NICE_STEPS:
            value = step * 10 ** e
            if value <= limit:
                best = max(best, value)
    return best


def format_length(metres: float) -> str:
    if metres >= 1000:
        km = metres / 1000
        return f"{km:g} km"
    return f"{metres:g} m"


class _Overlay(pg.GraphicsWidgetAnchor, pg.GraphicsWidget):
    def __init__(self, width: float, height: float):
        pg.GraphicsWidget.__init__(self)
        pg.GraphicsWidgetAnchor.__init__(self)
        self.setFlag(self.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(1000)
        # Overlays change only on zoom or new content: blit a pixmap on hour steps.
        self.setCacheMode(self.CacheMode.DeviceCoordinateCache)
        self.resize(width, height)

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self.width(), self.height())


class ScaleBar(_Overlay):
    MAX_BAR_PX = 150.0

    def __init__(self, view: pg.ViewBox):
        super().__init__(self.MAX_BAR_PX + 30, 40)
        self._view = view
        self.length_m = 0.0
        self.bar_px = 0.0
        self.setParentItem(view)
        self.anchor(itemPos=(0, 1), parentPos=(0, 1), offset=(12, -12))
        view.sigRangeChanged.connect(self._on_view_range_changed)
        view.sigResized.connect(self._on_view_range_changed)
        self._on_view_range_changed()

    def _on_view_range_changed(self, *args) -> None:
        size = self._view.viewPixelSize()
        metres_per_px = float(size[0]) if size is not None else 0.0
        self.length_m = nice_length_m(metres_per_px, self.MAX_BAR_PX)
        self.bar_px = self.length_m / metres_per_px if metres_per_px else 0.0
        self.update()

    def paint(self, painter: QPainter, *args) -> None:
        if self.bar_px <= 0:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = ui_font(8)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        x0, y0, h = 10.0, self.height() - 14, 6.0
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 200))
        painter.drawRoundedRect(QRectF(2, 2, self.bar_px + 26, self.height() - 4), 4, 4)
        half = self.bar_px / 2
        painter.setPen(QPen(QColor(20, 20, 20), 1))
        painter.setBrush(QColor(20, 20, 20))
        painter.drawRect(QRectF(x0, y0, half, h))
        painter.setBrush(QColor(255, 255, 255))
        painter.drawRect(QRectF(x0 + half, y0, half, h))
        painter.setPen(QColor(20, 20, 20))
        text = format_length(self.length_m)
        baseline = y0 - 4
        painter.drawText(QPointF(x0 - metrics.horizontalAdvance("0") / 2, baseline), "0")
        painter.drawText(QPointF(x0 + self.bar_px - metrics.horizontalAdvance(text) / 2, baseline),
                         text)


class NorthArrow(_Overlay):
    """Grid north of the British National Grid; in London it is within about 1.5 degrees of
    true north (grid convergence, OS 'A guide to coordinate systems in Great Britain')."""

    def __init__(self, view: pg.ViewBox):
        super().__init__(30, 46)
        self.setParentItem(view)
        self.anchor(itemPos=(1, 0), parentPos=(1, 0), offset=(-12, 12))
        self.setToolTip("Grid north (British National Grid, EPSG:27700)")

    def paint(self, painter: QPainter, *args) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        w = self.width()
        path = QPainterPath()
        path.moveTo(w / 2, 18)
        path.lineTo(w / 2 + 9, 44)
        path.lineTo(w / 2, 38)
        path.lineTo(w / 2 - 9, 44)
        path.closeSubpath()
        painter.setPen(QPen(QColor(20, 20, 20), 1))
        painter.setBrush(QBrush(QColor(20, 20, 20)))
        painter.drawPath(path)
        font = ui_font(10, bold=True)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        painter.drawText(QPointF(w / 2 - metrics.horizontalAdvance("N") / 2, 14), "N")
