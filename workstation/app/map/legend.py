"""Map legend: one block per visible layer that has something to explain (class colours
with their bounds, symbol sizes), painted in screen pixels in a corner of the map."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen

from workstation.app.map.scalebar import _Overlay
from workstation.app.style import ui_font


@dataclass(frozen=True)
class LegendEntry:
    label: str
    colour: QColor
    kind: str = "box"       # "box", "line" or "circle"
    size_px: float = 12.0


@dataclass(frozen=True)
class LegendBlock:
    title: str
    entries: tuple[LegendEntry, ...] = field(default_factory=tuple)
    note: str = ""


class MapLegend(_Overlay):
    PAD = 8.0
    ROW = 17.0

    def __init__(self, view: pg.ViewBox):
        super().__init__(10, 10)
        self.blocks: list[LegendBlock] = []
        self.setParentItem(view)
        self.anchor(itemPos=(1, 1), parentPos=(1, 1), offset=(-12, -12))
        self._title_font = ui_font(9, bold=True)
        self._font = ui_font(8.5)

    def set_blocks(self, blocks: list[LegendBlock]) -> None:
        self.blocks = [b for b in blocks if b is not None]
        title_m, text_m = QFontMetricsF(self._title_font), QFontMetricsF(self._font)
        width, height = 0.0, 0.0
        for block in self.blocks:
            width = max(width, title_m.horizontalAdvance(block.title))
            height += self.ROW + 2
            for entry in block.entries:
                width = max(width, 26 + text_m.horizontalAdvance(entry.label))
                height += max(self.ROW, entry.size_px + 3)
            if block.note:
                width = max(width, text_m.horizontalAdvance(block.note))
                height += self.ROW
            height += 6
        self.setVisible(bool(self.blocks))
        self.resize(width + 2 * self.PAD, height + 2 * self.PAD - 6)
        self.prepareGeometryChange()
        self.update()

    def paint(self, painter: QPainter, *args) -> None:
        if not self.blocks:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(150, 150, 150), 1))
        painter.setBrush(QColor(255, 255, 255, 225))
        painter.drawRoundedRect(QRectF(0, 0, self.width(), self.height()), 5, 5)
        y = self.PAD
        text_m = QFontMetricsF(self._font)
        for block in self.blocks:
            painter.setFont(self._title_font)
            painter.setPen(QColor(20, 20, 20))
            painter.drawText(QPointF(self.PAD, y + 12), block.title)
            y += self.ROW + 2
            painter.setFont(self._font)
            for entry in block.entries:
                row = max(self.ROW, entry.size_px + 3)
                cy = y + row / 2
                x = self.PAD + 9
                if entry.kind == "line":
                    painter.setPen(QPen(entry.colour, max(1.0, entry.size_px / 4)))
                    painter.drawLine(QPointF(x - 9, cy), QPointF(x + 9, cy))
                elif entry.kind == "circle":
                    painter.setPen(QPen(QColor(255, 255, 255), 0.8))
                    painter.setBrush(entry.colour)
                    r = entry.size_px / 2
                    painter.drawEllipse(QPointF(x, cy), r, r)
                else:
                    painter.setPen(QPen(QColor(90, 90, 90), 0.8))
                    painter.setBrush(entry.colour)
                    painter.drawRect(QRectF(x - 9, cy - 6, 18, 12))
                painter.setPen(QColor(20, 20, 20))
                painter.drawText(QPointF(self.PAD + 26, cy + text_m.ascent() / 2 - 1), entry.label)
                y += row
            if block.note:
                painter.setPen(QColor(80, 80, 80))
                painter.drawText(QPointF(self.PAD, y + 12), block.note)
                y += self.ROW
            y += 6
