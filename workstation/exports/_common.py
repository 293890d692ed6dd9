"""Helpers every exporter shares: atomic writes that always fail as ``OutputError``.

Why a wrapper: ``workstation.atomic.atomic_path`` already turns a missing folder or a
failed rename into ``OutputError``; this also converts errors raised *while* writing
(e.g. a full disk, a library refusing the path) so callers see one error type and no
half-written file is ever left behind.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

from workstation.atomic import atomic_path, check_folder
from workstation.errors import OutputError


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
