"""Read the shipped data pack. Tables are read lazily and cached per DataPack object,
so start-up only pays for what the first view needs; no module-level state."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workstation.datapack.schema import TABLES
from workstation.errors import InputError
from workstation.paths import default_data_dir


@dataclass
class DataPack:
    root: Path
    manifest: dict[str, Any]
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def table(self, name: str) -> pd.DataFrame:
        """A pack table (GeoDataFrame for geometry tables). Callers must not mutate it."""
        if name in self._cache:
            return self._cache[name]
        spec = TABLES.get(name)
        if spec is None:
            raise KeyError(f"unknown data pack table {name!r}")
        path = self.root / spec.filename
        if not path.exists():
            raise InputError(f"data pack table '{name}' is missing", path=path,
                             hint="Rebuild the pack: python -m workstation.datapack build")
        if spec.geometry:
            import geopandas as gpd
            frame = gpd.read_parquet(path)
        else:
            frame = pd.read_parquet(path)
        missing = [c for c in spec.columns if c not in frame.columns]
        if missing:
            raise InputError(f"data pack table '{name}' lacks columns {missing}", path=path,
                             hint="Rebuild the pack: python -m workstation.datapack build")
        self._cache[name] = frame
        return frame

    def has(self, name: str) -> bool:
        return (self.root / TABLES[name].filename).exists()

    @property
    def version(self) -> str:
        return str(self.manifest.get("pack_version", "unknown"))


def load_pack(root: str | Path | None = None) -> DataPack:
    root = Path(root) if root is not None else default_data_dir()
    manifest_path = root / "manifest.json"
    if not manifest_path.exists():
        raise InputError("no data pack manifest found", path=manifest_path,
                         hint="Build the pack with: python -m workstation.datapack build")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"manifest is not valid JSON ({exc.msg})", path=manifest_path,
                         row=exc.lineno) from exc
    return DataPack(root=root, manifest=manifest)
