"""Map layers for the report and the GeoPackage: hotspots, grid cells and flow lines.

Prefers the analyses' own results (``workstation.maps`` hotspots,
``workstation.flows.flowlines.flow_lines``) when the caller passes them or they can be
computed headlessly; otherwise falls back to plain aggregates of pack tables, and says
which in the layer title so a reader never mistakes a count map for a tested hotspot.
Everything is EPSG:27700; counts pass through ``partner_safe``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workstation.domain import BNG, DayType
from workstation.exports.partner_safe import (DisclosurePolicy, coarsen_smoothed,
                                              suppress_counts)
from workstation.flows.flowlines import flow_lines
from workstation.maps.counts import IncidentCounts, month_add
from workstation.maps.gistar import find_hotspots
from workstation.maps.grid import build_grid
from workstation.maps.kde import kde_surface
from workstation.maps.microplaces import patrol_hotspots
from workstation.maps.sources import london_grid

log = logging.getLogger(__name__)

COUNT_CELL_M = 500.0       # fallback count grid: 5 x 5 pack lattice cells
FALLBACK_TOP_FLOWS = 60    # draw the largest inter-borough flows only, for legibility


@dataclass(frozen=True)
class ReportLayers:
    """Spatial layers beside the plan. Any may be None when unavailable."""

    hotspots: Any = None                 # GeoDataFrame of polygons, EPSG:27700
    hotspot_title: str = ""
    hotspot_value_column: str | None = None
    grid_cells: Any = None               # GeoDataFrame of grid cells (KDE / Gi* / counts)
    flow_lines: Any = None               # GeoDataFrame of LineStrings, EPSG:27700
    flow_title: str = ""
    flow_value_column: str = "flow"
    flow_day_type: str | None = None     # DayType value of the flow lines; None = whole day
    flow_hour: int | None = None         # clock hour of the flow lines; None = whole day
    notes: tuple[str, ...] = field(default_factory=tuple)


def census_flow_lines(pack, *, top: int = FALLBACK_TOP_FLOWS):
    """Largest 2011 census commuter flows between different boroughs, centroid to centroid."""
    import geopandas as gpd
    from shapely import LineString

    boroughs = pack.table("boroughs_simplified")
    points = dict(zip(boroughs["gss_code"], boroughs.geometry.representative_point()))
    flows = pack.table("census_commuting")
    flows = flows[flows["residence_code"].isin(points) & flows["workplace_code"].isin(points)
                  & (flows["residence_code"] != flows["workplace_code"])]
    flows = flows.nlargest(top, "workers")
    lines = [LineString([points[o], points[d]])
             for o, d in zip(flows["residence_code"], flows["workplace_code"])]
    frame = pd.DataFrame({
        "origin_code": flows["residence_code"].to_numpy(),
        "origin_name": flows["residence_name"].to_numpy(),
        "destination_code": flows["workplace_code"].to_numpy(),
        "destination_name": flows["workplace_name"].to_numpy(),
        "flow": flows["workers"].to_numpy(dtype=float)})
    return gpd.GeoDataFrame(frame, geometry=lines, crs=BNG)


def lattice_count_cells(pack, *, months: int = 12, cell_m: float = COUNT_CELL_M,
                        policy: DisclosurePolicy = DisclosurePolicy()):
    """police.uk burglary over the pack's last ``months`` months on ``cell_m`` cells, suppressed."""
    import geopandas as gpd
    import numpy as np
    from shapely import box

    lattice = pack.table("burglary_lattice")
    recent = sorted(lattice["month"].unique())[-months:]
    rows = lattice[lattice["month"].isin(recent)]
    east = (np.floor(rows["cell_e"].to_numpy(dtype=float) / cell_m) * cell_m)
    north = (np.floor(rows["cell_n"].to_numpy(dtype=float) / cell_m) * cell_m)
    cells = (pd.DataFrame({"cell_e_m": east, "cell_n_m": north,
                           "incidents": rows["incidents"].to_numpy()})
             .groupby(["cell_e_m", "cell_n_m"], as_index=False)["incidents"].sum())
    cells = suppress_counts(cells, ["incidents"], policy=policy)
    geometry = box(cells["cell_e_m"], cells["cell_n_m"],
                   cells["cell_e_m"] + cell_m, cells["cell_n_m"] + cell_m)
    out = gpd.GeoDataFrame(cells, geometry=geometry, crs=BNG)
    return out, f"{recent[0]} to {recent[-1]}"


