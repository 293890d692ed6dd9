"""Import dialog on real police.uk and police.uk-table files; bad files leave the session
untouched and show the loader's specific message."""

import pytest
from PySide6.QtWidgets import QMessageBox

from workstation.app.dialogs import ERROR_DIALOG_NAME
from workstation.app.import_dialog import ImportDialog


def _dialog(qtbot, session, pool, path):
    dialog = ImportDialog(session, workers=pool, path=path)
    qtbot.addWidget(dialog)
    return dialog


def _run(qtbot, dialog):
    task = dialog.start_import()
    assert task is not None
    with qtbot.waitSignals([task.sig_finished], timeout=120_000,
                           raising=True, order="none"):
        pass
    return task


def test_police_uk_month_previews_and_imports(qtbot, session, pool, shared_data):
    path = shared_data / "police_uk_burglary" / "2019-08-metropolitan-street.csv.gz"
    dialog = _dialog(qtbot, session, pool, path)
    assert dialog.kind == "police_uk"
    assert dialog.import_button.isEnabled()
    assert dialog.preview_table.rowCount() == 20
    headers = [dialog.preview_table.horizontalHeaderItem(c).text()
               for c in range(dialog.preview_table.columnCount())]
    assert "Crime type" in headers and "Latitude" in headers
    assert "EPSG:4326" in dialog.crs_label.text()
    _run(qtbot, dialog)
    incidents = session.incidents
    assert incidents is not None and incidents.rows_placed > 1000
    assert set(incidents.frame["crime_type"].astype(str)) == {"Burglary"}
    assert session.incidents_path == path
    assert session.incidents_source.kind == "police_uk"
    assert session.dirty


def test_table_preview_mapping_override_and_import(qtbot, session, pool, shared_data):
    path = shared_data / "incidents" / "police_uk_2016-06_metropolitan_stop_and_search.csv"
    dialog = _dialog(qtbot, session, pool, path)
    assert dialog.kind == "table" and dialog.mapping_box.isEnabled()
    mapping = dialog.mapping()
    assert mapping["latitude"] == "Latitude" and mapping["longitude"] == "Longitude"
    assert "Date" in (mapping.get("datetime"), mapping.get("date"))
    assert "EPSG:4326" in dialog.crs_label.text()
    # Override: use "Object of search" as the incident type.
    combo = dialog.mapping_combos["crime_type"]
    combo.setCurrentIndex(combo.findData("Object of search"))
    assert dialog.mapping()["crime_type"] == "Object of search"
    _run(qtbot, dialog)
    incidents = session.incidents
    assert incidents.rows_placed > 1000
    assert "Controlled drugs" in set(incidents.frame["crime_type"].astype(str))
    assert session.incidents_source.column_mapping["crime_type"] == "Object of search"
    assert incidents.frame["occurred_at"].notna().all()


def test_bad_file_shows_error_and_leaves_session_unchanged(qtbot, session, pool, tmp_path):
    # Coordinates in Manchester: a well-formed file the loader must refuse for London.
    bad = tmp_path / "manchester_cad.csv"
    bad.write_text("Incident ref,Date,Latitude,Longitude,Type\n"
                   "GMP-1,03/02/2024 22:15,53.4808,-2.2426,Assault\n"
                   "GMP-2,03/02/2024 23:40,53.4794,-2.2453,Theft\n", encoding="utf-8")
    before = (session.incidents, session.incidents_path, session.dirty)
    dialog = _dialog(qtbot, session, pool, bad)
    assert dialog.import_button.isEnabled()
    task = dialog.start_import()
    with qtbot.waitSignal(task.sig_failed, timeout=60_000) as blocker:
        pass
    box = dialog.findChild(QMessageBox, ERROR_DIALOG_NAME)
    assert box is not None
    assert "lies in London" in box.text() and "manchester_cad.csv" in box.text()
    assert box.informativeText() == ""         # a data problem, not a program fault
    assert str(blocker.args[0]) in box.text()
    assert (session.incidents, session.incidents_path, session.dirty) == before
    assert dialog.import_button.isEnabled()      # the analyst can fix the mapping and retry


def test_unreadable_file_is_refused_at_preview(qtbot, session, pool, tmp_path):
    bad = tmp_path / "export.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    dialog = _dialog(qtbot, session, pool, bad)
    assert not dialog.import_button.isEnabled()
    assert "export.csv" in dialog.problem_label.text()
    assert session.incidents is None


def test_missing_path(qtbot, session, pool, tmp_path):
    dialog = _dialog(qtbot, session, pool, tmp_path / "nope.csv")
    assert "not found" in dialog.problem_label.text()
    assert not dialog.import_button.isEnabled()
