"""Helpers every exporter shares: atomic writes that always fail as ``OutputError``, and
the one guard against formula injection that every CSV and XLSX writer applies.

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

from workstation.atomic import atomic_path, check_folder, is_disk_full, write_error
from workstation.errors import OutputError

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make Excel, LibreOffice or Sheets read a cell as a formula
(OWASP "CSV injection"): a scenario named ``=HYPERLINK("http://…","Click")`` must stay
text in every export."""


def safe_text_cell(value):
    """``value`` unchanged unless it is text starting with a formula trigger; then the
    text with a leading apostrophe (OWASP's rule), which spreadsheets show as text.
    Numbers, dates and None pass through, so numeric cells stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_text_frame(frame):
    """A copy of a pandas frame with ``safe_text_cell`` applied to every text cell and
    column name (numeric columns are left as they are)."""
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            out[column] = series.map(safe_text_cell)
    out.columns = [safe_text_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


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
            raise write_error(target, exc) from exc
        except RuntimeError as exc:
            # GDAL (pyogrio) reports a full disk as a RuntimeError subclass
            if is_disk_full(exc):
                raise write_error(target, exc) from exc
            raise
        finally:
            for side in ("", "-journal", "-wal", "-shm"):
                leftover = work.with_name(work.name + side)
                if work != tmp and leftover.exists():
                    leftover.unlink()
