"""The map's fast drawing items draw what the slow ones drew: translucent lines through an
opaque off-screen image, borough fills simplified only when zoomed out."""

from __future__ import annotations

import shapely
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

from workstation.app.map.layers import COARSE_FILL_M_PER_PX, FillItem, LinesItem, cosmetic_pen

LINE = QColor(30, 60, 200, 128)   # half-transparent blue


def _view(qtbot, scene: QGraphicsScene, rect: QRectF) -> QGraphicsView:
    view = QGraphicsView(scene)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.resize(200, 200)
    qtbot.addWidget(view)
    view.show()
    view.fitInView(rect)
    return view


def _blend_channel(value: int, alpha: int) -> float:
    return value * alpha / 255 + 255 * (1 - alpha / 255)


def test_lines_are_translucent_on_screen_and_in_print(qtbot):
    scene = QGraphicsScene()
    scene.setBackgroundBrush(Qt.GlobalColor.white)
    item = LinesItem()
    scene.addItem(item)
    item.set_groups([(cosmetic_pen(LINE, 6.0), [QLineF(0, 50, 100, 50)])], QRectF(0, 50, 100, 0))
    view = _view(qtbot, scene, QRectF(0, 0, 100, 100))
    centre = view.mapFromScene(50, 50)
    on_screen = view.grab().toImage().pixelColor(centre)
    assert abs(on_screen.red() - _blend_channel(30, 128)) <= 6      # blended, not opaque
    assert abs(on_screen.blue() - _blend_channel(200, 128)) <= 6
    away = view.grab().toImage().pixelColor(view.mapFromScene(50, 10))
    assert away == QColor(Qt.GlobalColor.white)

    printed = QImage(100, 100, QImage.Format.Format_ARGB32)
    printed.fill(Qt.GlobalColor.white)
    painter = QPainter(printed)
    scene.render(painter, QRectF(0, 0, 100, 100), QRectF(0, 0, 100, 100))  # no widget: vectors
    painter.end()
    assert abs(printed.pixelColor(50, 50).red() - on_screen.red()) <= 8

    item.set_groups([], QRectF())
    assert view.grab().toImage().pixelColor(centre) == QColor(Qt.GlobalColor.white)


def test_lines_of_two_alphas_each_keep_their_own(qtbot):
    scene = QGraphicsScene()
    scene.setBackgroundBrush(Qt.GlobalColor.white)
    item = LinesItem()
    scene.addItem(item)
    faint = QColor(0, 0, 0, 60)
    item.set_groups([(cosmetic_pen(LINE, 6.0), [QLineF(0, 30, 100, 30)]),
                     (cosmetic_pen(faint, 6.0), [QLineF(0, 70, 100, 70)])], QRectF(0, 30, 100, 40))
    view = _view(qtbot, scene, QRectF(0, 0, 100, 100))
    image = view.grab().toImage()
    dark = image.pixelColor(view.mapFromScene(50, 70))
    assert abs(dark.red() - _blend_channel(0, 60)) <= 6
    assert image.pixelColor(view.mapFromScene(50, 30)).blue() > dark.blue()


def test_fill_is_simplified_only_when_zoomed_out(qtbot):
    # a 2 km square with a 1 m zig-zag edge: 2,000 vertices, simplified away at 10 m
    zigzag = [(x, (x % 2) * 1.0) for x in range(0, 2001)]
    polygon = shapely.Polygon(zigzag + [(2000, 2000), (0, 2000)])
    item = FillItem(polygon)
    assert item.coarse_path.elementCount() < 20 < item.path().elementCount()
    assert item.path_at(1 / 11) is item.coarse_path and item.path_at(1 / 9) == item.path()
    item.setBrush(QColor(200, 0, 0))
    scene = QGraphicsScene()
    scene.addItem(item)
    far = _view(qtbot, scene, QRectF(-100, -100, 2200, 2200))    # ~11 m per pixel
    assert 1 / far.transform().m11() >= COARSE_FILL_M_PER_PX
    image = far.grab().toImage()
    assert image.pixelColor(far.mapFromScene(1000, 1000)) == QColor(200, 0, 0)
    near = _view(qtbot, scene, QRectF(990, -5, 10, 10))          # 0.05 m per pixel: exact edge
    image = near.grab().toImage()
    assert image.pixelColor(near.mapFromScene(995.9, 0.5)) == QColor(200, 0, 0)  # inside the edge
    assert image.pixelColor(near.mapFromScene(995.1, 0.5)) != QColor(200, 0, 0)  # just outside it
