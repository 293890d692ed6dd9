"""Hotspot inputs for the map: the KDE heat surface and the ranked patrol hotspots
(``workstation.maps.microplaces``: Gi*-significant clusters split into ≤ 0.2 km² micro-places
with names, nearest station, LSOA and forecast harm) from the incidents the user imported,
else the shipped burglary lattice. Qt-free; thin glue over workstation.maps."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from workstation.domain import CancelToken, ProgressFn, no_progress
from workstation.errors import InputError

# The patrol hotspots' grid: 100 m cells (the lattice's own, and 20 of them make the 0.2 km²
# cap). KDE bandwidth follows the hotspot engine's default (200 m Gaussian).
GRID_CELL_M = 100.0
KDE_BANDWIDTH_M = 200.0


@dataclass(frozen=True, slots=True)
class MapHotspots:
    kde: Any        # workstation.maps.kde.KdeResult
    hotspots: Any   # a gistar.HotspotResult whose ``hotspots`` table is the ranked places
    source: str     # what the incidents were, and which method ranked them
    monthly: Any = None   # incidents per hotspot (rows, hotspot_id) and month (columns)
    patrol: Any = None    # the microplaces.PatrolHotspots (None if too few months)


def monthly_table(monthly: pd.DataFrame, hotspot_ids, months) -> pd.DataFrame:
    """Long (hotspot_id, month, incidents) -> one row per hotspot, one column per month of
    the history (zeros kept: a month with no incident is a real zero on the sparkline)."""
    wide = monthly.pivot_table(index="hotspot_id", columns="month", values="incidents",
                               aggfunc="sum", fill_value=0.0)
    return wide.reindex(index=list(hotspot_ids), columns=list(months), fill_value=0.0)


def compute_map_hotspots(pack, incidents=None, *, progress: ProgressFn = no_progress,
                         cancel: CancelToken | None = None) -> MapHotspots:
    from workstation.maps.counts import IncidentCounts
    from workstation.maps.gistar import find_hotspots
    from workstation.maps.kde import kde_surface
    from workstation.maps.microplaces import patrol_hotspots
    from workstation.maps.sources import london_grid

    if incidents is not None and len(getattr(incidents, "frame", ())):
        counts = IncidentCounts.from_incidents(incidents)
        source = "imported incidents"
    else:
        counts = IncidentCounts.from_lattice(pack)
        source = "burglary 2019-2024 (police.uk lattice)"
    progress(0.1, "grid")
    grid = london_grid(pack, cell_m=GRID_CELL_M, cancel=cancel)
    progress(0.2, "KDE")
    kde = kde_surface(counts, grid, bandwidth_m=KDE_BANDWIDTH_M, cancel=cancel)
    progress(0.3, "patrol hotspots")
    try:
        patrol = patrol_hotspots(counts, grid, pack=pack, cancel=cancel,
                                 progress=lambda f, m: progress(0.3 + 0.7 * f, m))
    except InputError as exc:
        # A month or two of imports cannot fit the forecast: rank whole Gi* clusters.
        hotspots = find_hotspots(counts, grid, cancel=cancel)
        progress(1.0, "done")
        return MapHotspots(kde=kde, hotspots=hotspots,
                           source=f"{source}; Gi* clusters ({exc.message})")
    # The layer, the table and the exports read one HotspotResult: the Gi* significance
    # surface with the patrol places as its ranked hotspots and cell labels.
    result = replace(patrol.gistar, hotspots=patrol.hotspots, labels=patrol.labels)
    monthly = monthly_table(patrol.monthly, patrol.hotspots["hotspot_id"], counts.months())
    progress(1.0, "done")
    return MapHotspots(kde=kde, hotspots=result, source=f"{source}; patrol-sized places",
                       monthly=monthly, patrol=patrol)
