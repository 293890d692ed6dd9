"""Hotspot inputs for the map: KDE heat surface and Gi* hotspots from the incidents the
user imported, else the shipped burglary lattice. Qt-free; thin glue over workstation.maps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

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
    monthly: Any = None   # incidents per hotspot (rows, hotspot_id) and month (columns)


def hotspot_monthly(counts, result) -> "pd.DataFrame":
    """Incidents per hotspot and calendar month (every month of the window, zeros kept), for
    the inspector's sparkline: the points are binned to the Gi* grid and read through its
    hotspot labels, so the months sum to the hotspot's ``incidents``."""
    import numpy as np
    import pandas as pd

    row, col, ok = result.grid.cell_of(counts.x_m, counts.y_m)
    label = np.zeros(len(counts.x_m), dtype=np.int64)
    label[ok] = result.labels[row[ok], col[ok]]
    keep = label > 0
    frame = pd.DataFrame({"hotspot_id": label[keep], "month": np.asarray(counts.month)[keep],
                          "incidents": np.asarray(counts.count, dtype=float)[keep]})
    table = frame.pivot_table(index="hotspot_id", columns="month", values="incidents",
                              aggfunc="sum", fill_value=0.0)
    months = counts.months()
    return table.reindex(index=result.hotspots["hotspot_id"].to_numpy(), columns=list(months),
                         fill_value=0.0)


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
    monthly = hotspot_monthly(counts, hotspots)
    progress(1.0, "done")
    return MapHotspots(kde=kde, hotspots=hotspots, source=source, monthly=monthly)
