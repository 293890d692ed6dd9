"""The Qt application (PySide6 + pyqtgraph): the only package that imports Qt.

It refuses, at import, a PySide6 release known to corrupt reference counts on Python
3.11: in 6.12.0 every ``Signal.emit()`` steals a reference to ``True`` and every C++ call
of a Python override that returns ``None`` (each pyqtgraph ``paint()``) steals one to
``None``, so the app aborts ("bool_dealloc") after a few hundred emits. ``constraints.txt``
pins 6.11.3, which has neither leak (``tests/app/test_pyside_refcounts.py``); failing
loudly here beats patching CPython's reference counts through ctypes.
"""

from __future__ import annotations

import sys

import PySide6

BROKEN_PYSIDE6 = ("6.12.0",)
"""Releases that leak references to True/None (measured; see the module docstring)."""

if sys.version_info < (3, 12) and PySide6.__version__ in BROKEN_PYSIDE6:
    raise ImportError(
        f"PySide6 {PySide6.__version__} corrupts reference counts on Python "
        f"{sys.version_info.major}.{sys.version_info.minor} and crashes the app; install the "
        "pinned release: pip install -c constraints.txt -e . (or run scripts/setup.sh)")
