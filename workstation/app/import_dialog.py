"""File → Import incidents: a police.uk street CSV, folder or zip, or a CAD/CRIS table.

Before anything is loaded the dialog shows the first rows, the column mapping the loader
detected (each role has a combo box to override it) and the coordinate system it
detected from the values. The load itself runs in a worker with progress and Cancel.
A file the loader rejects shows its specific InputError in an error dialog and leaves
the session exactly as it was (loaders return new objects; we only hand a finished
IncidentSet to the session).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QMessageBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workstation.app.dialogs import show_error
from workstation.app.session import Session
from workstation.app.workers import TaskHandle, WorkerPool
from workstation.errors import InputError, WorkstationError
from workstation.project.model import IncidentSource

IMPORT_TASK = "import-incidents"
PREVIEW_ROWS = 20
NONE_LABEL = "(not used)"

# Roles shown for override, with what each means (the loader's mapping keys).
ROLE_LABELS = {
    "datetime": "Date and time",
    "date": "Date (if separate)",
    "time": "Time (if separate)",
    "month": "Month",
    "crime_type": "Incident / crime type",
    "latitude": "Latitude (degrees)",
    "longitude": "Longitude (degrees)",
    "easting": "Easting (metres, BNG)",
    "northing": "Northing (metres, BNG)",
    "x": "X (system from values)",
    "y": "Y (system from values)",
    "id": "Incident reference",
    "force": "Force",
}
CRS_LABELS = {"EPSG:4326": "WGS84 longitude/latitude (EPSG:4326)",
              "EPSG:27700": "British National Grid metres (EPSG:27700)"}


def _is_police_uk_bundle(path: Path) -> bool:
    return path.is_dir() or path.name.lower().endswith(".zip")


def _police_uk_members(path: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """The CSVs an import of this folder/zip reads, and those it skips with the reason
    (``loaders.police_uk.list_sources``: the same rule the import uses)."""
    from workstation.loaders.police_uk import list_sources
    listing = list_sources(path)
    prefix = f"{path.name}/" if not path.is_dir() else ""
    names = [s.name[len(prefix):] if s.name.startswith(prefix) else s.name
             for s in listing.sources]
    return names, list(listing.skipped)


class ImportDialog(QDialog):
    """Preview, map columns, then import in the background."""

    sig_imported = Signal(object)   # IncidentSet, after it was handed to the session

    def __init__(self, session: Session, *, workers: WorkerPool | None = None,
                 path: str | Path | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import incidents")
        self.resize(900, 640)
        self.session = session
        self.workers = workers if workers is not None else WorkerPool(self)
        self.path: Path | None = None
        self.kind = "table"
        self.preview: Any = None
        self.task: TaskHandle | None = None
        self.mapping_combos: dict[str, QComboBox] = {}
        # Asked when incidents are already open: returns "add", "replace" or "cancel".
        self.ask_add_or_replace = self._ask_add_or_replace_dialog
        self.activity: str | None = None       # "stop and search" / "outcomes" (police.uk)
        self.profile_fit: Any = None           # the ProfileFit offered after the import
        # (dialog, fit, rows) -> bool; tests replace the modal question
        self.confirm_profiles = None
        self._build()
        if path is not None:
            self.set_path(path)

    # --- layout ------------------------------------------------------------------------
    def _build(self) -> None:
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("police.uk CSV, folder or zip; or a CSV/XLSX/Parquet table")
        self.path_edit.editingFinished.connect(lambda: self.set_path(self.path_edit.text()))
        file_button = QPushButton("File…")
        file_button.clicked.connect(self._choose_file)
        folder_button = QPushButton("Folder…")
        folder_button.setToolTip("A folder of police.uk monthly street CSVs")
        folder_button.clicked.connect(self._choose_folder)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(file_button)
        path_row.addWidget(folder_button)

        self.kind_label = QLabel()
        self.crs_label = QLabel()
        self.crs_label.setToolTip("Detected from the coordinate values: degrees or metres")
        self.preview_table = QTableWidget()
        self.preview_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.preview_table.verticalHeader().setVisible(False)

        self.mapping_box = QGroupBox("Columns (detected; change any that are wrong)")
        self.mapping_form = QFormLayout(self.mapping_box)
        for role, label in ROLE_LABELS.items():
            combo = QComboBox()
            combo.setToolTip(f"The file's column holding: {label.lower()}")
            combo.currentIndexChanged.connect(self._on_mapping_changed)
            self.mapping_combos[role] = combo
            self.mapping_form.addRow(label, combo)

        self.warnings_list = QListWidget()
        self.warnings_list.setMaximumHeight(90)
        self.warnings_list.setToolTip("Problems found in the first rows; the import may still work")
        self.problem_label = QLabel()
        self.problem_label.setObjectName("importProblem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #b00020;")
        self.problem_label.hide()

        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.kind_label)
        top_layout.addWidget(self.crs_label)
        top_layout.addWidget(self.preview_table, 1)
        middle = QHBoxLayout()
        middle.addWidget(top, 3)
        middle.addWidget(self.mapping_box, 2)

        layout = QVBoxLayout(self)
        layout.addLayout(path_row)
        layout.addLayout(middle, 1)
        layout.addWidget(QLabel("Warnings"))
        layout.addWidget(self.warnings_list)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import incidents", self.path_edit.text(),
            "Incident files (*.csv *.csv.gz *.zip *.xlsx *.parquet);;All files (*)")
        if path:
            self.set_path(path)

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Folder of police.uk CSVs",
                                                self.path_edit.text())
        if path:
            self.set_path(path)

    # --- preview -----------------------------------------------------------------------
    def set_path(self, path: str | Path) -> None:
        """Preview ``path``. Problems are shown in the dialog; nothing is loaded yet."""
        text = str(path).strip()
        self.path_edit.setText(text)
        self._clear_preview()
        if not text:
            return
        self.path = Path(text).expanduser()
        try:
            self._preview(self.path)
        except WorkstationError as exc:
            self._show_problem(str(exc))
            return
        except (OSError, ValueError) as exc:     # unreadable file the loader did not name
            self._show_problem(str(InputError(f"cannot be previewed ({exc})", path=self.path)))
            return
        self.import_button.setEnabled(True)

    def _clear_preview(self) -> None:
        self.preview = None
        self.kind = "table"
        self.preview_table.clear()
        self.preview_table.setRowCount(0)
        self.preview_table.setColumnCount(0)
        self.warnings_list.clear()
        self.problem_label.hide()
        self.kind_label.clear()
        self.crs_label.clear()
        self.import_button.setEnabled(False)
        for combo in self.mapping_combos.values():
            combo.blockSignals(True)
            combo.clear()
            combo.blockSignals(False)
        self.mapping_box.setEnabled(False)

    def _show_problem(self, message: str) -> None:
        self.problem_label.setText(message)
        self.problem_label.show()
        self.import_button.setEnabled(False)

    def _preview(self, path: Path) -> None:
        from workstation.loaders import incident_table, police_uk

        if not path.exists():
            raise InputError("file or folder not found", path=path)
        if _is_police_uk_bundle(path):
            members, skipped = _police_uk_members(path)
            self.kind = "police_uk"
            self.kind_label.setText(
                f"police.uk download: {len(members)} CSV file(s) to import"
                + (f", {len(skipped)} skipped" if skipped else ""))
            self.crs_label.setText("Coordinates: " + CRS_LABELS["EPSG:4326"])
            rows = [(m, "import") for m in members] + [(n, f"skipped: {r}") for n, r in skipped]
            self._fill_rows(("file", "action"), tuple(rows))
            self.warnings_list.addItems([f"{n} will be skipped: {r}" for n, r in skipped])
            return
        preview = incident_table.preview_table(path, PREVIEW_ROWS)
        self.preview = preview
        if police_uk.is_police_uk_header(list(preview.columns)):
            self.kind = "police_uk"
            self.kind_label.setText("police.uk street CSV (columns are fixed)")
        else:
            self.kind = "table"
            self.kind_label.setText(f"Incident table: {len(preview.columns)} columns")
            self.mapping_box.setEnabled(True)
        self._fill_rows(preview.columns, preview.rows)
        self._fill_mapping(preview.columns, preview.mapping)
        self._show_crs(preview.crs)
        self.warnings_list.addItems(list(preview.warnings))
        from workstation.loaders.record_kind import ACTIVITY_REASON, activity_kind
        self.activity = activity_kind(preview.columns)
        if self.activity is not None:
            self.warnings_list.addItem(f"This is {ACTIVITY_REASON[self.activity]}: it can be "
                                       "shown on the map but will not set time-of-day profiles.")

    def _fill_rows(self, columns: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> None:
        self.preview_table.setColumnCount(len(columns))
        self.preview_table.setHorizontalHeaderLabels(list(columns))
        self.preview_table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                self.preview_table.setItem(r, c, QTableWidgetItem(value))
        self.preview_table.resizeColumnsToContents()

    def _fill_mapping(self, columns: tuple[str, ...], mapping: dict[str, str]) -> None:
        for role, combo in self.mapping_combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(NONE_LABEL, "")
            for column in columns:
                combo.addItem(column, column)
            combo.setCurrentIndex(max(0, combo.findData(mapping.get(role, ""))))
            combo.blockSignals(False)

    def _show_crs(self, crs: str | None) -> None:
        if crs:
            self.crs_label.setText("Coordinates: " + CRS_LABELS.get(crs, crs))
        else:
            self.crs_label.setText("Coordinates: not detected — check the coordinate columns")

    def mapping(self) -> dict[str, str]:
        """The mapping as chosen in the combo boxes (role -> column)."""
        return {role: combo.currentData() for role, combo in self.mapping_combos.items()
                if combo.currentData()}

    def _on_mapping_changed(self) -> None:
        """Re-detect the CRS and warnings with the analyst's mapping."""
        if self.path is None or self.kind != "table":
            return
        from workstation.loaders import incident_table
        try:
            preview = incident_table.preview_table(self.path, PREVIEW_ROWS, mapping=self.mapping())
        except WorkstationError as exc:
            self._show_problem(str(exc))
            return
        self.problem_label.hide()
        self.import_button.setEnabled(True)
        self.preview = preview
        self._show_crs(preview.crs)
        self.warnings_list.clear()
        self.warnings_list.addItems(list(preview.warnings))

    # --- import ------------------------------------------------------------------------
    def start_import(self) -> TaskHandle | None:
        if self.path is None:
            return None
        from workstation.loaders import import_incidents

        mapping = self.mapping() if self.kind == "table" else None
        boroughs = self.session.pack.table("boroughs")
        self.task = task = self.workers.start(IMPORT_TASK, import_incidents, self.path,
                                              mapping=mapping, boroughs=boroughs)
        task.sig_progress.connect(self._on_progress)
        task.sig_finished.connect(lambda result, t=task: self._on_finished(t, result))
        task.sig_failed.connect(lambda exc, t=task: self._on_failed(t, exc))
        task.sig_cancelled.connect(lambda t=task: self._on_cancelled(t))
        self._set_running(True)
        return task

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.progress.setValue(0)
        self.import_button.setEnabled(not running)
        self.path_edit.setEnabled(not running)
        self.mapping_box.setEnabled(not running and self.kind == "table")

    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(round(fraction * 1000)))
        self.progress.setFormat(f"{message} – %p%" if message else "%p%")

    def _on_cancel_clicked(self) -> None:
        if self.task is not None and not self.task.done:
            self.task.cancel()          # the dialog closes when the worker has stopped
            self.progress.setFormat("Cancelling…")
        else:
            self.reject()

    def _on_finished(self, task: TaskHandle, incidents: Any) -> None:
        if task is not self.task:
            return
        self._set_running(False)
        source = IncidentSource(path=str(self.path), kind=self.kind,
                                column_mapping=self.mapping() if self.kind == "table" else {},
                                crs=getattr(self.preview, "crs", None))
        try:   # size and SHA-256, so reopening can tell a moved or changed source
            from workstation.project.sources import with_fingerprint
            source = with_fingerprint(source, self.path)
        except OSError:
            pass
        s = self.session
        choice = self.ask_add_or_replace() if s.incidents is not None else "replace"
        if choice == "cancel":
            self.reject()
            return
        if choice == "add":
            from workstation.loaders.incidents import concat_incident_sets
            merged = concat_incident_sets([s.incidents, incidents])
            first = s.incidents_source
            if first is not None and getattr(first, "store_path", None):
                from dataclasses import replace as _replace
                first = _replace(first, store_path=None)   # the kept copy is now partial
            s.set_incidents(merged, s.incidents_path, first,
                            extra_sources=(*s.extra_incident_sources, source))
            incidents = merged
        else:
            s.set_incidents(incidents, self.path, source)
        placed = getattr(incidents, "rows_placed", None)
        unplaced = getattr(incidents, "rows_unplaced", None)
        if placed is not None:
            skipped = len(getattr(incidents, "skipped", ()) or ())
            self.session.status(f"Imported {placed:,} incidents from {self.path.name}"
                                + (f" ({unplaced:,} rows could not be placed)" if unplaced else "")
                                + (f"; {skipped} file(s) skipped, see the import preview"
                                   if skipped else ""))
        if hasattr(incidents, "frame"):
            self._offer_profiles(incidents)
        self.sig_imported.emit(incidents)
        self.accept()

    def _ask_add_or_replace_dialog(self) -> str:
        """A second import: add it to the incidents already open, or replace them?"""
        box = QMessageBox(QMessageBox.Icon.Question, "Import incidents",
                          "Incidents are already imported. Add these to them, or replace "
                          "them?", parent=self)
        add = box.addButton("&Add to them", QMessageBox.ButtonRole.AcceptRole)
        replace_button = box.addButton("&Replace them", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(add)
        box.exec()
        clicked = box.clickedButton()
        return "add" if clicked is add else "replace" if clicked is replace_button else "cancel"

    def _offer_profiles(self, incidents: Any) -> None:
        """A timestamped import times demand only for the crime types it holds enough of,
        only if the user agrees here after seeing each fitted profile beside the default;
        activity files (stop and search, outcomes) never do. The choice is stored in the
        scenario (``extra.fit_profiles_from_import``), so the plan and the project follow it."""
        from workstation.deploy.demand import fit_profiles, profile_comparison, refused_fit
        from workstation.loaders.record_kind import ACTIVITY_REASON

        fit = (refused_fit(incidents, ACTIVITY_REASON[self.activity]) if self.activity
               else fit_profiles(incidents))
        self.profile_fit = fit
        agreed = False
        if fit.profiles:
            scenario = self.session.scenario
            rows = profile_comparison(fit, scenario.extra.get("demand_table_csv"),
                                      pack=self.session.pack)
            agreed = bool((self.confirm_profiles or _ask_profiles)(self, fit, rows))
        scenario = self.session.scenario
        extra = dict(scenario.extra)
        extra["fit_profiles_from_import"] = agreed
        self.session.set_scenario(scenario.with_changes(extra=extra),
                                  "Time-of-day profiles from import")
        if agreed:
            self.session.status(f"Time of day fitted from {fit.source} for "
                                + ", ".join(fit.fitted))
        else:
            why = "; ".join(f"{k}: {v}" for k, v in sorted(fit.refused.items()))
            self.session.status("Time-of-day profiles unchanged"
                                + (" (you kept the defaults)" if fit.profiles else "")
                                + (f": {why}" if why else ""))

    def _on_failed(self, task: TaskHandle, exc: BaseException) -> None:
        if task is not self.task:
            return
        self._set_running(False)
        show_error(self, exc, title="Import incidents", context="Import failed")

    def _on_cancelled(self, task: TaskHandle) -> None:
        if task is not self.task:
            return
        self._set_running(False)
        self.session.status("Import cancelled")
        self.reject()

    def reject(self) -> None:
        if self.task is not None and not self.task.done:
            self.task.cancel()
            return      # closes from _on_cancelled once the worker stopped
        super().reject()


PROFILE_DIALOG_NAME = "profileFitDialog"


def _ask_profiles(parent: QWidget, fit: Any, rows: list[dict]) -> bool:
    """Modal: the fitted profile of each type beside its default; Use or Keep."""
    dialog = QDialog(parent)
    dialog.setObjectName(PROFILE_DIALOG_NAME)
    dialog.setWindowTitle("Use time-of-day profiles from this import?")
    layout = QVBoxLayout(dialog)
    text = QLabel(f"{fit.source} has timestamps for {len(rows)} demand type(s). Fitted "
                  "profiles replace the documented assumptions for these types only; the "
                  "plan's basis will name this file. Weekday hours 00-23, and the share of "
                  "the week in the 07-15 / 15-23 / 23-07 shifts:")
    text.setWordWrap(True)
    layout.addWidget(text)
    columns = [("demand_type", "Type"), ("timed_incidents", "Timed"),
               ("fitted_weekday", "Fitted (weekday)"), ("default_weekday", "Default (weekday)"),
               ("fitted_shift_shares", "Fitted shifts"), ("default_shift_shares", "Default shifts"),
               ("fitted_peak_hour", "Fitted peak"), ("default_peak_hour", "Default peak")]
    table = QTableWidget(len(rows), len(columns))
    table.setHorizontalHeaderLabels([label for _, label in columns])
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for r, row in enumerate(rows):
        for c, (key, _) in enumerate(columns):
            table.setItem(r, c, QTableWidgetItem(str(row[key])))
    table.resizeColumnsToContents()
    layout.addWidget(table, 1)
    if fit.refused:
        refused = QLabel("Not fitted: " + "; ".join(f"{k} ({v})" for k, v in sorted(fit.refused.items())))
        refused.setWordWrap(True)
        layout.addWidget(refused)
    buttons = QDialogButtonBox()
    buttons.addButton("Use fitted profiles", QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.addButton("Keep default profiles", QDialogButtonBox.ButtonRole.RejectRole)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    dialog.resize(900, 320)
    return dialog.exec() == QDialog.DialogCode.Accepted
