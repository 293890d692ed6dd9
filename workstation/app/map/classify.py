"""Choropleth classification: quantiles, natural breaks (Fisher-Jenks) and diverging classes.

Qt-free on purpose (plain numpy) so the hotspot maps, PDF exports and tests can share it.
Bounds follow the usual GIS convention: ``bounds`` has k+1 ascending edges; class i holds
values in (bounds[i], bounds[i+1]] except the first class, which is closed on the left.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

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
