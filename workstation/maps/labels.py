"""Map label placement: which names to show so that none overlap (Qt-free).

Labels are placed greedily in priority order (a busier station, a longer street, a higher
hotspot rank first) into one shared screen space, so names from different layers never
collide either; the map's legend and attribution count as already placed. At a wider zoom
fewer fit, so labels thin themselves by zoom without per-layer thresholds doing all the
work. Boxes are in screen pixels, y down: (left, top, right, bottom).
"""

from __future__ import annotations

import numpy as np


class LabelSpace:
    """Screen rectangles already taken by labels (and the legend), for one view."""

    def __init__(self, view_px: tuple[float, float, float, float],
                 blocked: list[tuple[float, float, float, float]] = ()):
        self.view_px = tuple(float(v) for v in view_px)
        self._boxes = np.zeros((64, 4))
        self._n = 0
        for box in blocked:
            self._add(np.asarray(box, dtype=float))

    @property
    def boxes(self) -> np.ndarray:
        return self._boxes[:self._n]

    def _add(self, box: np.ndarray) -> None:
        if self._n == len(self._boxes):
            self._boxes = np.vstack([self._boxes, np.zeros_like(self._boxes)])
        self._boxes[self._n] = box
        self._n += 1

    def free(self, box) -> bool:
        """Inside the view and touching no placed box."""
        left, top, right, bottom = box
        vl, vt, vr, vb = self.view_px
        if left < vl or top < vt or right > vr or bottom > vb:
            return False
        b = self.boxes
        if not len(b):
            return True
        hit = (b[:, 0] < right) & (b[:, 2] > left) & (b[:, 1] < bottom) & (b[:, 3] > top)
        return not bool(hit.any())

    def place(self, x_px, y_px, width_px, height_px, *, priority=None, pad_px: float = 3.0,
              max_labels: int | None = None) -> np.ndarray:
        """Place labels centred on (x, y); True where a label was placed. ``priority``:
        higher first (default: input order). ``pad_px`` keeps air between names."""
        x = np.asarray(x_px, dtype=float)
        y = np.asarray(y_px, dtype=float)
        w = np.broadcast_to(np.asarray(width_px, dtype=float), x.shape)
        h = np.broadcast_to(np.asarray(height_px, dtype=float), x.shape)
        placed = np.zeros(len(x), dtype=bool)
        vl, vt, vr, vb = self.view_px
        inside = (x - w / 2 >= vl) & (x + w / 2 <= vr) & (y - h / 2 >= vt) & (y + h / 2 <= vb)
        candidates = np.flatnonzero(inside)
        if priority is not None:
            order = np.argsort(-np.asarray(priority, dtype=float)[candidates], kind="stable")
            candidates = candidates[order]
        count = 0
        for i in candidates:
            box = (x[i] - w[i] / 2 - pad_px, y[i] - h[i] / 2 - pad_px,
                   x[i] + w[i] / 2 + pad_px, y[i] + h[i] / 2 + pad_px)
            if self.free(box):
                self._add(np.asarray(box))
                placed[i] = True
                count += 1
                if max_labels is not None and count >= max_labels:
                    break
        return placed


def to_screen(easting_m, northing_m, metres_per_px: float) -> tuple[np.ndarray, np.ndarray]:
    """Map metres (y up) to the label space's pixels (y down); only differences matter."""
    return (np.asarray(easting_m, dtype=float) / metres_per_px,
            -np.asarray(northing_m, dtype=float) / metres_per_px)
