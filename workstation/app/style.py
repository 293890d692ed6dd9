"""Look of the workstation: colour scales, fonts and pens shared by every view.

Colour scales are ColorBrewer (Brewer, Harrower & Penn State, colorbrewer2.org, Apache-2.0):
sequential for counts and rates, diverging for signed quantities (allocation gap, net lending)
so that the neutral middle means "zero" and both sides read with equal weight.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QFont

# ColorBrewer 9-class schemes; k-class ramps are sampled evenly from these.
YLORRD_9 = ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c",
            "#fc4e2a", "#e31a1c", "#bd0026", "#800026")
BLUES_9 = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6",
           "#4292c6", "#2171b5", "#08519c", "#08306b")
PURPLES_9 = ("#fcfbfd", "#efedf5", "#dadaeb", "#bcbddc", "#9e9ac8",
             "#807dba", "#6a51a3", "#54278f", "#3f007d")
# Diverging: red = shortfall / lending out, blue = surplus / borrowing in.
RDBU_9 = ("#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7",
          "#d1e5f0", "#92c5de", "#4393c3", "#2166ac")
PUOR_9 = ("#b35806", "#e08214", "#fdb863", "#fee0b6", "#f7f7f7",
          "#d8daeb", "#b2abd2", "#8073ac", "#542788")

SEQUENTIAL = {"YlOrRd": YLORRD_9, "Blues": BLUES_9, "Purples": PURPLES_9}
DIVERGING = {"RdBu": RDBU_9, "PuOr": PUOR_9}

NO_DATA_COLOUR = QColor("#d9d9d9")
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
    """k colours from a ColorBrewer scheme; diverging ramps keep the neutral centre when k is odd."""
    base = SEQUENTIAL.get(name) or DIVERGING.get(name)
    if base is None:
        raise KeyError(name)
    if k <= 0:
        return []
    if name in DIVERGING:
        idx = np.round(np.linspace(0, len(base) - 1, k)).astype(int)
    else:  # skip the palest swatch so the lowest class still stands out from the basemap
        idx = np.round(np.linspace(1, len(base) - 1, k)).astype(int)
    return [QColor(base[i]) for i in idx]


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
