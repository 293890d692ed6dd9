"""App exports run in the worker pool with progress and Cancel in the status bar; an
export cancelled halfway leaves no file (and no temp file) in the target folder."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QMainWindow  # noqa: E402

from workstation.app.actions import build_actions  # noqa: E402
from workstation.app.session import Session  # noqa: E402
from workstation.app.workers import WorkerPool  # noqa: E402


@pytest.fixture
def app(qtbot, pack, real_plan):
    pool = WorkerPool()
    window = QMainWindow()
    qtbot.addWidget(window)
    session = Session(pack)
    session.set_plan(real_plan)
    actions = build_actions(window, session, workers=pool)
    actions.ask_unsaved = lambda: "discard"
    yield window, session, actions
    assert pool.shutdown(60_000)


def _blocking(monkeypatch, module, name: str, at_message: str):
    """Wrap an exporter so its worker waits at ``at_message`` until the test says go: the
    cancel then lands halfway through the file, deterministically."""
    real = getattr(module, name)
    reached, resume = threading.Event(), threading.Event()

    def wrapper(*args, progress, cancel, **kwargs):
        def gated(fraction, message=""):
            progress(fraction, message)
            if at_message in message:
                reached.set()
                resume.wait(30)
        return real(*args, progress=gated, cancel=cancel, **kwargs)
    monkeypatch.setattr(module, name, wrapper)
    return reached, resume


@pytest.mark.parametrize("name, module_name, function, message", [
    ("geopackage", "workstation.exports.geopackage", "write_geopackage",
     "writing layer hotspots"),
    ("plan_xlsx", "workstation.exports.plan_xlsx", "write_plan_xlsx", "writing sheet Impact"),
    ("report_pdf", "workstation.exports.report", "write_report", "maps"),
])
def test_cancelled_export_leaves_no_file(qtbot, app, tmp_path, monkeypatch, name,
                                         module_name, function, message):
    import importlib
    window, session, actions = app
    reached, resume = _blocking(monkeypatch, importlib.import_module(module_name), function,
                                message)
    out = tmp_path / "out"
    out.mkdir()
    messages: list[str] = []
    session.sig_status.connect(messages.append)
    task = actions.export(name, out / f"export.{name}")
    assert task is not None
    bar = actions._export_progress()
    assert bar.isVisibleTo(window) and "Exporting" in bar.label.text()
    qtbot.waitUntil(reached.is_set, timeout=120_000)
    assert list(out.iterdir()), "the worker should be halfway: a temp file exists"
    with qtbot.waitSignal(task.sig_cancelled, timeout=120_000):
        bar.cancel_button.click()          # the status bar's Cancel
        resume.set()
    assert list(out.iterdir()) == []
    assert not bar.isVisibleTo(window)
    assert "cancelled" in messages[-1] and "no file" in messages[-1]


def test_csv_and_map_png_exports_finish_in_the_pool(qtbot, app, tmp_path):
    window, session, actions = app
    progress = []
    task = actions.export("plan_csv", tmp_path / "plan.csv")
    task.sig_progress.connect(lambda f, m: progress.append(f))
    with qtbot.waitSignal(task.sig_finished, timeout=60_000):
        pass
    assert (tmp_path / "plan.csv").read_text(encoding="utf-8").startswith("unit_code,")
    from PySide6.QtGui import QColor, QImage
    image = QImage(120, 80, QImage.Format.Format_RGB32)
    image.fill(QColor("#ae017e"))
    actions.map_image_provider = lambda: image
    task = actions.export_map_image(tmp_path / "map.png")
    with qtbot.waitSignal(task.sig_finished, timeout=60_000):
        pass
    back = QImage(str(tmp_path / "map.png"))
    assert back.width() == 120 and QColor(back.pixel(5, 5)).name() == "#ae017e"
    assert actions.last_export == tmp_path / "map.png"


def test_two_exports_to_different_files_both_finish(qtbot, app, tmp_path):
    """Starting the XLSX while the CSV runs does not cancel the CSV (one task per file);
    the same file again replaces the older export."""
    window, session, actions = app
    first = actions.export("plan_csv", tmp_path / "plan.csv")
    second = actions.export("plan_xlsx", tmp_path / "plan.xlsx")
    with qtbot.waitSignals([first.sig_finished, second.sig_finished], timeout=120_000):
        pass
    assert (tmp_path / "plan.csv").exists() and (tmp_path / "plan.xlsx").exists()
    again = actions.export("plan_csv", tmp_path / "again.csv")
    replacing = actions.export("plan_csv", tmp_path / "again.csv")
    assert again.token.cancelled and not replacing.token.cancelled
    with qtbot.waitSignal(replacing.sig_finished, timeout=60_000):
        pass
    assert (tmp_path / "again.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.csv", "plan.csv", "plan.xlsx"]