# blanked with a suppressed count: each could give the small count back (harm / weight,
# per month x months, a forecast blended from the same counts)
HOTSPOT_DERIVED = ("harm", "incidents_per_month", "forecast_incidents_per_month",
                   "forecast_harm_per_month", "share_of_london_harm")
HOTSPOT_MONTHS = 12  # last year of the pack's burglary data: recent enough to act on


def _hotspot_title(result, what: str = "Incident") -> str:
    months = getattr(result, "n_months", None)
    alpha = getattr(result, "fdr_alpha", 0.05)
    period = f", last {months} months" if months else ""
    places = getattr(result, "hotspots", None)
    ranked_by_forecast = "forecast_harm_per_month" in getattr(places, "columns", ())
    if getattr(result, "patrol", False) is True or ranked_by_forecast:
        # patrol places, bare or inside a HotspotResult (the map's, on the mapapp branch)
        cap = getattr(result, "max_area_m2", 200_000.0) / 1e6
        return (f"{what} patrol hotspots: micro-places of at most {cap:.1f} km² inside "
                f"Getis-Ord Gi* clusters (false discovery rate {alpha:.0%}){period}, ranked by "
                "forecast harm per month")
    return f"{what} hotspots (Getis-Ord Gi*, false discovery rate {alpha:.0%}){period}"


KDE_BANDWIDTH_M = 200.0  # workstation.maps.kde default: a street block or two either side


@dataclass(frozen=True)
class HotspotLayers:
    """Gi* hotspots plus the KDE surface on the same grid, for the ``grid_cells`` layer.

    Quacks like a ``HotspotResult`` where the exports and the engine look (``hotspots``,
    ``cells_frame()``, ``n_months``, ``fdr_alpha``), so it can be passed wherever one is.
    KDE densities are smoothed rates per km² per month, not counts, so partner-safe
    suppression (of counts) leaves them as they are.
    """

    result: Any   # workstation.maps.gistar.HotspotResult
    kde: Any      # workstation.maps.kde.KdeResult on result.grid, or None

    @property
    def hotspots(self):
        return self.result.hotspots

    @property
    def n_months(self):
        return getattr(self.result, "n_months", None)

    @property
    def fdr_alpha(self):
        return getattr(self.result, "fdr_alpha", 0.05)

    def cells_frame(self):
        cells = self.result.cells_frame()
        if self.kde is not None:
            rows, cols = cells["row"].to_numpy(), cells["col"].to_numpy()
            for name in ("incidents_per_km2_per_month", "harm_per_km2_per_month"):
                values = getattr(self.kde, name)[rows, cols]
                cells.insert(len(cells.columns) - 1, f"kde_{name}", values)
        return cells


@dataclass(frozen=True)
class PatrolLayers:
    """Patrol hotspots (``workstation.maps.microplaces``: named micro-places ranked by
    forecast harm) with their Gi* test's cells and the KDE on the same grid, so a cell's
    ``hotspot_id`` is the ``cluster_id`` of the places inside it. Quacks like
    ``HotspotLayers``."""

    result: Any   # workstation.maps.microplaces.PatrolHotspots
    kde: Any      # KdeResult on result.grid, or None
    patrol: bool = True

    @property
    def hotspots(self):
        return self.result.hotspots

    @property
    def n_months(self):
        return getattr(self.result.gistar, "n_months", None)

    @property
    def fdr_alpha(self):
        return getattr(self.result.gistar, "fdr_alpha", 0.05)

    @property
    def max_area_m2(self):
        return self.result.max_area_m2

    def cells_frame(self):
        return HotspotLayers(self.result.gistar, self.kde).cells_frame()


PATROL_CELL_M = 100.0   # the patrol hotspots' grid (workstation hotspots' default)


