"""Loaders for what analysts bring: police.uk street CSVs, incident tables (CAD/CRIS
extracts), boundary files. Pure functions: each returns new objects, so a failed import
changes nothing already loaded. Every rejected input raises ``InputError`` naming the
file, row and column; rows that cannot be placed are reported, never dropped."""

from __future__ import annotations

from pathlib import Path

from workstation.domain import CancelToken, ProgressFn, no_progress
from workstation.errors import InputError
from workstation.loaders.incidents import IncidentSet, summary


def import_incidents(path: str | Path, *, mapping: dict[str, str] | None = None,
                     boroughs=None, progress: ProgressFn = no_progress,
                     cancel: CancelToken | None = None) -> IncidentSet:
    """Load a police.uk file/folder/zip or an incident table, deciding by its content:
    a CSV whose header has police.uk's street columns goes to the police.uk loader."""
    from workstation.loaders import incident_table, police_uk
    from workstation.loaders.sniff import check_text_header, require_regular_file

    path = Path(path)
    if not path.exists():
        raise InputError("file or folder not found", path=path)
    require_regular_file(path)
    name = path.name.lower()
    if path.is_dir() or name.endswith(".zip"):
        if mapping:
            raise InputError("a column mapping applies to one table file, not a folder or zip",
                             path=path)
        return police_uk.load_police_uk(path, boroughs=boroughs, progress=progress,
                                        cancel=cancel)
    if name.endswith(".csv") or name.endswith(".csv.gz"):
        import pyarrow as pa
        try:
            head = pa.input_stream(str(path), compression="detect").read(64 * 1024)
        except (OSError, EOFError) as exc:
            raise InputError(f"cannot be read ({exc})", path=path) from exc
        header = check_text_header(head, path.name)
        # "Crime ID" + "Falls within" mark a police.uk file even with a column missing,
        # so the user hears which police.uk column is missing.
        looks_police_uk = {"Crime ID", "Falls within"} <= set(header)
        if (police_uk.is_police_uk_header(header) or looks_police_uk) and not mapping:
            return police_uk.load_police_uk(path, boroughs=boroughs, progress=progress,
                                            cancel=cancel)
    return incident_table.load_incident_table(path, mapping=mapping, boroughs=boroughs,
                                              progress=progress, cancel=cancel)


__all__ = ["IncidentSet", "summary", "import_incidents"]
