"""Hotspot inputs for the map: KDE heat surface and Gi* hotspots from the incidents the
user imported, else the shipped burglary lattice. Qt-free; thin glue over workstation.maps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workstation.domain import CancelToken, ProgressFn, no_progress

# Grid and bandwidth follow the hotspot engine's defaults (workstation.maps: 150 m cells,
# 200 m Gaussian KDE bandwidth, Gi* band of two cells).
GRID_CELL_M = 150.0
KDE_BANDWIDTH_M = 200.0


@dataclass(frozen=True, slots=True)
class MapHotspots:
    kde: Any        # workstation.maps.kde.KdeResult
    hotspots: Any   # workstation.maps.gistar.HotspotResult
    source: str     # what the incidents were


def compute_map_hotspots(pack, incidents=None, *, progress: ProgressFn = no_progress,
                         cancel: CancelToken | None = None) -> MapHotspots:
    from workstation.maps.counts import IncidentCounts
    from workstation.maps.gistar import find_hotspots
    from workstation.maps.grid import build_grid
    from workstation.maps.kde import kde_surface

    if incidents is not None and len(getattr(incidents, "frame", ())):
        counts = IncidentCounts.from_incidents(incidents)
        source = "imported incidents"
    else:
        counts = IncidentCounts.from_lattice(pack)
        source = "burglary 2019-2024 (police.uk lattice)"
    progress(0.2, "grid")
    grid = build_grid(pack.table("boroughs"), cell_m=GRID_CELL_M, cancel=cancel)
    progress(0.4, "KDE")
    kde = kde_surface(counts, grid, bandwidth_m=KDE_BANDWIDTH_M, cancel=cancel)
    progress(0.7, "Gi*")
    hotspots = find_hotspots(counts, grid, cancel=cancel)
    progress(1.0, "done")
    return MapHotspots(kde=kde, hotspots=hotspots, source=source)
