"""Helpers every pack builder uses, so all tables are written the same way."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workstation.datapack.schema import TABLES
from workstation.digest import sha256_file


def write_table(frame: pd.DataFrame, out_dir: Path, name: str) -> dict:
    """Write one pack table with exactly the schema's columns; return its manifest entry."""
    spec = TABLES[name]
    missing = [c for c in spec.columns if c not in frame.columns]
    if missing:
        raise ValueError(f"builder for {name} did not produce columns {missing}")
    frame = frame[list(spec.columns)]
    path = out_dir / spec.filename
    if spec.geometry:
        frame.to_parquet(path, compression="zstd", index=False, schema_version="1.0.0")
    else:
        frame.reset_index(drop=True).to_parquet(path, compression="zstd", index=False)
    return {"file": spec.filename, "rows": int(len(frame)), "bytes": path.stat().st_size,
            "sha256": sha256_file(path), "description": spec.description}


