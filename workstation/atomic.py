"""Atomic file writes: a crash or a full disk never leaves a half-written project or report."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

from workstation.errors import OutputError


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; rename over the target on success.

    The temporary file sits in the same folder so ``os.replace`` is atomic on the
    same filesystem. On any exception the temporary file is removed and the
    previous target (if any) is untouched.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.exists():
        raise OutputError(f"{target}: folder {folder} does not exist")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
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
    os.chmod(tmp, mode)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise OutputError(f"{target}: cannot replace the file ({exc.strerror or exc}); "
                              "is it open in another program?") from exc
    finally:
        if tmp.exists():
            tmp.unlink()


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
