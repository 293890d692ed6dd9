"""Choropleth classification: quantiles, natural breaks (Fisher-Jenks) and diverging classes,
and the ColorBrewer ramps the classes are painted with.

Qt-free on purpose (plain numpy): the app's map (``app/map/layers.py``) and the PDF maps
(``exports/figures.py``) both call :func:`choropleth_classes` and :func:`ramp_hex`, so a
borough falls in the same class, with the same colour, on screen and on paper.
Bounds follow the usual GIS convention: ``bounds`` has k+1 ascending edges; class i holds
values in (bounds[i], bounds[i+1]] except the first class, which is closed on the left.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

# ColorBrewer 9-class schemes (Brewer, Harrower & Penn State, colorbrewer2.org, Apache-2.0);
# k-class ramps are sampled evenly from these. Sequential for counts and rates, diverging for
# signed quantities so the neutral middle means "zero".
YLORRD_9 = ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c",
            "#fc4e2a", "#e31a1c", "#bd0026", "#800026")
BLUES_9 = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6",
           "#4292c6", "#2171b5", "#08519c", "#08306b")
PURPLES_9 = ("#fcfbfd", "#efedf5", "#dadaeb", "#bcbddc", "#9e9ac8",
             "#807dba", "#6a51a3", "#54278f", "#3f007d")
REDS_9 = ("#fff5f0", "#fee0d2", "#fcbba1", "#fc9272", "#fb6a4a",
          "#ef3b2c", "#cb181d", "#a50f15", "#67000d")
# Diverging: red = shortfall / lending out, blue = surplus / borrowing in.
RDBU_9 = ("#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7",
          "#d1e5f0", "#92c5de", "#4393c3", "#2166ac")
PUOR_9 = ("#b35806", "#e08214", "#fdb863", "#fee0b6", "#f7f7f7",
          "#d8daeb", "#b2abd2", "#8073ac", "#542788")

SEQUENTIAL = {"YlOrRd": YLORRD_9, "Blues": BLUES_9, "Purples": PURPLES_9, "Reds": REDS_9}
DIVERGING = {"RdBu": RDBU_9, "PuOr": PUOR_9}
NO_DATA_HEX = "#d9d9d9"

# Above this many values Fisher-Jenks (O(k n^2)) runs on an evenly spaced sample of the
# sorted values; with 33 boroughs it always runs exactly.
JENKS_MAX_VALUES = 2000


class Method(str, Enum):
    QUANTILES = "quantiles"
    NATURAL_BREAKS = "natural_breaks"
    EQUAL_INTERVAL = "equal_interval"
    DIVERGING = "diverging"  # symmetric classes around zero, for gaps and net lending

    @property
    def label(self) -> str:
        return {"quantiles": "Quantiles", "natural_breaks": "Natural breaks (Jenks)",
                "equal_interval": "Equal interval", "diverging": "Diverging around 0"}[self.value]


@dataclass(frozen=True, slots=True)
class Classification:
    method: Method
    bounds: tuple[float, ...]      # k+1 ascending class edges
    classes: np.ndarray            # class index per input value (-1 for NaN)

    @property
    def k(self) -> int:
        return len(self.bounds) - 1

    def counts(self) -> list[int]:
        return [int(np.sum(self.classes == i)) for i in range(self.k)]


def _assign(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    classes = np.searchsorted(bounds[1:-1], values, side="left").astype(int)
    classes[np.isnan(values)] = -1
    return classes


def quantile_bounds(values: np.ndarray, k: int) -> np.ndarray:
    finite = values[np.isfinite(values)]
    edges = np.quantile(finite, np.linspace(0.0, 1.0, k + 1))
    return np.unique(edges)


def equal_interval_bounds(values: np.ndarray, k: int) -> np.ndarray:
    finite = values[np.isfinite(values)]
    lo, hi = float(finite.min()), float(finite.max())
    if hi == lo:
        return np.array([lo, hi])
    return np.linspace(lo, hi, k + 1)


def jenks_bounds(values: np.ndarray, k: int) -> np.ndarray:
    """Fisher-Jenks optimal breaks: minimise the within-class sum of squared deviations
    (Jenks 1977; exact dynamic programme of Fisher 1958)."""
    data = np.sort(values[np.isfinite(values)])
    if len(data) > JENKS_MAX_VALUES:
        data = data[np.linspace(0, len(data) - 1, JENKS_MAX_VALUES).astype(int)]
    n = len(data)
    k = max(1, min(k, len(np.unique(data))))
    if k == 1:
        return np.array([data[0], data[-1]])
    csum = np.concatenate([[0.0], np.cumsum(data)])
    csum2 = np.concatenate([[0.0], np.cumsum(data * data)])

    def ssd(i: np.ndarray, j: int) -> np.ndarray:
        # sum of squared deviations of data[i:j] (vectorised over i)
        count = j - i
        s = csum[j] - csum[i]
        return (csum2[j] - csum2[i]) - s * s / count

    cost = np.full((k + 1, n + 1), np.inf)
    back = np.zeros((k + 1, n + 1), dtype=int)
    cost[0, 0] = 0.0
    for c in range(1, k + 1):
        for j in range(c, n + 1):
            i = np.arange(c - 1, j)
            total = cost[c - 1, i] + ssd(i, j)
            best = int(np.argmin(total))
            cost[c, j] = total[best]
            back[c, j] = i[best]
    starts = []
    j = n
    for c in range(k, 0, -1):
        i = back[c, j]
        starts.append(i)
        j = i
    starts = sorted(starts)[1:]
    # Class edge = last value of the lower class, so each class is (edge, next edge].
    edges = [data[0]] + [data[s - 1] for s in starts] + [data[-1]]
    return np.unique(np.asarray(edges, dtype=float))


def diverging_bounds(values: np.ndarray, k: int) -> np.ndarray:
    """Symmetric equal steps around zero so the neutral class straddles 0 (k odd) and
    colour intensity means the same magnitude on both sides."""
    finite = values[np.isfinite(values)]
    extent = float(np.max(np.abs(finite))) if len(finite) else 1.0
    extent = extent or 1.0
    return np.linspace(-extent, extent, k + 1)


def classify(values, *, method: Method | str = Method.QUANTILES, k: int = 5) -> Classification:
    values = np.asarray(values, dtype=float)
    method = Method(method)
    if not np.isfinite(values).any():
        return Classification(method, (0.0, 0.0), np.full(len(values), -1))
    if method is Method.QUANTILES:
        bounds = quantile_bounds(values, k)
    elif method is Method.NATURAL_BREAKS:
        bounds = jenks_bounds(values, k)
    elif method is Method.EQUAL_INTERVAL:
        bounds = equal_interval_bounds(values, k)
    else:
        bounds = diverging_bounds(values, k)
    if len(bounds) < 2:
        bounds = np.array([bounds[0], bounds[0]])
    classes = _assign(values, bounds)
    classes[(classes >= len(bounds) - 1)] = len(bounds) - 2
    return Classification(method, tuple(float(b) for b in bounds), classes)


def choropleth_classes(values, *, method: Method | str = Method.QUANTILES, k: int = 5,
                       diverging: bool = False) -> Classification:
    """The one classification rule for every borough choropleth (app map and PDF maps).

    A signed metric (``diverging``) always gets symmetric classes around zero and an odd
    class count, so the neutral middle class straddles 0 whatever method the user picked."""
    if diverging:
        return classify(values, method=Method.DIVERGING, k=max(3, int(k) | 1))
    return classify(values, method=method, k=k)


def ramp_hex(name: str, k: int) -> list[str]:
    """k colours (hex) from a ColorBrewer scheme; diverging ramps keep the neutral centre when
    k is odd, sequential ones skip the palest swatch so the lowest class stands out."""
    base = SEQUENTIAL.get(name) or DIVERGING.get(name)
    if base is None:
        raise KeyError(name)
    if k <= 0:
        return []
    if name in DIVERGING:
        idx = np.round(np.linspace(0, len(base) - 1, k)).astype(int)
    else:
        idx = np.round(np.linspace(1, len(base) - 1, k)).astype(int)
    return [base[i] for i in idx]


def width_classes(values, n_widths: int) -> tuple[np.ndarray, list[float]]:
    """Line-width class per value (quantiles of the drawn values, so thick = big flow) and the
    class bounds for the legend."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return np.zeros(0, dtype=int), []
    c = classify(values, method=Method.QUANTILES, k=n_widths)
    return np.clip(c.classes, 0, n_widths - 1), list(c.bounds)