def patrol_from_counts(pack, counts):
    """Patrol hotspots of ``IncidentCounts`` (Gi* on the latest 12 months, forecast from all
    months up to then) on the 100 m London grid, with the KDE of those 12 months beside
    them (``PatrolLayers``); None if its pack tables are unavailable or the analysis fails."""
    try:
        grid = london_grid(pack, cell_m=PATROL_CELL_M)
        result = patrol_hotspots(counts, grid, pack=pack)
    except Exception as exc:  # an analysis failure must not stop a report; fall back instead
        log.warning("patrol hotspots unavailable for the report: %s", exc)
        return None
    try:
        window = counts.filter(months=result.gistar_months)
        kde = kde_surface(window, grid, bandwidth_m=KDE_BANDWIDTH_M)
    except Exception as exc:  # the hotspots still stand without the KDE columns
        log.warning("KDE surface unavailable for the report: %s", exc)
        kde = None
    return PatrolLayers(result, kde)


def hotspots_from_counts(pack, counts, *, months: int = HOTSPOT_MONTHS):
    """Gi* hotspots (``workstation.maps``) of ``IncidentCounts`` over their last ``months``
    months on the standard London grid, with the KDE surface beside them
    (``HotspotLayers``); None if the analysis fails."""
    try:
        span = counts.month_range()
        if span is None:
            return None
        counts = counts.filter(months=(month_add(span[1], -(months - 1)), span[1]))
        grid = build_grid(pack.table("boroughs"))
        result = find_hotspots(counts, grid)
    except Exception as exc:  # an analysis failure must not stop a report; fall back instead
        log.warning("hotspots unavailable for the report: %s", exc)
        return None
    try:
        kde = kde_surface(counts, grid, bandwidth_m=KDE_BANDWIDTH_M)
    except Exception as exc:  # the Gi* layers still stand without the KDE columns
        log.warning("KDE surface unavailable for the report: %s", exc)
        kde = None
    return HotspotLayers(result, kde)


def hotspots_from_incidents(pack, incidents, *, months: int = HOTSPOT_MONTHS):
    """Patrol hotspots (else Gi* clusters) of an imported ``IncidentSet`` (e.g. the
    analyst's police.uk files)."""
    counts = IncidentCounts.from_incidents(incidents)
    return patrol_from_counts(pack, counts) or hotspots_from_counts(pack, counts,
                                                                     months=months)


def _as_layers(hotspots):
    """What the app may hold, as layers: a bare ``PatrolHotspots`` (its Gi* cells, no KDE),
    or the map's bundle of KDE + result (``maps.map_hotspots.MapHotspots``: ``kde``,
    ``hotspots`` a HotspotResult, ``patrol``); anything else as it is."""
    if hotspots is None:
        return None
    patrol = getattr(hotspots, "patrol", None)
    if patrol is not None and hasattr(patrol, "gistar"):
        return PatrolLayers(patrol, getattr(hotspots, "kde", None))
    if hasattr(hotspots, "gistar") and not hasattr(hotspots, "cells_frame"):
        return PatrolLayers(hotspots, None)
    inner = getattr(hotspots, "hotspots", None)
    if inner is not None and hasattr(inner, "cells_frame"):    # bundle around Gi* clusters
        return HotspotLayers(inner, getattr(hotspots, "kde", None))
    return hotspots


def _try_lattice_hotspots(pack):
    """Patrol hotspots (else Gi* clusters) of the pack's police.uk burglary, last 12 months."""
    counts = IncidentCounts.from_lattice(pack)
    return patrol_from_counts(pack, counts) or hotspots_from_counts(pack, counts)


def _with_names(lines, pack):
    """Add borough names beside GSS codes so GIS users can read the layer."""
    names = dict(zip(pack.table("boroughs")["gss_code"], pack.table("boroughs")["name"]))
    out = lines.copy()
    for code_col, name_col in (("origin_gss", "origin_name"), ("destination_gss",
                                                               "destination_name")):
        if code_col in out.columns and name_col not in out.columns:
            out.insert(list(out.columns).index(code_col) + 1, name_col,
                       out[code_col].map(names))
    return out


def _try_flow_lines(pack, *, hour: int, day_type: DayType):
    try:
        lines = flow_lines(pack, hour=hour, day_type=day_type)
    except Exception as exc:  # an analysis failure must not stop a report; say so instead
        log.warning("flow lines unavailable for the report: %s", exc)
        return None
    return lines if lines is not None and len(lines) else None


