"""Partner-safe mode: what may leave the building.

Incident rows are personal data (a burglary at a point is a victim's home), so by
default every export aggregates incidents to boroughs or grid cells and suppresses
small counts, and says so on the page. Point-level output needs an explicit
``partner_safe=False`` from the caller. Every exporter routes incident-derived
frames through this module; it imports no Qt.

Threshold basis: small-number suppression below 10 follows common UK practice for
releasing crime/health counts to partners (e.g. ONS disclosure-control guidance on
small cells); it is a setting, not a model output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

from workstation.domain import BNG

DEFAULT_THRESHOLD = 10
DEFAULT_CELL_M = 250.0  # grid cell for aggregated incidents: ~ a few street blocks

# Columns treated as incident counts when a caller does not name them.
COUNT_COLUMN_NAMES = ("incidents", "incident_count", "count", "counts", "offences",
                      "crimes", "collisions", "n_incidents", "rows")
SUPPRESSED_SUFFIX = "_suppressed"


@dataclass(frozen=True, slots=True)
class DisclosurePolicy:
    """Whether output may leave the building, and the small-count threshold."""

    partner_safe: bool = True
    threshold: int = DEFAULT_THRESHOLD

    @property
    def note(self) -> str:
        """The sentence printed on every page/sheet that carries incident counts."""
        if not self.partner_safe:
            return ("NOT PARTNER-SAFE: incident-level data included at the analyst's request; "
                    "do not share outside the force.")
        return (f"Partner-safe: incidents are aggregated to boroughs or grid cells and counts "
                f"below {self.threshold} are suppressed (shown as \"<{self.threshold}\").")

    def label(self, count: float | None) -> str:
        """A count as printed: "<10" when suppressed, "" when unknown."""
        if count is None or (isinstance(count, float) and math.isnan(count)):
            return f"<{self.threshold}" if self.partner_safe else ""
        if self.partner_safe and count < self.threshold:
            return f"<{self.threshold}"
        value = float(count)
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"


def count_columns(frame: pd.DataFrame) -> list[str]:
    """Numeric columns that hold incident counts, by name (see ``COUNT_COLUMN_NAMES``)."""
    return [c for c in frame.columns
            if str(c).lower() in COUNT_COLUMN_NAMES and pd.api.types.is_numeric_dtype(frame[c])]


def suppress_counts(frame: pd.DataFrame, columns: Iterable[str] | None = None, *,
                    policy: DisclosurePolicy = DisclosurePolicy(),
                    derived: Iterable[str] = ()) -> pd.DataFrame:
    """A copy with every count below the threshold set to missing, flagged in ``<col>_suppressed``.

    Zeros are suppressed too: an explicit 0 next to "<10" would let a reader
    difference the small counts back out of totals. ``derived`` columns (e.g. harm or
    incidents per month, from which the count could be recovered) are blanked in the
    same rows.
    """
    out = frame.copy()
    if not policy.partner_safe:
        return out
    any_small = pd.Series(False, index=out.index)
    for column in (list(columns) if columns is not None else count_columns(frame)):
        values = pd.to_numeric(out[column], errors="coerce").astype(float)
        small = values.isna() | (values < policy.threshold)
        out[column] = values.where(~small)
        out[column + SUPPRESSED_SUFFIX] = small.to_numpy()
        any_small |= small
    for column in derived:
        if column in out.columns:
            values = pd.to_numeric(out[column], errors="coerce").astype(float)
            out[column] = values.where(~any_small)
    return out


def aggregate_incidents(points: pd.DataFrame, *, by: str = "grid",
                        cell_m: float = DEFAULT_CELL_M,
                        policy: DisclosurePolicy = DisclosurePolicy()):
    """Incident points (``easting_m``, ``northing_m``, optional ``gss_code``) -> counts.

    ``by="borough"`` counts per ``gss_code`` (a plain DataFrame); ``by="grid"`` counts per
    square cell of ``cell_m`` metres on the British National Grid (a GeoDataFrame of cell
    polygons, EPSG:27700, cells with no incidents omitted). Counts are suppressed per
    ``policy``.
    """
    import geopandas as gpd
    from shapely import box

    if by == "borough":
        if "gss_code" not in points.columns:
            raise ValueError("aggregating to boroughs needs a gss_code column")
        counts = (points.groupby("gss_code").size().rename("incidents").reset_index()
                  .sort_values("gss_code").reset_index(drop=True))
        return suppress_counts(counts, ["incidents"], policy=policy)
    if by != "grid":
        raise ValueError(f"unknown aggregation {by!r}; use 'borough' or 'grid'")
    east = np.floor(points["easting_m"].to_numpy(dtype=float) / cell_m) * cell_m
    north = np.floor(points["northing_m"].to_numpy(dtype=float) / cell_m) * cell_m
    keep = ~(np.isnan(east) | np.isnan(north))
    cells = (pd.DataFrame({"cell_e_m": east[keep], "cell_n_m": north[keep]})
             .groupby(["cell_e_m", "cell_n_m"]).size().rename("incidents").reset_index())
    cells = suppress_counts(cells, ["incidents"], policy=policy)
    geometry = box(cells["cell_e_m"], cells["cell_n_m"],
                   cells["cell_e_m"] + cell_m, cells["cell_n_m"] + cell_m)
    return gpd.GeoDataFrame(cells, geometry=geometry, crs=BNG)


def incidents_for_export(points: pd.DataFrame, *, policy: DisclosurePolicy = DisclosurePolicy(),
                         cell_m: float = DEFAULT_CELL_M):
    """What an exporter may write for an incident set under ``policy``.

    Partner-safe (default): grid-cell counts with suppression. Opt-out: the points
    themselves, as a GeoDataFrame in EPSG:27700 (only the analytic columns).
    """
    import geopandas as gpd

    if policy.partner_safe:
        return aggregate_incidents(points, by="grid", cell_m=cell_m, policy=policy)
    keep = [c for c in ("month", "crime_type", "gss_code") if c in points.columns]
    frame = points.loc[:, keep].reset_index(drop=True)
    geometry = gpd.points_from_xy(points["easting_m"], points["northing_m"], crs=BNG)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=BNG)


# Smoothed surfaces are linear filters of the cell counts: at full float precision a
# Gaussian KDE or a Gi* window can be deconvolved back to the counts they hide. Coarse
# rounding (far above what deconvolution tolerates, far below what a map can show) keeps
# the surface and loses the counts. Column -> decimals, or negative for significant figures.
SMOOTHED_PRECISION = {
    "kde_incidents_per_km2_per_month": 1,   # 0.1 incident per km² per month
    "kde_harm_per_km2_per_month": -2,       # two significant figures
    "z_score": 1,
    "p_value": -1,                          # one significant figure (0.03, 0.0004)
}


def coarsen_smoothed(frame: pd.DataFrame, *,
                     policy: DisclosurePolicy = DisclosurePolicy()) -> pd.DataFrame:
    """A copy with smoothed per-cell values (KDE, Gi* z and p) rounded per
    ``SMOOTHED_PRECISION`` in partner-safe mode, so cell counts cannot be recovered."""
    out = frame.copy()
    if not policy.partner_safe:
        return out
    for column, digits in SMOOTHED_PRECISION.items():
        if column not in out.columns:
            continue
        values = pd.to_numeric(out[column], errors="coerce").astype(float).to_numpy()
        if digits >= 0:
            out[column] = np.round(values, digits)
        else:
            out[column] = _round_significant(values, -digits)
    return out


def _round_significant(values: np.ndarray, figures: int) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.floor(np.log10(np.abs(values)))
        scale = 10.0 ** (figures - 1 - magnitude)
        rounded = np.round(values * scale) / scale
    return np.where(np.isfinite(rounded), rounded, values)
