"""SHA-256 of files, read in 1 MiB blocks so a large source never sits in memory whole.
One implementation for the data-pack manifest, police.uk duplicate detection and the
project's source fingerprints."""

from __future__ import annotations

import hashlib
from pathlib import Path

BLOCK_BYTES = 1 << 20


def feed_file(digest, path: str | Path) -> int:
    """Stream ``path`` into ``digest`` (a hashlib object); returns the bytes read."""
    size = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(BLOCK_BYTES), b""):
            digest.update(block)
            size += len(block)
    return size


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of one file."""
    digest = hashlib.sha256()
    feed_file(digest, path)
    return digest.hexdigest()
