"""The offline London data pack: derived tables built from ../shared/data by a
reproducible script (``python -m workstation.datapack build``) and read at start-up."""

from workstation.datapack.pack import DataPack, load_pack
from workstation.datapack.schema import TABLES, TableSpec

__all__ = ["DataPack", "load_pack", "TABLES", "TableSpec"]
