"""Helpers every exporter shares: atomic writes that always fail as ``OutputError``.

Why a wrapper: ``workstation.atomic.atomic_path`` already turns a missing folder or a
failed rename into ``OutputError``; this also converts errors raised *while* writing
(e.g. a full disk, a library refusing the path) so callers see one error type and no
half-written file is ever left behind.
"""

from __future__ import annotations

import contextlib
import math
from enum import Enum
from pathlib import Path
from typing import Any, Iterator

from workstation.atomic import atomic_path, check_folder
from workstation.errors import OutputError


def plain_value(value: Any) -> Any:
    """A value as plain JSON-able Python: numpy scalars -> Python, NaN/Infinity and pandas'
    NA/NaT -> None, enums -> their value, dicts and lists cleaned item by item. The one
    cleaner behind the JSON plan, the XLSX cells and the CLI's ``--json`` output."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes, list, tuple, dict)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): plain_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_value(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if type(value).__name__ in ("NAType", "NaTType"):   # pandas' missing values
        return None
    return value


def check_target(target: str | Path) -> Path:
    """Fail fast, before expensive work, if ``target`` obviously cannot be written."""
    return check_folder(target)


@contextlib.contextmanager
def output_path(target: str | Path, *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temp path beside ``target``; rename over it on success, else remove it.

    ``suffix``: some writers (GDAL drivers) pick the format from the file extension,
    so the temp file can be given one.
    """
    target = check_target(target)
    with atomic_path(target) as tmp:
        work = tmp
        if suffix:
            work = tmp.with_name(tmp.name + suffix)
        try:
            yield work
            if work != tmp:
                work.replace(tmp)
        except OSError as exc:
            raise OutputError(f"{target}: could not be written ({exc.strerror or exc})") from exc
        finally:
            if work != tmp and work.exists():
                work.unlink()
