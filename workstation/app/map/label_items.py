"""Map labels drawn in screen pixels at map points (names of stations, streets, parks,
hotspots): a white halo for legibility over any layer, cached as a pixmap so the many
repaints of an hour step only blit them. Which labels show is decided by
``workstation.maps.labels`` (Qt-free)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker
from PySide6.QtWidgets import QGraphicsItem


class MapLabel(QGraphicsItem):
    """A name in screen pixels at a map point: white halo, cached as a pixmap so an hour
    step's repaint only blits it, and not scaled or flipped by the map's y-up transform."""

    def __init__(self, font: QFont, colour: QColor, *, halo: float = 3.0):
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._font, self._colour, self._halo = font, colour, halo
        self._text = ""
        self._path = QPainterPath()
        self._rect = QRectF()

    def set_text(self, text: str) -> None:
        if text == self._text:
            return
        self.prepareGeometryChange()
        self._text = text
        path = QPainterPath()
        metrics = QFontMetricsF(self._font)
        width = metrics.horizontalAdvance(text)
        path.addText(QPointF(-width / 2, metrics.ascent() / 2 - 1), self._font, text)
        self._path = path
        self._rect = path.boundingRect().adjusted(-self._halo, -self._halo,
                                                  self._halo, self._halo)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._halo:
            stroker = QPainterPathStroker()
            stroker.setWidth(self._halo)
            stroker.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.fillPath(stroker.createStroke(self._path), QColor(255, 255, 255, 230))
        painter.fillPath(self._path, self._colour)


def text_size_px(font: QFont, texts) -> tuple[np.ndarray, float]:
    metrics = QFontMetricsF(font)
    widths = np.array([metrics.horizontalAdvance(t) for t in texts], dtype=float)
    return widths, float(metrics.height())


class LabelPool:
    """Reuses label items across view changes (creating items per pan was the cost)."""

    def __init__(self, parent: QGraphicsItem, font: QFont, colour: QColor, z: float = 50):
        self.parent, self.font, self.colour, self.z = parent, font, colour, z
        self.items: list[MapLabel] = []

    def show(self, texts, xs, ys) -> None:
        texts = list(texts)
        while len(self.items) < len(texts):
            item = MapLabel(self.font, self.colour)
            item.setParentItem(self.parent)
            item.setZValue(self.z)
            self.items.append(item)
        for item, text, x, y in zip(self.items, texts, xs, ys):
            item.set_text(str(text))
            item.setPos(float(x), float(y))
            item.setVisible(True)
        for item in self.items[len(texts):]:
            item.setVisible(False)

    def shown_texts(self) -> list[str]:
        return [item._text for item in self.items if item.isVisible()]

    def clear(self) -> None:
        self.show([], [], [])


