"""Application logging to a rotating file the user can send to support.

Incident rows never go into logs: log counts, file names and messages only.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from workstation.paths import log_dir  # noqa: F401  (the platform's log folder; re-exported)


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
