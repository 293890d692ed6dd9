"""Draw the app icon (a shield over a map grid) and write PNG and ICO. Run once; outputs are committed."""

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image  # noqa: E402  (Pillow comes with matplotlib)
from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen  # noqa: E402

HERE = Path(__file__).resolve().parent


def draw(size: int = 256) -> QImage:
    image = QImage(size, size, QImage.Format_ARGB32)
    image.fill(Qt.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.Antialiasing)
    p.setBrush(QColor("#0b3d91"))
    p.setPen(Qt.NoPen)
    p.drawRoundedRect(8, 8, size - 16, size - 16, 36, 36)
    p.setPen(QPen(QColor(255, 255, 255, 60), 3))
    for i in range(1, 6):
        t = 8 + i * (size - 16) / 6
        p.drawLine(QPointF(t, 16), QPointF(t, size - 16))
        p.drawLine(QPointF(16, t), QPointF(size - 16, t))
    shield = QPainterPath()
    c = size / 2
    shield.moveTo(c, 44)
    shield.lineTo(c + 70, 70)
    shield.quadTo(c + 70, 170, c, 214)
    shield.quadTo(c - 70, 170, c - 70, 70)
    shield.closeSubpath()
    p.setPen(QPen(QColor("#ffffff"), 8))
    p.setBrush(QColor("#f2b705"))
    p.drawPath(shield)
    p.setPen(QPen(QColor("#0b3d91"), 10, Qt.SolidLine, Qt.RoundCap))
    p.drawLine(QPointF(c - 34, 150), QPointF(c - 6, 110))
    p.drawLine(QPointF(c - 6, 110), QPointF(c + 16, 132))
    p.drawLine(QPointF(c + 16, 132), QPointF(c + 40, 90))
    p.end()
    return image


if __name__ == "__main__":
    app = QGuiApplication([])
    png = HERE / "linux" / "workstation.png"
    draw().save(str(png))
    Image.open(png).save(HERE / "windows" / "workstation.ico",
                         sizes=[(16, 16), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    print("wrote", png)
