"""The pinned PySide6 does not leak references to True or None (6.12.0 did: the app
aborted with "bool_dealloc" after a few hundred emits). Measured in a child process,
because a leaking release kills the interpreter rather than failing an assert."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = r'''
import sys
from PySide6.QtCore import QObject, QRectF, Signal
from PySide6.QtWidgets import QApplication, QGraphicsRectItem, QGraphicsScene, QGraphicsView

app = QApplication.instance() or QApplication([])

class Probe(QObject):
    sig = Signal(int)

probe = Probe()
before = sys.getrefcount(True)
for _ in range(1000):
    probe.sig.emit(0)
true_delta = sys.getrefcount(True) - before

class Item(QGraphicsRectItem):          # a Python override C++ calls on every repaint
    def paint(self, painter, option, widget=None):
        return None

scene = QGraphicsScene()
scene.addItem(Item(QRectF(0, 0, 50, 50)))
view = QGraphicsView(scene)
view.resize(100, 100)
view.show()
app.processEvents()
before = sys.getrefcount(None)
for _ in range(100):
    view.grab()
none_delta = sys.getrefcount(None) - before
print(true_delta, none_delta)
'''


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="immortal objects make leaks harmless")
def test_pinned_pyside6_keeps_true_and_none_reference_counts():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]     # 6.12.0 aborts here
    true_delta, none_delta = (int(v) for v in result.stdout.split())
    assert abs(true_delta) < 50          # 6.12.0: -1000 (one per emit)
    assert abs(none_delta) < 50          # 6.12.0: about -99 per 100 grabs


def test_app_refuses_a_leaking_pyside6(monkeypatch):
    import importlib

    import PySide6

    import workstation.app as app_package
    if sys.version_info >= (3, 12):
        pytest.skip("the refusal applies to Python < 3.12 only")
    monkeypatch.setattr(PySide6, "__version__", app_package.BROKEN_PYSIDE6[0])
    with pytest.raises(ImportError, match="constraints.txt"):
        importlib.reload(app_package)
    monkeypatch.undo()
    importlib.reload(app_package)
