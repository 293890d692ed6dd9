"""Checking that a project's incident sources are the files the analysis was made with.

A project keeps each import by path (never the rows, unless the analyst opts in to a
copy), with the source's size and SHA-256 at import time. On open, a source that is
missing or whose size/digest differ is reported, so the app can ask the user to locate
it (as QGIS does for a layer whose file moved) instead of silently analysing other data.
A folder is fingerprinted as the sorted list of its CSV files' relative names and bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from workstation.digest import feed_file
from workstation.project.model import IncidentSource, resolve_source_path

OK, MISSING, CHANGED, UNCHECKED = "ok", "missing", "changed", "unchecked"


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file()
                      and p.name.lower().endswith((".csv", ".csv.gz")))
    return [path]


def fingerprint(path: str | Path) -> tuple[int, str]:
    """(size in bytes, SHA-256 hex) of a file, or of a folder's CSV files together."""
    path = Path(path)
    digest = hashlib.sha256()
    size = 0
    for file in _files(path):
        if path.is_dir():
            digest.update(str(file.relative_to(path).as_posix()).encode("utf-8") + b"\0")
        size += feed_file(digest, file)
    return size, digest.hexdigest()


def with_fingerprint(source: IncidentSource, path: str | Path | None = None) -> IncidentSource:
    """``source`` with the size and SHA-256 of its file (or of ``path``) recorded."""
    size, digest = fingerprint(path if path is not None else source.path)
    return replace(source, size_bytes=size, sha256=digest)


@dataclass(frozen=True)
class SourceCheck:
    source: IncidentSource
    path: Path          # where the source was looked for
    status: str         # OK, MISSING, CHANGED or UNCHECKED (no fingerprint was stored)

    @property
    def message(self) -> str:
        if self.status == MISSING:
            return f"{self.path}: the incident source is not there any more (moved or deleted?)"
        if self.status == CHANGED:
            return (f"{self.path}: the incident source has changed since it was imported "
                    f"(it was {self.source.size_bytes:,} bytes with SHA-256 "
                    f"{(self.source.sha256 or '')[:12]}…)")
        return f"{self.path}: ok"


def check_source(source: IncidentSource, project_path: str | Path | None = None,
                 path: str | Path | None = None) -> SourceCheck:
    """Is the source (or ``path``, a located replacement) the one that was imported?"""
    where = Path(path) if path is not None else resolve_source_path(source.path, project_path)
    if not where.exists():
        return SourceCheck(source, where, MISSING)
    if source.sha256 is None:
        return SourceCheck(source, where, UNCHECKED)
    if source.size_bytes is not None and not where.is_dir():
        if where.stat().st_size != source.size_bytes:
            return SourceCheck(source, where, CHANGED)
    size, digest = fingerprint(where)
    if digest != source.sha256 or (source.size_bytes is not None and size != source.size_bytes):
        return SourceCheck(source, where, CHANGED)
    return SourceCheck(source, where, OK)
