"""Look of the workstation: colour scales, fonts and pens shared by every view.

Colour scales are ColorBrewer (Brewer, Harrower & Penn State, colorbrewer2.org, Apache-2.0):
sequential for counts and rates, diverging for signed quantities (allocation gap, net lending)
so that the neutral middle means "zero" and both sides read with equal weight.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QFont

# The palettes live in the core so the PDF maps paint with the same ramps as the app.
from workstation.maps.classify import NO_DATA_HEX, RDBU_9, YLORRD_9, ramp_hex  # noqa: F401

NO_DATA_COLOUR = QColor(NO_DATA_HEX)
BOROUGH_EDGE = QColor(60, 60, 60)
SELECTED_EDGE = QColor("#00b4ff")
MAP_BACKGROUND = QColor("#f4f1ea")
FLOW_IN_COLOUR = QColor(33, 113, 181, 170)
FLOW_OUT_COLOUR = QColor(215, 48, 31, 170)
FLOW_NEUTRAL_COLOUR = QColor(70, 70, 90, 150)
TUBE_TRIPS_COLOUR = QColor(110, 60, 160, 150)
STATION_COLOUR = QColor(0, 25, 168, 150)     # TfL Underground blue
LABEL_COLOUR = QColor(30, 30, 30)
HOTSPOT_COLOUR = "#ae017e"   # ColorBrewer RdPu: distinct from the YlOrRd heat underneath


def ramp(name: str, k: int) -> list[QColor]:
    """k colours from a ColorBrewer scheme (the same ramp the PDF maps use)."""
    return [QColor(c) for c in ramp_hex(name, k)]


def ui_font(point_size: float = 9.0, bold: bool = False) -> QFont:
    # DejaVu Sans is the one font guaranteed on the Linux targets (fonts-dejavu-core).
    font = QFont("DejaVu Sans")
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


def format_value(value: float) -> str:
    """Short human number for legends and labels: 1.2M, 35k, 420, 3.5, -12."""
    if value is None or not np.isfinite(value):
        return "–"
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{value / 1e6:.1f}M"
    if magnitude >= 1e4:
        return f"{value / 1e3:.0f}k"
    if magnitude >= 1e3:
        return f"{value / 1e3:.1f}k"
    if magnitude >= 10 or value == int(value):
        return f"{value:.0f}"
    return f"{value:.1f}"
