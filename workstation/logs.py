"""Application logging to a rotating file the user can send to support.

Incident rows never go into logs: log counts, file names and messages only.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path


def log_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "london-deployment-workstation"


def configure_logging(level: int = logging.INFO) -> Path:
    """Attach a rotating file handler to the 'workstation' logger; return the log file path."""
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "workstation.log"
    logger = logging.getLogger("workstation")
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in logger.handlers):
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3,
                                                       encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(level)
    return path
