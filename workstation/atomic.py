"""Atomic file writes: a crash or a full disk never leaves a half-written project or report.

Every writer in the workstation goes through ``atomic_path``: the data is written to a
temporary file beside the target and renamed over it only when complete. Any OS error
while writing (a full disk above all) becomes one ``OutputError`` that says what
happened, the temporary file is removed and the old file is left as it was. A process
killed mid-write (kill -9, power cut) can leave a temporary file behind;
``clean_stale_temp_files`` removes those at the next start.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Iterable, Iterator

from workstation.errors import OutputError

TEMP_SUFFIX = ".tmp"
# ".<target name>.<8 random chars from mkstemp>.tmp", optionally with a writer's extension
# (".gpkg") and SQLite's side files: only files this module made match.
_TEMP_NAME = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp(\.[A-Za-z0-9]{1,8})?(-journal|-wal|-shm)?$")
STALE_AFTER_S = 60.0
_NO_SPACE = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


def is_disk_full(exc: BaseException) -> bool:
    """True for a full disk or quota, whatever library raised it (pyarrow and GDAL give
    the OS message without an errno)."""
    if isinstance(exc, OSError) and exc.errno in _NO_SPACE:
        return True
    text = str(exc).lower()
    return "no space left" in text or "disk quota exceeded" in text or "disk full" in text


def write_error(target: Path, exc: BaseException) -> OutputError:
    """The ``OutputError`` for an error raised while writing ``target``."""
    if is_disk_full(exc):
        return OutputError(f"{target}: the disk is full (no space left on "
                           f"{target.parent if str(target.parent) else '.'}); nothing was "
                           "written and the previous file, if any, is unchanged. Free some "
                           "space or save to another drive, then try again")
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return OutputError(f"{target}: could not be written ({detail}); the previous file, if "
                       "any, is unchanged")


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; rename over the target on success.

    The temporary file sits in the same folder so ``os.replace`` is atomic on the
    same filesystem. On any exception the temporary file is removed and the
    previous target (if any) is untouched; an ``OSError`` (e.g. a full disk) is
    raised as ``OutputError`` naming the target.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.exists():
        raise OutputError(f"{target}: folder {folder} does not exist")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX,
                                        dir=folder)
    except OSError as exc:
        if is_disk_full(exc):
            raise write_error(target, exc) from exc
        raise OutputError(f"{target}: cannot write in {folder} ({exc.strerror or exc})") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp creates 0600; keep the replaced file's mode, or the umask default for new files.
    try:
        mode = target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        os.chmod(tmp, mode)
        try:
            yield tmp
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
        except OSError as exc:
            raise write_error(target, exc) from exc
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise OutputError(f"{target}: cannot replace the file ({exc.strerror or exc}); "
                              "is it open in another program?") from exc
    finally:
        _remove_quietly(tmp)


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def atomic_write_bytes(target: str | Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(target: str | Path, text: str, encoding: str = "utf-8") -> None:
    atomic_write_bytes(target, text.encode(encoding))


def check_folder(target: str | Path) -> Path:
    """``OutputError`` unless ``target`` names a file in an existing folder (cheap: no
    write). Exporters call it first; ``check_writable`` adds a real write test."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise OutputError(f"{target}: is a folder, not a file name")
    if not folder.exists():
        raise OutputError(f"{target}: folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputError(f"{target}: {folder} is a file, not a folder")
    return target


def check_writable(target: str | Path) -> Path:
    """Fail fast (``OutputError``) if ``target`` cannot be created or replaced: the folder
    checks, then the temporary-file test ``atomic_path`` will need, run before long work
    starts so that a bad output path costs nothing."""
    target = check_folder(target)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".probe", dir=folder)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write in {folder} ({exc.strerror or exc})") from exc
    os.close(fd)
    os.unlink(probe)
    if target.exists() and not os.access(target, os.W_OK) and not os.access(folder, os.W_OK):
        raise OutputError(f"{target}: the existing file cannot be replaced")
    return target
def clean_stale_temp_files(folders: Iterable[str | Path], *,
                           older_than_s: float = STALE_AFTER_S) -> list[Path]:
    """Remove temporary files ``atomic_path`` left in ``folders`` when a process was killed
    mid-write (older than ``older_than_s``, so another copy's save in progress is left
    alone). Returns what was removed; unreadable folders are skipped."""
    removed: list[Path] = []
    now = time.time()
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if not _TEMP_NAME.match(entry.name):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                if now - entry.stat(follow_symlinks=False).st_mtime < older_than_s:
                    continue
                os.unlink(entry.path)
            except OSError:
                continue
            removed.append(Path(entry.path))
    return removed