USER_HOTSPOTS_UNAVAILABLE = ("Hotspots of the imported incidents are not available (the "
                             "hotspot test could not run on them); no other data is shown "
                             "in their place")


def gather_layers(pack, *, day_type: DayType, flow_hour: int = 8,
                  policy: DisclosurePolicy = DisclosurePolicy(),
                  hotspots=None, flow_lines=None, user_incidents: bool = False) -> ReportLayers:
    """Layers for a report/GeoPackage. ``hotspots`` may be a ``workstation.maps``
    HotspotResult (or any object with ``hotspots``/``cells`` GeoDataFrames).

    ``user_incidents``: the user gave their own incidents. Their hotspots are then the
    only ones shown: when ``hotspots`` is None the layer is left empty and says so, and
    the shipped police.uk burglary is never put in its place (a report about the
    analyst's data must not silently show different data)."""
    notes: list[str] = []
    # --- flows -------------------------------------------------------------------------
    lines = flow_lines if flow_lines is not None else _try_flow_lines(
        pack, hour=flow_hour, day_type=day_type)
    flow_when: tuple[str | None, int | None] = (None, None)
    if lines is not None:
        flow_when = (day_type.value, int(flow_hour))
        flow_title = (f"Commuters at work, home borough to work borough, {day_type.label} "
                      f"{flow_hour:02d}:00-{(flow_hour + 1) % 24:02d}:00 "
                      "(2011 Census grown to 2019, TfL timing)")
        value = "flow"                  # flows.flowlines.LINE_COLUMNS
        lines = _with_names(lines, pack)
    elif pack.has("census_commuting"):
        lines = census_flow_lines(pack)
        flow_title = (f"Largest {len(lines)} commuter flows between boroughs "
                      "(2011 Census, residence to workplace, whole day)")
        value = "flow"
        notes.append("Flow map: hourly flow lines were not available; the map shows the "
                     "2011 census commuter flows instead.")
    else:
        lines, flow_title, value = None, "Flows not available", "flow"
    # --- hotspots / grid cells -----------------------------------------------------------
    polygons = cells = None
    hot_title, hot_value = "", None
    what = "Incident"
    if hotspots is None and user_incidents:
        notes.append(f"Hotspot map: {USER_HOTSPOTS_UNAVAILABLE}.")
        return ReportLayers(hotspots=None, hotspot_title=USER_HOTSPOTS_UNAVAILABLE,
                            hotspot_value_column=None, grid_cells=None, flow_lines=lines,
                            flow_title=flow_title, flow_value_column=value, notes=tuple(notes))
    if hotspots is None and pack.has("burglary_lattice"):
        hotspots = _try_lattice_hotspots(pack)
        what = "Burglary (police.uk)"
    else:
        hotspots = _as_layers(hotspots)
    if hotspots is not None:
        polygons = getattr(hotspots, "hotspots", None)
        cells_frame = getattr(hotspots, "cells_frame", None)
        cells = cells_frame() if callable(cells_frame) else getattr(hotspots, "cells", None)
        if polygons is not None:
            polygons = suppress_counts(polygons, ["incidents"], policy=policy,
                                       derived=HOTSPOT_DERIVED)
        if cells is not None:
            cells = suppress_counts(cells, ["incidents"], policy=policy, derived=("harm",))
            cells = coarsen_smoothed(cells, policy=policy)
        hot_title = _hotspot_title(hotspots, what)
    elif pack.has("burglary_lattice"):
        cells, period = lattice_count_cells(pack, policy=policy)
        shown = cells[cells["incidents"].notna()]
        cutoff = shown["incidents"].quantile(0.95) if len(shown) else 0
        polygons = shown[shown["incidents"] >= cutoff]
        hot_title = (f"Burglary concentrations: the top 5% of 500 m cells by count, {period} "
                     "(police.uk; counts, not a significance test)")
        hot_value = "incidents"
    return ReportLayers(hotspots=polygons, hotspot_title=hot_title,
                        hotspot_value_column=hot_value, grid_cells=cells,
                        flow_lines=lines, flow_title=flow_title, flow_value_column=value,
                        flow_day_type=flow_when[0], flow_hour=flow_when[1],
                        notes=tuple(notes))
