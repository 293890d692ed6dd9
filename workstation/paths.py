"""Where the shipped data pack lives: beside the package in a checkout, inside the bundle
when frozen, or wherever ``WORKSTATION_DATA`` points. Never ``../shared`` at run time."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def default_data_dir() -> Path:
    override = os.environ.get("WORKSTATION_DATA")
    if override:
        return Path(override)
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "data"
    return Path(__file__).resolve().parent.parent / "data"


def user_config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "london-deployment-workstation"
