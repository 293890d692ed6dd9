"""Project data by path, checked: each import keeps its source path with size and SHA-256;
reopening a project whose source moved or changed asks to locate it; a second import asks
whether to add or replace, and a project keeps (and reopens) every import; the import
preview lists every CSV of a folder as imported or skipped with its reason."""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMainWindow

from workstation.app.actions import build_actions
from workstation.app.import_dialog import ImportDialog
from workstation.app.session import Session
from workstation.app.workers import WorkerPool
from workstation.project import load_project
from workstation.project.sources import CHANGED, MISSING, OK, check_source, fingerprint


@pytest.fixture
def pool(qtbot):
    pool = WorkerPool()
    yield pool
    assert pool.shutdown(60_000)


@pytest.fixture
def app(qtbot, pack, pool):
    window = QMainWindow()
    qtbot.addWidget(window)
    session = Session(pack)
    actions = build_actions(window, session, workers=pool)
    actions.ask_unsaved = lambda: "discard"
    yield window, session, actions
    actions.recovery.shutdown()


@pytest.fixture
def months(shared_data, tmp_path):
    """Two real police.uk months copied into the test's folder."""
    out = []
    for month in ("2019-08", "2019-09"):
        name = f"{month}-metropolitan-street.csv.gz"
        target = tmp_path / "data" / name
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(shared_data / "police_uk_burglary" / name, target)
        out.append(target)
    return out


def _import(qtbot, session, pool, path, answer="replace"):
    dialog = ImportDialog(session, workers=pool, path=path)
    qtbot.addWidget(dialog)
    asked = []
    dialog.ask_add_or_replace = lambda: asked.append(True) or answer
    task = dialog.start_import()
    with qtbot.waitSignals([task.sig_finished], timeout=120_000):
        pass
    qtbot.waitUntil(lambda: not dialog.isVisible() or dialog.result() != 0, timeout=10_000)
    return asked


def test_fingerprint_of_a_file_is_its_sha256(months):
    size, digest = fingerprint(months[0])
    data = months[0].read_bytes()
    assert size == len(data) and digest == hashlib.sha256(data).hexdigest()


def test_import_records_size_and_sha256_and_save_keeps_them(qtbot, app, pool, months, tmp_path):
    window, session, actions = app
    _import(qtbot, session, pool, months[0])
    source = session.incidents_source
    assert (source.size_bytes, source.sha256) == fingerprint(months[0])
    assert actions.save_project_as(tmp_path / "work.ldwproj")
    record = load_project(tmp_path / "work.ldwproj").incidents
    assert record.sha256 == source.sha256 and record.size_bytes == months[0].stat().st_size
    assert record.store_path is None                     # no copy of the rows by default
    assert not (tmp_path / "work.incidents").exists()
    assert check_source(record, tmp_path / "work.ldwproj").status == OK


def test_moved_source_asks_to_locate_it(qtbot, app, pool, months, tmp_path):
    window, session, actions = app
    _import(qtbot, session, pool, months[0])
    rows = session.incidents.rows_placed
    project = tmp_path / "work.ldwproj"
    assert actions.save_project_as(project)
    moved = tmp_path / "elsewhere" / months[0].name
    moved.parent.mkdir()
    months[0].rename(moved)
    asked = []
    actions.ask_locate_source = lambda check, reply: (asked.append(check), reply(moved))
    assert actions.new_project() and actions.open_project(project)
    qtbot.waitUntil(lambda: session.incidents is not None, timeout=60_000)
    assert [c.status for c in asked] == [MISSING] and months[0].name in asked[0].message
    assert session.incidents.rows_placed == rows and Path(session.incidents_source.path) == moved
    assert session.dirty                                  # the new location is to be saved


def test_changed_source_is_named_and_can_be_skipped(qtbot, app, pool, months, tmp_path):
    window, session, actions = app
    _import(qtbot, session, pool, months[0])
    project = tmp_path / "work.ldwproj"
    assert actions.save_project_as(project)
    lines = gzip.decompress(months[0].read_bytes()).decode().splitlines()
    months[0].write_bytes(gzip.compress(("\n".join(lines[:-10]) + "\n").encode()))
    asked = []
    actions.ask_locate_source = lambda check, reply: (asked.append(check), reply(None))
    messages = []
    session.sig_status.connect(messages.append)
    assert actions.new_project() and actions.open_project(project)
    qtbot.wait(200)
    assert [c.status for c in asked] == [CHANGED] and "has changed" in asked[0].message
    assert session.incidents is None                      # nothing silently re-read
    assert any("changed since the import" in m for m in messages)


def test_second_import_asks_add_or_replace_and_project_keeps_both(qtbot, app, pool, months,
                                                                  tmp_path):
    window, session, actions = app
    assert _import(qtbot, session, pool, months[0]) == []          # first: nothing to ask
    first_rows = session.incidents.rows_placed
    assert _import(qtbot, session, pool, months[1], answer="add") == [True]
    assert session.incidents.months == ("2019-08", "2019-09")
    both = session.incidents.rows_placed
    assert both > first_rows
    project = tmp_path / "work.ldwproj"
    assert actions.save_project_as(project)
    saved = load_project(project)
    assert [Path(s.path).name for s in saved.all_incidents] == [m.name for m in months]
    assert actions.new_project() and actions.open_project(project)
    qtbot.waitUntil(lambda: session.incidents is not None, timeout=60_000)
    assert session.incidents.rows_placed == both                   # every import reopened
    assert _import(qtbot, session, pool, months[0], answer="replace") == [True]
    assert session.incidents.months == ("2019-08",) and session.extra_incident_sources == ()


def test_folder_preview_lists_every_csv_imported_or_skipped(qtbot, pack, pool, months, tmp_path):
    folder = months[0].parent
    (folder / "2019-09-metropolitan-street.csv.gz").rename(
        folder / "2019-09-metropolitan-street (1).csv.gz")
    (folder / "2019-08-metropolitan-outcomes.csv").write_text(
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Outcome type\n")
    dialog = ImportDialog(Session(pack), workers=pool, path=folder)
    qtbot.addWidget(dialog)
    table = dialog.preview_table
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert rows["2019-09-metropolitan-street (1).csv.gz"] == "import"
    assert rows["2019-08-metropolitan-street.csv.gz"] == "import"
    assert rows["2019-08-metropolitan-outcomes.csv"].startswith("skipped: police.uk outcomes")
    assert "2 CSV file(s) to import, 1 skipped" in dialog.kind_label.text()


def test_named_pipe_is_refused_by_the_dialog_without_blocking(qtbot, pack, pool, tmp_path):
    import os
    fifo = tmp_path / "2019-08-metropolitan-street.csv"
    os.mkfifo(fifo)
    dialog = ImportDialog(Session(pack), workers=pool, path=fifo)   # would block on open()
    qtbot.addWidget(dialog)
    assert "named pipe" in dialog.problem_label.text()
    assert not dialog.import_button.isEnabled()


def test_start_up_removes_temp_files_a_killed_save_left(qtbot, app, tmp_path):
    """kill -9 mid-save leaves '.<name>.<random>.tmp' beside the project; the next start
    (check_recovery, run once the window is shown) removes it and keeps the project."""
    import os
    import time

    from workstation.project import add_recent
    window, session, actions = app
    project = tmp_path / "work.ldwproj"
    assert actions.save_project_as(project)
    add_recent(project)
    stale = tmp_path / ".work.ldwproj.ab12cd34.tmp"
    stale.write_bytes(b"")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    actions.check_recovery(ask=lambda rec: False)
    assert not stale.exists() and project.exists()
