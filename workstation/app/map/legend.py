"""Map legend: one block per visible layer that has something to explain (class colours
with their bounds, symbol sizes), painted in screen pixels in a corner of the map.

The legend collapses to its title bar (click the title) and can be dragged anywhere on the
map, so it never has to cover a quarter of it; the attribution line sits bottom left."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
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
    HEADER = 18.0
    DEFAULT_OFFSET = (-12.0, -12.0)

    sig_moved = Signal()         # dragged or collapsed: labels re-place around it

    def __init__(self, view: pg.ViewBox):
        super().__init__(10, 10)
        self.blocks: list[LegendBlock] = []
        self._view = view
        self.setParentItem(view)
        self.offset = self.DEFAULT_OFFSET
        self.anchor(itemPos=(1, 1), parentPos=(1, 1), offset=self.offset)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setToolTip("Click the title to fold the legend; drag it to move it")
        self.collapsed = False
        self._laid_out: tuple | None = None   # (blocks, collapsed) last laid out
        self._title_font = ui_font(9, bold=True)
        self._font = ui_font(8.5)
        self._header_font = ui_font(8, bold=True)

    @property
    def moved(self) -> bool:
        return self.offset != self.DEFAULT_OFFSET

    def set_collapsed(self, collapsed: bool) -> None:
        self.collapsed = bool(collapsed)
        self.set_blocks(self.blocks)
        self.sig_moved.emit()

    def move_by(self, dx_px: float, dy_px: float) -> None:
        """Drag: keep the whole legend inside the map."""
        view_w, view_h = float(self._view.width()), float(self._view.height())
        x = min(0.0, max(self.offset[0] + dx_px, -(view_w - self.width())))
        y = min(0.0, max(self.offset[1] + dy_px, -(view_h - self.height())))
        self.offset = (x, y)
        self.anchor(itemPos=(1, 1), parentPos=(1, 1), offset=self.offset)

    def reset_position(self) -> None:
        self.offset = self.DEFAULT_OFFSET
        self.anchor(itemPos=(1, 1), parentPos=(1, 1), offset=self.offset)
        self.sig_moved.emit()

    def mouseClickEvent(self, event) -> None:  # noqa: N802 - pyqtgraph hook
        if event.button() == Qt.MouseButton.LeftButton and event.pos().y() <= self.HEADER + 4:
            event.accept()
            self.set_collapsed(not self.collapsed)

    def mouseDragEvent(self, event) -> None:  # noqa: N802 - pyqtgraph hook
        if event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        event.accept()   # the map does not pan under a dragged legend
        delta = event.pos() - event.lastPos()
        self.move_by(delta.x(), delta.y())
        if event.isFinish():
            self.sig_moved.emit()

    def set_blocks(self, blocks: list[LegendBlock]) -> None:
        """Lay out again only when something shown changed: most hour steps leave the legend as
        it was, and a needless resize and repaint costs the map several milliseconds a step."""
        self.blocks = [b for b in blocks if b is not None]
        laid_out = (tuple(self.blocks), self.collapsed)
        if laid_out == self._laid_out:
            return
        self._laid_out = laid_out
        title_m, text_m = QFontMetricsF(self._title_font), QFontMetricsF(self._font)
        header_w = QFontMetricsF(self._header_font).horizontalAdvance("▸ Legend") + 4
        if self.collapsed:
            self.setVisible(bool(self.blocks))
            self.resize(header_w + 2 * self.PAD, self.HEADER + self.PAD)
            self.prepareGeometryChange()
            self.update()
            return
        width, height = header_w, self.HEADER
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
        # A plain rectangle: the antialiased rounded one cost ~8 ms of every hour step's
        # repaint (the legend redraws each hour, its class labels change).
        painter.setPen(QPen(QColor(150, 150, 150), 1))
        painter.setBrush(QColor(255, 255, 255, 235))
        painter.drawRect(QRectF(0, 0, self.width() - 1, self.height() - 1))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self._header_font)
        painter.setPen(QColor(90, 90, 90))
        painter.drawText(QPointF(self.PAD, self.PAD + 9),
                         ("▸ Legend" if self.collapsed else "▾ Legend"))
        if self.collapsed:
            return
        y = self.PAD + self.HEADER
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


class Attribution(_Overlay):
    """Data credits for the layers on show ("© OpenStreetMap contributors" whenever the
    parks draw), top left, wrapped to half the map's width so it never reaches the north
    arrow; part of every grab of the map (PNG export, the report's map image)."""

    MAX_WIDTH_SHARE = 0.5

    def __init__(self, view: pg.ViewBox):
        super().__init__(10, 14)
        self._view = view
        self.setParentItem(view)
        self.anchor(itemPos=(0, 0), parentPos=(0, 0), offset=(8, 8))
        self._font = ui_font(7)
        self.text = ""
        self.setVisible(False)
        view.sigResized.connect(lambda *_: self._layout())

    def set_text(self, text: str) -> None:
        if text == self.text:
            return
        self.text = text
        self._layout()

    def _layout(self) -> None:
        metrics = QFontMetricsF(self._font)
        max_w = max(200.0, self.MAX_WIDTH_SHARE * float(self._view.width()))
        box = metrics.boundingRect(QRectF(0, 0, max_w, 2000),
                                   int(Qt.TextFlag.TextWordWrap), self.text)
        self.resize(box.width() + 10, box.height() + 4)
        self.setVisible(bool(self.text))
        self.prepareGeometryChange()
        self.update()

    def paint(self, painter: QPainter, *args) -> None:
        if not self.text:
            return
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 200))
        painter.drawRect(QRectF(0, 0, self.width(), self.height()))
        painter.setFont(self._font)
        painter.setPen(QColor(60, 60, 60))
        painter.drawText(QRectF(5, 2, self.width() - 8, self.height() - 2),
                         int(Qt.TextFlag.TextWordWrap), self.text)
