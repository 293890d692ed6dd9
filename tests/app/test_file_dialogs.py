"""File dialogs open in the user's Documents folder, then where the user last chose."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

from workstation.app.file_dialogs import documents_folder, remember, start_path


def _settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def test_first_dialog_starts_in_documents(qapp, tmp_path):
    settings = _settings(tmp_path)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert documents_folder() == (documents or str(Path.home()))
    assert start_path(settings=settings) == documents_folder()
    assert start_path("plan.xlsx", settings=settings) == str(Path(documents_folder()) / "plan.xlsx")


def test_the_last_chosen_folder_is_remembered(qapp, tmp_path):
    settings = _settings(tmp_path)
    folder = tmp_path / "Plans – Ünïcode"
    folder.mkdir()
    assert remember(str(folder / "autumn.ldwproj"), settings=settings)
    assert start_path("report.pdf", settings=settings) == str(folder / "report.pdf")
    # a remembered folder that has gone falls back to Documents; a cancelled dialog ("")
    # changes nothing
    folder.rmdir()
    assert remember("", settings=settings) == ""
    assert start_path(settings=settings) == documents_folder()
    # an absolute suggestion (e.g. the field's current path) is shown as it is
    assert start_path("/data/strength.csv", settings=settings) == "/data/strength.csv"
