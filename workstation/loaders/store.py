"""On-disk store of imported incidents, beside the project file and never inside it.

A project ``plan.ldw`` keeps its imports in ``plan.incidents/``, one Parquet file per
import (easting/northing columns, EPSG:27700), so the project JSON stays small and an
import of a million rows loads in well under a second. The unplaced rows, sources and
warnings ride in the Parquet key-value metadata so one file is the whole import.
Files are written atomically (``workstation.atomic``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from workstation.atomic import atomic_path
from workstation.errors import InputError, OutputError
from workstation.loaders.incidents import INCIDENT_COLUMNS, UNPLACED_COLUMNS, IncidentSet

STORE_FORMAT_VERSION = 1
METADATA_KEY = b"workstation.incidents"
SUFFIX = ".incidents"


def incidents_folder(project_path: str | Path) -> Path:
    """``<folder>/<project stem>.incidents`` for a project file path."""
    project_path = Path(project_path)
    return project_path.with_name(project_path.stem + SUFFIX)


def save_incidents(incidents: IncidentSet, folder: str | Path) -> Path:
    """Write one import as a new Parquet file in ``folder`` (created if missing)."""
    folder = Path(folder)
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from workstation.atomic import is_disk_full, write_error
        if is_disk_full(exc):
            raise write_error(folder, exc) from exc
        raise OutputError(f"{folder}: cannot create the incident store ({exc.strerror})") from exc
    try:
        return _write_import(incidents, folder)
    except BaseException:
        if created:   # a failed first save leaves no empty store folder behind
            try:
                folder.rmdir()
            except OSError:
                pass
        raise


def _write_import(incidents: IncidentSet, folder: Path) -> Path:
    meta = {
        "format_version": STORE_FORMAT_VERSION,
        "saved_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "sources": list(incidents.sources),
        "warnings": list(incidents.warnings),
        "skipped": [list(item) for item in incidents.skipped],
        "unplaced": {
            "source": incidents.unplaced["source"].astype(str).tolist(),
            "row": incidents.unplaced["row"].astype("int64").tolist(),
            "reason": incidents.unplaced["reason"].astype(str).tolist(),
            "month": incidents.unplaced["month"].astype(str).tolist(),
        },
    }
    digest = hashlib.sha256("\n".join(incidents.sources).encode()).hexdigest()[:8]
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"import-{stamp}-{digest}.parquet"
    counter = 1
    while target.exists():
        counter += 1
        target = folder / f"import-{stamp}-{digest}-{counter}.parquet"
    table = pa.Table.from_pandas(incidents.frame, preserve_index=False)
    existing = table.schema.metadata or {}
    table = table.replace_schema_metadata({**existing,
                                           METADATA_KEY: json.dumps(meta).encode("utf-8")})
    with atomic_path(target) as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return target


def load_incidents(path: str | Path) -> IncidentSet:
    """Read an import written by ``save_incidents``."""
    path = Path(path)
    if not path.exists():
        raise InputError("stored import not found", path=path,
                         hint="Was the project's .incidents folder moved or deleted?")
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"stored import cannot be read ({exc})", path=path,
                         hint="Import the source file again") from exc
    raw = (table.schema.metadata or {}).get(METADATA_KEY)
    if raw is None:
        raise InputError("not an incident store file (no workstation metadata)", path=path)
    meta = json.loads(raw)
    if meta.get("format_version", 0) > STORE_FORMAT_VERSION:
        raise InputError(f"written by a newer version (format {meta['format_version']})",
                         path=path, hint="Update the workstation")
    frame = table.to_pandas()
    missing = [c for c in INCIDENT_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"stored import lacks columns {missing}", path=path)
    frame = frame[list(INCIDENT_COLUMNS)]
    frame["incident_id"] = frame["incident_id"].astype(pd.StringDtype("pyarrow"))
    for col in ("month", "crime_type", "gss_code", "force", "source"):
        if not isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype(str).astype("category")
    frame["occurred_at"] = frame["occurred_at"].astype("datetime64[ns]")
    u = meta["unplaced"]
    unplaced = pd.DataFrame({
        "source": pd.Categorical(u["source"]),
        "row": np.asarray(u["row"], dtype="int64"),
        "reason": pd.Categorical(u["reason"]),
        "month": pd.Categorical(u["month"]),
    })[list(UNPLACED_COLUMNS)]
    return IncidentSet(frame=frame, unplaced=unplaced, sources=tuple(meta["sources"]),
                       warnings=tuple(meta.get("warnings", ())),
                       skipped=tuple((str(a), str(b)) for a, b in meta.get("skipped", ())))


def list_imports(folder: str | Path) -> list[Path]:
    """Stored imports in a store folder, oldest first (names start with a timestamp)."""
    folder = Path(folder)
    return sorted(folder.glob("import-*.parquet")) if folder.is_dir() else []
