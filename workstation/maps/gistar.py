"""Getis-Ord Gi* hot and cold spots on the grid, by convolution, with FDR control.

Gi* (Getis & Ord 1992; Ord & Getis 1995) asks whether the cells within a distance band of
a cell (the cell itself included) hold more than their share of the total. With binary
weights every cell's neighbourhood sum and neighbour count are convolutions of the grid
with a disc, so the whole map costs two FFTs instead of a sparse weights matrix; the
mean and variance are taken over cells inside London only and the band never reaches
outside London (cells outside get weight 0). This is the same statistic as
``esda.G_Local(star=True)`` with binary DistanceBand weights (checked in tests).
Testing ~150,000 cells at once needs multiplicity control: Benjamini-Hochberg FDR.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from scipy import ndimage, stats
from scipy.signal import fftconvolve

from workstation.domain import BNG, CancelToken, ProgressFn, check_cancel, no_progress
from workstation.errors import InputError
from workstation.maps.counts import IncidentCounts
from workstation.maps.grid import Grid

# 8-connected cells form one hotspot: diagonal neighbours on a fine grid are usually the
# same street block split by the raster, not two separate places.
CONNECTIVITY_8 = np.ones((3, 3), dtype=bool)


def band_kernel(cell_m: float, band_m: float) -> np.ndarray:
    """Binary disc of cells whose centres lie within ``band_m`` of the centre cell (inclusive)."""
    if not band_m >= 0:
        raise InputError(f"distance band {band_m} m must be >= 0", column="band_m")
    half = int(np.floor(band_m / cell_m + 1e-9))
    offsets = np.arange(-half, half + 1) * cell_m
    r2 = offsets[:, None] ** 2 + offsets[None, :] ** 2
    return (r2 <= band_m ** 2 * (1 + 1e-9)).astype(np.float64)


def _convolve(values: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    if kernel.size <= 49:  # tiny discs: direct correlation is faster and exact
        return ndimage.correlate(values, kernel, mode="constant", cval=0.0)
    return fftconvolve(values, kernel, mode="same")


def gi_star_z(values: np.ndarray, inside: np.ndarray, *, cell_m: float, band_m: float) -> np.ndarray:
    """Gi* z-score per cell (NaN outside ``inside``), binary weights within ``band_m``, self included.

    z_i = (S_i - xbar W_i) / (s sqrt((n W_i - W_i²) / (n - 1))), with S_i the neighbourhood
    sum, W_i the number of inside neighbours (incl. self), xbar and s the mean and
    (population) standard deviation over the n inside cells.
    """
    kernel = band_kernel(cell_m, band_m)
    x = np.where(inside, values, 0.0).astype(np.float64)
    n = int(inside.sum())
    if n < 2:
        raise InputError("Gi* needs at least two cells inside the study area")
    mean = x.sum() / n
    var = (x ** 2).sum() / n - mean ** 2
    neighbour_sum = _convolve(x, kernel)
    neighbour_n = np.rint(_convolve(inside.astype(np.float64), kernel))
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = np.sqrt(var * (n * neighbour_n - neighbour_n ** 2) / (n - 1))
        z = (neighbour_sum - mean * neighbour_n) / denom
    z[~inside] = np.nan
    if var <= 0:
        z[inside] = 0.0
    z[inside & ~np.isfinite(z)] = 0.0  # a cell whose band covers the whole area
    return z


def benjamini_hochberg(p_values: np.ndarray, alpha: float = 0.05) -> np.ndarray:
    """Boolean 'discovery' per p-value at false discovery rate ``alpha`` (NaN never discovered)."""
    if not 0 < alpha < 1:
        raise InputError(f"FDR alpha {alpha} is out of range", column="fdr_alpha", expected="0 < alpha < 1")
    p = np.asarray(p_values, dtype=np.float64)
    flat = p.reshape(-1)
    valid = np.isfinite(flat)
    result = np.zeros(flat.shape, dtype=bool)
    pv = flat[valid]
    m = pv.size
    if m == 0:
        return result.reshape(p.shape)
    order = np.argsort(pv, kind="stable")
    thresholds = alpha * np.arange(1, m + 1) / m
    below = pv[order] <= thresholds
    if below.any():
        k = int(np.nonzero(below)[0].max())
        rejected = np.zeros(m, dtype=bool)
        rejected[order[: k + 1]] = True
        result[np.nonzero(valid)[0]] = rejected
    return result.reshape(p.shape)


@dataclass(frozen=True, slots=True)
class HotspotResult:
    """Gi* per cell plus ranked hotspot polygons (EPSG:27700).

    ``hotspots`` columns: hotspot_id (1 = most harm), gss_code, borough, boroughs (all
    touched), n_cells, area_m2, incidents, harm, incidents_per_month, mean_z, max_z, geometry.
    """

    grid: Grid
    z_score: np.ndarray          # NaN outside London
    p_value: np.ndarray          # two-sided, NaN outside London
    hot: np.ndarray              # significant after FDR and z > 0
    cold: np.ndarray             # significant after FDR and z < 0
    labels: np.ndarray           # hotspot id per cell (0 = none)
    incidents: np.ndarray        # incidents per cell over the window
    harm: np.ndarray             # harm per cell over the window
    hotspots: "pd.DataFrame"     # GeoDataFrame, one row per hotspot, ranked by harm
    band_m: float
    fdr_alpha: float
    value: str                   # 'harm' or 'count': what Gi* was computed on
    n_months: int

    def cells_frame(self):
        """Cells inside London with z, p, hot/cold and hotspot id (polygons built now)."""
        return self.grid.to_geodataframe({"incidents": self.incidents, "harm": self.harm,
                                          "z_score": self.z_score, "p_value": self.p_value,
                                          "hot": self.hot, "cold": self.cold,
                                          "hotspot_id": self.labels})


def find_hotspots(counts: IncidentCounts, grid: Grid, *, band_m: float | None = None,
                  value: str = "harm", fdr_alpha: float = 0.05, n_months: int | None = None,
                  progress: ProgressFn = no_progress, cancel: CancelToken | None = None) -> HotspotResult:
    """Gi* on per-cell harm (or counts), BH-FDR, contiguous hot cells merged and ranked by harm.

    ``band_m`` defaults to two cells (300 m on the 150 m grid): roughly a street block
    either side, the scale at which burglary concentrates in London (and small enough that
    hotspots do not swallow whole wards).
    """
    if value not in ("harm", "count"):
        raise InputError(f"unknown Gi* value '{value}'", column="value", expected="harm or count")
    band = float(band_m) if band_m is not None else 2.0 * grid.cell_m
    months = n_months if n_months is not None else max(counts.n_months(), 1)
    check_cancel(cancel)
    incidents, harm = grid.bin_many(counts.x_m, counts.y_m, counts.count, counts.harm)
    inside = grid.inside
    progress(0.2, "Gi* statistics")
    z = gi_star_z(harm if value == "harm" else incidents, inside, cell_m=grid.cell_m, band_m=band)
    check_cancel(cancel)
    p = np.full(z.shape, np.nan)
    p[inside] = 2.0 * stats.norm.sf(np.abs(z[inside]))
    significant = benjamini_hochberg(p, fdr_alpha)
    hot = significant & (z > 0)
    cold = significant & (z < 0)
    progress(0.6, "merging hot cells")
    check_cancel(cancel)
    raw_labels, n_labels = label_by_borough(hot, grid.borough_index)
    hotspots, labels = _polygonise(grid, raw_labels, n_labels, z, incidents, harm, months)
    progress(1.0, "done")
    return HotspotResult(grid=grid, z_score=z, p_value=p, hot=hot, cold=cold, labels=labels,
                         incidents=incidents, harm=harm, hotspots=hotspots, band_m=band,
                         fdr_alpha=float(fdr_alpha), value=value, n_months=int(months))


def label_by_borough(mask: np.ndarray, borough_index: np.ndarray) -> tuple[np.ndarray, int]:
    """Connected groups of ``mask`` cells, never crossing a borough boundary.

    Deployment is decided per borough, so a hot area spanning a boundary becomes one
    hotspot per borough (each with its own harm rank) rather than one blob owned by nobody.
    """
    labels = np.zeros(mask.shape, dtype=np.int32)
    total = 0
    for b in np.unique(borough_index[mask]):
        rows, cols = np.nonzero(mask & (borough_index == b))
        r0, r1, c0, c1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
        sub = mask[r0:r1, c0:c1] & (borough_index[r0:r1, c0:c1] == b)
        sub_labels, n = ndimage.label(sub, structure=CONNECTIVITY_8)
        block = labels[r0:r1, c0:c1]
        block[sub] = sub_labels[sub] + total
        total += n
    return labels, total


def _polygonise(grid: Grid, raw_labels: np.ndarray, n_labels: int, z: np.ndarray,
                incidents: np.ndarray, harm: np.ndarray, n_months: int):
    """One polygon per labelled group of hot cells; ids renumbered by harm (1 = most)."""
    import geopandas as gpd
    columns = ["hotspot_id", "gss_code", "borough", "boroughs", "n_cells", "area_m2", "incidents",
               "harm", "incidents_per_month", "mean_z", "max_z"]
    if n_labels == 0:
        empty = gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=BNG)
        return empty, np.zeros(raw_labels.shape, dtype=np.int32)
    rows, cols = np.nonzero(raw_labels)
    lab = raw_labels[rows, cols]
    order = np.argsort(lab, kind="stable")
    rows, cols, lab = rows[order], cols[order], lab[order]
    starts = np.searchsorted(lab, np.arange(1, n_labels + 1))
    ends = np.append(starts[1:], lab.size)
    boxes = grid.cell_polygons(rows, cols)
    codes = np.asarray(grid.borough_codes, dtype=object)
    names = np.asarray(grid.borough_names, dtype=object)
    bidx = grid.borough_index[rows, cols]
    records = []
    for k in range(n_labels):
        sl = slice(starts[k], ends[k])
        r, c = rows[sl], cols[sl]
        counts_by_borough = np.bincount(bidx[sl], minlength=len(codes))
        main = int(counts_by_borough.argmax())
        touched = np.nonzero(counts_by_borough)[0]
        records.append({
            "label": k + 1, "gss_code": codes[main], "borough": names[main],
            "boroughs": ";".join(codes[touched]), "n_cells": int(r.size),
            "area_m2": float(r.size * grid.cell_area_m2),
            "incidents": float(incidents[r, c].sum()), "harm": float(harm[r, c].sum()),
            "mean_z": float(z[r, c].mean()), "max_z": float(z[r, c].max()),
            "geometry": shapely.coverage_union_all(boxes[sl]) if r.size > 1 else boxes[sl][0]})
    frame = pd.DataFrame.from_records(records)
    frame = frame.sort_values(["harm", "incidents", "max_z"], ascending=False, kind="stable")
    frame["hotspot_id"] = np.arange(1, len(frame) + 1)
    frame["incidents_per_month"] = frame["incidents"] / max(n_months, 1)
    remap = np.zeros(n_labels + 1, dtype=np.int32)
    remap[frame["label"].to_numpy()] = frame["hotspot_id"].to_numpy()
    labels = remap[raw_labels]
    gdf = gpd.GeoDataFrame(frame[columns], geometry=list(frame["geometry"]), crs=BNG)
    return gdf.reset_index(drop=True), labels
