"""Where hotspot inputs come from: the shipped lattice or the analyst's police.uk files.

One place for the CLI and the app to turn "no file given" / "these files" plus a cell
size into ``IncidentCounts`` and a ``Grid``, so both report the same numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from workstation.domain import CancelToken, ProgressFn, no_progress
from workstation.maps.counts import IncidentCounts
from workstation.maps.grid import Grid, build_grid
from workstation.maps.harm import HarmWeights


def load_counts(incident_paths: Sequence[str | Path] | None = None, *, pack=None,
                weights: HarmWeights | None = None, progress: ProgressFn = no_progress,
                cancel: CancelToken | None = None) -> IncidentCounts:
    """Imported police.uk files (CSV, .csv.gz, folder or zip) if given, else the pack's lattice."""
    if not incident_paths:
        if pack is None:
            from workstation.datapack import load_pack
            pack = load_pack()
        return IncidentCounts.from_lattice(pack, weights=weights)
    from workstation.loaders.incidents import concat_incident_sets
    from workstation.loaders.police_uk import load_police_uk
    if pack is None:
        from workstation.datapack import load_pack
        pack = load_pack()
    boroughs = pack.table("boroughs")
    sets = [load_police_uk(path, boroughs=boroughs, progress=progress, cancel=cancel)
            for path in incident_paths]
    return IncidentCounts.from_incidents(concat_incident_sets(sets), weights=weights)


def london_grid(pack=None, *, cell_m: float = 150.0, progress: ProgressFn = no_progress,
                cancel: CancelToken | None = None) -> Grid:
    """The study grid over the pack's 33 boroughs."""
    if pack is None:
        from workstation.datapack import load_pack
        pack = load_pack()
    return build_grid(pack.table("boroughs"), cell_m=cell_m, progress=progress, cancel=cancel)
