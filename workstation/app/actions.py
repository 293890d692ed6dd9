"""Menu actions for the main window: File, Edit and Help.

``main_window.py`` wires them as below. The actions also keep the window title as
"<project>[*] — London Deployment Workstation" with Qt's unsaved-changes marker::

    from workstation.app.actions import build_actions
    self.actions = build_actions(self, session)          # keep a reference
    file_menu = self.menuBar().addMenu("&File")
    for item in self.actions.file_menu_items():          # QAction, QMenu or None (separator)
        add_menu_item(file_menu, item)                   # addAction / addMenu / addSeparator
    # likewise edit_menu_items(), help_menu_items()
    self.actions.layer_visibility_getter = self.layer_panel.visibility   # optional hooks:
    self.actions.layer_visibility_setter = self.layer_panel.set_visibility
    self.actions.map_image_provider = self.canvas.grab                   # -> QPixmap/QImage
    self.actions.check_recovery()                        # once the window is shown
    # in closeEvent: if not self.actions.maybe_save(): event.ignore(); return
    #                self.actions.shutdown()

Every action that needs a file takes an optional path (tests and scripts pass one; the
menu shows a file dialog). Exporter modules are imported when an export runs, so that
reportlab and matplotlib do not load at start-up.
Exports and incident reloads run in the shared ``WorkerPool``; saving a project is a
small atomic JSON write (plus the incident store), done on the GUI thread.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from workstation.app.dialogs import data_sources_dialog, method_dialog, show_about, show_error
from workstation.app.session import Session
from workstation.app.workers import TaskHandle, WorkerPool
from workstation.deploy.scenario import HARM_WEIGHTS_KEY
from workstation.errors import InputError, OutputError, WorkstationError
from workstation.project import (
    PROJECT_SUFFIX,
    IncidentSource,
    ProjectFile,
    ViewState,
    add_recent,
    load_project,
    load_recent,
    remove_recent,
    resolve_source_path,
    save_project,
)
from workstation.app.file_dialogs import remember, start_path

_log = logging.getLogger(__name__)

PROJECT_FILTER = f"Workstation projects (*{PROJECT_SUFFIX})"
EXPORT_TASK = "export"
LOAD_INCIDENTS_TASK = "reload-incidents"

# name -> (module, function, file filter, default suffix, needs a plan)
EXPORTERS = {
    "plan_csv": ("workstation.exports.plan_csv", "write_plan_csv", "CSV (*.csv)", ".csv", True),
    "plan_xlsx": ("workstation.exports.plan_xlsx", "write_plan_xlsx", "Excel workbook (*.xlsx)",
                  ".xlsx", True),
    "report_pdf": ("workstation.exports.report", "write_report", "PDF report (*.pdf)", ".pdf",
                   True),
    "geopackage": ("workstation.exports.geopackage", "write_geopackage",
                   "GeoPackage (*.gpkg)", ".gpkg", False),
}


def _safe_name(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_ " else "_" for c in text).strip() or "plan"


KEEP_INCIDENTS_KEY = "project/keep_incident_copy"


def _settings():
    from workstation.app.main_window import default_settings
    return default_settings()


class Actions(QObject):
    """All menu actions plus the project bookkeeping behind File (new/open/save/autosave)."""

    def __init__(self, window: QWidget, session: Session, *, workers: WorkerPool | None = None):
        super().__init__(window)
        self.window = window
        self.session = session
        self.workers = workers if workers is not None else WorkerPool(self)
        self.created_utc: str | None = None
        # Hooks the main window may set (layer panel, map); defaults do nothing.
        self.layer_visibility_getter: Callable[[], dict[str, bool]] = lambda: {}
        self.layer_visibility_setter: Callable[[dict[str, bool]], None] = lambda _v: None
        # Reference layers (File > Add reference layer): the map's list, and how to rebuild it.
        self.reference_layers_getter: Callable[[], tuple] = lambda: ()
        self.reference_layers_setter: Callable[[tuple, Path | None], None] = lambda _r, _p: None
        self.map_image_provider: Callable[[], Any] | None = None
        # What else a project restores (the main window sets these): the choropleth
        # metric, and a runner that recomputes the plan when the project had one.
        self.metric_getter: Callable[[], str] = lambda: ""
        self.metric_setter: Callable[[str], None] = lambda _key: None
        self.plan_runner: Callable[[], Any] | None = None
        self._pending_view: ViewState | None = None
        session.sig_plan_changed.connect(self._restore_metric_after_plan)
        # Asked before discarding unsaved changes: returns "save", "discard" or "cancel".
        self.ask_unsaved: Callable[[], str] = self._ask_unsaved_dialog
        # Asked when a project's incident source moved or changed: (SourceCheck, reply);
        # reply(a located Path | "as-is" | None to skip), possibly later (non-blocking).
        self.ask_locate_source: Callable[[Any, Callable[[Any], None]], None] = \
            self._ask_locate_source_dialog
        self.last_export: Path | None = None
        self._build()
        session.sig_plan_changed.connect(lambda *_: self._update_enabled())
        session.sig_incidents_changed.connect(lambda *_: self._update_enabled())
        self._update_enabled()
        # This copy's recovery slot (locked with QLockFile) and the debounced autosave:
        # every change restarts a short timer; its timeout writes the recovery file.
        from workstation.app.recovery import RecoveryKeeper
        self.recovery = RecoveryKeeper(self.project_from_session,
                                       lambda: self.session.project_path,
                                       lambda: self.session.dirty, self)
        self.autosave_timer = self.recovery.timer
        for signal in (session.sig_scenario_changed, session.sig_comparison_scenario_changed,
                       session.sig_incidents_changed, session.sig_time_changed,
                       session.sig_selection_changed, session.sig_project_changed):
            signal.connect(self.recovery.schedule)
        if window.isWindow():
            # "<project>[*] — London Deployment Workstation"; Qt shows "*" while unsaved.
            session.sig_project_changed.connect(self._update_title)
            self._update_title()

    def _update_title(self) -> None:
        self.window.setWindowTitle(window_title(self.session))
        self.window.setWindowModified(self.session.dirty)

    # --- construction ------------------------------------------------------------------
    def _action(self, text: str, slot: Callable[[], Any], shortcut: Any = None,
                tip: str = "") -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                action.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build(self) -> None:
        K = QKeySequence.StandardKey
        self.new = self._action("&New project", self.new_project, K.New,
                                "Start a new project with the default scenario")
        self.open = self._action("&Open project…", self.open_project, K.Open)
        self.save = self._action("&Save project", self.save_project, K.Save)
        self.save_as = self._action("Save project &as…", self.save_project_as, "Ctrl+Shift+S")
        self.recent_menu = QMenu("Open &recent", self.window)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.import_incidents = self._action(
            "&Import incidents…", self.open_import_dialog, "Ctrl+I",
            "Import a police.uk CSV/folder/zip or a CAD/CRIS table")
        self.keep_incidents = QAction("&Keep imported incidents with the project", self.window)
        self.keep_incidents.setCheckable(True)
        # Off unless the analyst opts in: the copy holds sensitive incident rows.
        self.keep_incidents.setChecked(bool(_settings().value(KEEP_INCIDENTS_KEY, False,
                                                              type=bool)))
        tip = ("On save, keep a copy of the imported incidents beside the project "
               "(<project>.incidents/, Parquet) so it reopens quickly without the source "
               "file. Off: the project records only where the incidents came from. The copy "
               "holds incident rows: treat it as sensitive.")
        self.keep_incidents.setStatusTip(tip)
        self.keep_incidents.setToolTip(tip)
        self.keep_incidents.toggled.connect(
            lambda on: _settings().setValue(KEEP_INCIDENTS_KEY, bool(on)))
        self.export_menu = QMenu("&Export", self.window)
        self.export_plan_csv = self._action("Plan as &CSV…", lambda: self.export("plan_csv"))
        self.export_plan_xlsx = self._action("Plan as &Excel workbook…",
                                             lambda: self.export("plan_xlsx"))
        self.export_report_pdf = self._action(
            "&Report (PDF, partner-safe)…", lambda: self.export("report_pdf"),
            tip="The deployment report; small incident counts are suppressed")
        self.export_geopackage = self._action(
            "&GeoPackage (partner-safe)…", lambda: self.export("geopackage"),
            tip="Plan, hotspots and flows as GIS layers; incidents as suppressed grid counts")
        self.export_map_png = self._action("&Map as PNG…", self.export_map_image)
        self._export_actions = {"plan_csv": self.export_plan_csv,
                                "plan_xlsx": self.export_plan_xlsx,
                                "report_pdf": self.export_report_pdf,
                                "geopackage": self.export_geopackage}
        for action in (*self._export_actions.values(), self.export_map_png):
            self.export_menu.addAction(action)

        self.undo = self.session.undo_stack.createUndoAction(self.window, "&Undo")
        self.undo.setShortcuts([QKeySequence(K.Undo)])
        self.redo = self.session.undo_stack.createRedoAction(self.window, "&Redo")
        self.redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence(K.Redo)])

        self.help_method = self._action("&Method", self.show_method, "F1",
                                        "How every number in the plan is produced")
        self.help_data = self._action("&Data sources and licences", self.show_data_sources)
        self.about = self._action("&About", self.show_about)

    def file_menu_items(self) -> list[QAction | QMenu | None]:
        return [self.new, self.open, self.recent_menu, None, self.save, self.save_as, None,
                self.import_incidents, self.keep_incidents, self.export_menu]

    def edit_menu_items(self) -> list[QAction | QMenu | None]:
        return [self.undo, self.redo]

    def help_menu_items(self) -> list[QAction | QMenu | None]:
        return [self.help_method, self.help_data, None, self.about]

    def _update_enabled(self) -> None:
        has_plan = self.session.plan is not None
        for name, action in self._export_actions.items():
            needs_plan = EXPORTERS[name][4]
            if needs_plan and not has_plan:
                action.setEnabled(False)
                action.setToolTip("Recommend a deployment first")
            else:
                action.setEnabled(True)
                action.setToolTip(action.statusTip() or action.text().replace("&", ""))
        self.export_map_png.setEnabled(self.map_image_provider is not None)
        if self.map_image_provider is None:
            self.export_map_png.setToolTip("The map view is not available")

    # --- project: new / open / save ------------------------------------------------------
    def _ask_unsaved_dialog(self) -> str:
        answer = QMessageBox.question(
            self.window, "Unsaved changes", "Save the changes to this project first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(answer, "cancel")

    def maybe_save(self) -> bool:
        """True when it is fine to discard the current project (saved, or the user agreed)."""
        if not self.session.dirty:
            return True
        choice = self.ask_unsaved()
        if choice == "save":
            return self.save_project()
        return choice == "discard"

    def new_project(self) -> bool:
        if not self.maybe_save():
            return False
        self._apply_project(ProjectFile(), path=None)
        self.session.status("New project")
        return True

    def open_project(self, path: str | Path | None = None) -> bool:
        if not self.maybe_save():
            return False
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(self.window, "Open project", start_path(),
                                                    PROJECT_FILTER)
            if not remember(chosen):
                return False
            path = chosen
        path = Path(path)
        try:
            project = load_project(path)
        except WorkstationError as exc:
            if isinstance(exc, InputError) and "not found" in exc.message:
                remove_recent(path)
            show_error(self.window, exc, title="Open project")
            return False
        self._apply_project(project, path=path)
        add_recent(path)
        self.session.status(f"Opened {path.name}")
        return True

    def _apply_project(self, project: ProjectFile, *, path: Path | None) -> None:
        s = self.session
        self.workers.cancel(LOAD_INCIDENTS_TASK)
        self._reload_generation = getattr(self, "_reload_generation", 0) + 1
        s.set_scenario(project.scenario, "Open project")
        s.undo_stack.clear()                 # undo history belongs to the previous project
        s.set_comparison_scenario(project.comparison_scenario)
        s.set_plan(None)
        s.set_comparison(None)
        s.set_hotspots(None)
        s.set_incidents(None, None, None)
        s.set_time(project.view.day_type, project.view.hour)
        s.select(project.view.selected_code)
        self.layer_visibility_setter(dict(project.view.layer_visibility))
        self.reference_layers_setter(project.reference_layers, path)
        s.project_path = path
        self.created_utc = project.created_utc if path is not None else None
        self._restore_metric(project.view.choropleth_metric)
        # kept until the plan is recomputed (its arrival resets the metric to the gap)
        self._pending_view = project.view if project.view.plan_shown else None
        if project.incidents is not None:
            self._reload_incidents(project.all_incidents, path)  # then the plan, if shown
        else:
            QTimer.singleShot(0, self._rerun_plan)
        s.mark_dirty(False)
        s.undo_stack.setClean()
        s.sig_project_changed.emit()

    def _ask_locate_source_dialog(self, check: Any, reply: Callable[[Any], None]) -> None:
        """A source moved or changed: a window-modal (non-blocking) question whose answer
        goes to ``reply``: the located Path ("Locate…"), "as-is" ("Use it as it is now",
        only when it changed) or None ("Skip")."""
        from workstation.project.sources import CHANGED
        box = QMessageBox(QMessageBox.Icon.Warning, "Incident source",
                          check.message + ".", parent=self.window)
        box.setObjectName("locate_source_dialog")
        box.setInformativeText("Locate the file the project was made with, or skip these "
                               "incidents (the project opens without them).")
        locate = box.addButton("&Locate…", QMessageBox.ButtonRole.AcceptRole)
        as_is = (box.addButton("&Use it as it is now", QMessageBox.ButtonRole.YesRole)
                 if check.status == CHANGED else None)
        box.addButton("&Skip", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(locate)

        def answered(_result: int) -> None:
            clicked = box.clickedButton()
            box.deleteLater()
            if clicked is locate:
                if check.path.is_dir() or not check.path.suffix:
                    chosen = QFileDialog.getExistingDirectory(self.window,
                                                              "Locate incidents folder")
                else:
                    chosen, _ = QFileDialog.getOpenFileName(
                        self.window, f"Locate {check.path.name}", str(check.path.parent),
                        "Incident files (*.csv *.csv.gz *.zip *.xlsx *.parquet);;All files (*)")
                reply(Path(chosen) if chosen else None)
            else:
                reply("as-is" if as_is is not None and clicked is as_is else None)
        box.finished.connect(answered)
        box.open()

    def _resolve_sources(self, sources: list[IncidentSource], project_path: Path | None,
                         done: Callable[[list[tuple[IncidentSource, Path]], bool], None],
                         resolved: list | None = None, changed: bool = False) -> None:
        """Check each source against its stored size and SHA-256; a moved or changed one
        is located by the user (``ask_locate_source``, answered asynchronously) or skipped.
        Calls ``done(resolved, records_changed)`` with the (source, path) pairs to read."""
        from workstation.project.sources import CHANGED, MISSING, check_source, with_fingerprint
        resolved = [] if resolved is None else resolved
        while sources:
            source = sources[0]
            check = check_source(source, project_path)
            if check.status not in (MISSING, CHANGED):
                resolved.append((source, check.path))
                sources = sources[1:]
                continue

            def reply(choice: Any, source=source, check=check) -> None:
                rest = list(sources[1:])
                if isinstance(choice, Path):
                    located = check_source(source, path=choice)
                    if located.status != MISSING:
                        moved = replace(source, path=str(choice))
                        if located.status == CHANGED:   # not the same file: ask again
                            self._resolve_sources([moved, *rest], project_path, done,
                                                  resolved, True)
                            return
                        resolved.append((moved, choice))
                        self._resolve_sources(rest, project_path, done, resolved, True)
                        return
                    self._resolve_sources([source, *rest], project_path, done, resolved,
                                          changed)
                    return
                if choice == "as-is" and check.status == CHANGED:
                    resolved.append((with_fingerprint(source, check.path), check.path))
                    self.session.status(f"Using {check.path.name} as it is now (it changed "
                                        "since the import)")
                    self._resolve_sources(rest, project_path, done, resolved, True)
                    return
                self.session.status(f"Incidents not found: {check.path} (skipped; locate or "
                                    "import them again)" if check.status == MISSING else
                                    f"Incidents skipped: {check.path.name} changed since "
                                    "the import")
                _log.info("incident source skipped: %s", check.message)
                self._resolve_sources(rest, project_path, done, resolved, changed)
            self.ask_locate_source(check, reply)
            return
        done(resolved, changed)

    def _reload_incidents(self, sources: IncidentSource | tuple[IncidentSource, ...],
                          project_path: Path | None) -> None:
        """Read the kept copy if the analyst chose one and it is there, else re-import
        every source (checked: a moved or changed one is located or skipped)."""
        if isinstance(sources, IncidentSource):
            sources = (sources,)
        first = sources[0]
        store = resolve_source_path(first.store_path, project_path) if first.store_path else None
        if store is not None and store.exists():
            from workstation.loaders.store import load_incidents

            def fn(path, *, progress, cancel):
                return load_incidents(path)       # the copy holds every import together
            task = self.workers.start(LOAD_INCIDENTS_TASK, fn, store)
            self._when_loaded(task, [(s, resolve_source_path(s.path, project_path))
                                     for s in sources], False)
            return
        generation = self._reload_generation = getattr(self, "_reload_generation", 0) + 1

        def start(resolved: list, records_changed: bool) -> None:
            if generation != self._reload_generation:
                return                            # another project was opened meanwhile
            if not resolved:
                return
            from workstation.loaders import import_incidents
            from workstation.loaders.incidents import concat_incident_sets
            plan = [(str(where), src.column_mapping or None) for src, where in resolved]
            boroughs = self.session.pack.table("boroughs")   # read here, not on the worker

            def fn(*, progress, cancel):
                sets = [import_incidents(where, mapping=mapping, boroughs=boroughs,
                                         progress=progress, cancel=cancel)
                        for where, mapping in plan]
                return sets[0] if len(sets) == 1 else concat_incident_sets(sets)
            self._when_loaded(self.workers.start(LOAD_INCIDENTS_TASK, fn), resolved,
                              records_changed)
        self._resolve_sources(list(sources), project_path, start)

    def _when_loaded(self, task: TaskHandle, resolved: list, records_changed: bool) -> None:
        s = self.session

        def done(incidents: Any) -> None:
            was_dirty = s.dirty
            (src0, path0), extra = resolved[0], tuple(src for src, _ in resolved[1:])
            s.set_incidents(incidents, path0, src0, extra_sources=extra)
            s.mark_dirty(was_dirty or records_changed)   # reloading is not an edit
            s.status(f"Loaded {getattr(incidents, 'rows_placed', 0):,} incidents")
            self._rerun_plan()

        def failed(exc: BaseException) -> None:
            show_error(self.window, exc, title="Reload incidents")
            self._rerun_plan()
        task.sig_finished.connect(done)
        task.sig_failed.connect(failed)

    # --- what else was on screen -----------------------------------------------------------
    def _rerun_plan(self) -> None:
        """Recompute the plan of a reopened project that showed one (results are never
        stored, so a plan shown is always current), once its incidents are in."""
        view = self._pending_view
        if view is None or not view.plan_shown or self.plan_runner is None:
            return
        view_without_plan = replace(view, plan_shown=False)
        self._pending_view = view_without_plan
        try:
            self.plan_runner()
        except Exception as exc:  # noqa: BLE001 - reopening must not fail on a rerun
            _log.warning("could not recompute the plan of the reopened project: %s", exc)

    def _restore_metric(self, key: str) -> None:
        if not key:
            return
        try:
            self.metric_setter(key)
        except (ValueError, KeyError):
            pass   # needs a plan that is being recomputed: set when it arrives

    def _restore_metric_after_plan(self, plan: Any) -> None:
        view = self._pending_view
        if plan is None or view is None or not view.choropleth_metric:
            return
        # after the window's own reaction to a new plan (it switches to the gap metric)
        key = view.choropleth_metric
        self._pending_view = None if not view.plan_shown else view
        QTimer.singleShot(0, lambda: self._restore_metric(key))

    def project_from_session(self, path: Path | None = None) -> ProjectFile:
        s = self.session
        source = s.incidents_source
        if source is None and s.incidents_path is not None:
            source = IncidentSource(path=str(s.incidents_path))
        harm = s.scenario.extra.get(HARM_WEIGHTS_KEY)
        view = ViewState(day_type=s.day_type, hour=s.hour, selected_code=s.selected_code or "",
                         layer_visibility=dict(self.layer_visibility_getter() or {}),
                         choropleth_metric=str(self.metric_getter() or ""),
                         plan_shown=s.plan is not None)
        project = ProjectFile(scenario=s.scenario, comparison_scenario=s.comparison_scenario,
                              incidents=source,
                              more_incidents=tuple(getattr(s, "extra_incident_sources", ())),
                              harm_weights_path=harm, view=view,
                              reference_layers=tuple(self.reference_layers_getter()))
        if self.created_utc:
            project = replace(project, created_utc=self.created_utc)
        return project

    def _store_incidents(self, project: ProjectFile, path: Path) -> ProjectFile:
        """Save the imported incidents in the project's store (beside, never inside, the
        JSON) unless this project already has them stored."""
        s = self.session
        if s.incidents is None or project.incidents is None:
            return project
        if not self.keep_incidents.isChecked():   # the user chose paths only
            source = replace(project.incidents, store_path=None)
            s.incidents_source = source
            return replace(project, incidents=source)
        from workstation.loaders.store import incidents_folder, save_incidents

        folder = incidents_folder(path)
        stored = project.incidents.store_path
        if stored:
            existing = resolve_source_path(stored, path)
            if existing.exists() and existing.resolve().parent == folder.resolve():
                return project
        written = save_incidents(s.incidents, folder)
        relative = written.relative_to(path.parent) if written.is_relative_to(path.parent) else written
        source = replace(project.incidents, store_path=relative.as_posix())
        s.incidents_source = source
        return replace(project, incidents=source)

    def save_project(self) -> bool:
        if self.session.project_path is None:
            return self.save_project_as()
        return self._save_to(self.session.project_path)

    def save_project_as(self, path: str | Path | None = None) -> bool:
        if path is None:
            name = _safe_name(self.session.scenario.name) + PROJECT_SUFFIX
            chosen, _ = QFileDialog.getSaveFileName(self.window, "Save project as",
                                                    start_path(name),
                                                    PROJECT_FILTER)
            if not remember(chosen):
                return False
            path = chosen
        path = Path(path)
        if path.suffix != PROJECT_SUFFIX:
            path = path.with_name(path.name + PROJECT_SUFFIX)
        return self._save_to(path)

    def _save_to(self, path: Path) -> bool:
        try:
            project = self._store_incidents(self.project_from_session(), path)
            saved = save_project(project, path)
        except WorkstationError as exc:
            show_error(self.window, exc, title="Save project")
            return False
        s = self.session
        s.project_path = path
        self.created_utc = saved.created_utc
        s.mark_dirty(False)
        s.undo_stack.setClean()
        s.sig_project_changed.emit()
        self.recovery.saved()                # only this copy's recovery file
        add_recent(path)
        stored = saved.incidents.store_path if saved.incidents is not None else None
        s.status(f"Saved {path.name}" + (
            f"; imported incidents kept beside it in {Path(stored).parent.as_posix()}/ "
            "(incident rows: handle as sensitive)" if stored else ""))
        return True

    # --- recent files, autosave, recovery ------------------------------------------------
    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = load_recent()
        for path in recent:
            action = self.recent_menu.addAction(path.name)
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _c=False, p=path: self.open_project(p))
        if not recent:
            self.recent_menu.addAction("(none)").setEnabled(False)

    def autosave_now(self, *, force: bool = False) -> Path | None:
        """Write this copy's recovery file now if there are unsaved changes."""
        return self.recovery.autosave_now(force=force)

    def check_recovery(self, *, ask: Callable[[Any], bool] | None = None) -> bool:
        """Offer to restore autosaved work left by copies that did not close cleanly
        (killed, crashed, power cut); never another running copy's. True if restored."""
        from workstation.atomic import clean_stale_temp_files
        folders = {self.recovery.slot.path.parent}
        for recent in load_recent()[:10]:
            folders.add(recent.parent)
            folders.add(recent.with_name(recent.stem + ".incidents"))
        removed = clean_stale_temp_files(folders)
        if removed:
            _log.info("removed %d temporary file(s) left by an interrupted save", len(removed))
        if getattr(self, "_recovery_checked", False):
            return False
        self._recovery_checked = True       # once per start (the window and main both ask)
        orphans = self.recovery.orphans()
        if not orphans:
            return False
        if ask is None:
            def ask(rec: Any) -> bool:
                where = f" of {rec.original_path.name}" if rec.original_path else ""
                answer = QMessageBox.question(
                    self.window, "Recover unsaved work",
                    f"The workstation closed without saving. Restore the autosaved copy{where} "
                    f"from {rec.project.modified_utc}?")
                return answer == QMessageBox.StandardButton.Yes
        restored = False
        for found in orphans:
            if restored:
                continue                             # offered again at the next start
            if ask(found):
                self._apply_project(found.project, path=found.original_path)
                self.session.mark_dirty(True)        # restored work is not saved yet
                self.recovery.autosave_now()         # kept in this copy's slot first...
                self.session.status("Restored autosaved work; save it to keep it")
                restored = True
            self.recovery.done_with(found)           # ...then the old file goes
        self.recovery.release_claims()
        return restored

    def shutdown(self) -> None:
        """Call from the window's closeEvent after maybe_save() agreed."""
        self.workers.shutdown()
        self.recovery.shutdown()

    # --- import / export -----------------------------------------------------------------
    def open_import_dialog(self, path: str | Path | None = None):
        from workstation.app.import_dialog import ImportDialog

        dialog = ImportDialog(self.session, workers=self.workers, path=path, parent=self.window)
        dialog.setModal(True)
        dialog.show()
        return dialog

    def export(self, name: str, path: str | Path | None = None) -> TaskHandle | None:
        """Write one export in the worker pool (never on the GUI thread), with progress
        and Cancel in the status bar; a cancelled or failed export leaves no file."""
        module, function, file_filter, suffix, needs_plan = EXPORTERS[name]
        fn = getattr(importlib.import_module(module), function)
        s = self.session
        if needs_plan and s.plan is None:
            return None
        if path is None:
            default = _safe_name(s.scenario.name) + suffix
            chosen, _ = QFileDialog.getSaveFileName(self.window, "Export", start_path(default),
                                                  file_filter)
            if not remember(chosen):
                return None
            path = chosen
        path = Path(path)
        plan, pack, hotspots = s.plan, s.pack, s.hotspots
        incidents = s.incidents.frame if s.incidents is not None else None

        def run(*, progress, cancel):
            layers = None
            if incidents is not None and name in ("report_pdf", "geopackage"):
                # The analyst's own incidents are open: their hotspots or none, never the
                # shipped burglary in their place (exports.layers.gather_layers).
                from workstation.domain import DayType
                from workstation.exports.layers import gather_layers
                from workstation.exports.partner_safe import DisclosurePolicy
                day = plan.scenario.day_types[0] if plan is not None and \
                    plan.scenario.day_types else DayType.WEEKDAY
                layers = gather_layers(pack, day_type=day, policy=DisclosurePolicy(),
                                       hotspots=hotspots, user_incidents=True)
            if name == "report_pdf":
                return fn(plan, path, pack=pack, hotspots=hotspots, layers=layers,
                          partner_safe=True, progress=progress, cancel=cancel)
            if name == "geopackage":
                return fn(path, pack=pack, plan=plan, layers=layers, incidents=incidents,
                          partner_safe=True,
                          progress=progress, cancel=cancel)
            return fn(plan, path, progress=progress, cancel=cancel)
        return self._run_export(run, path)

    def _run_export(self, run: Callable[..., Any], path: Path) -> TaskHandle:
        """Start ``run(progress=, cancel=)`` as the export task and show it in the status bar."""
        s = self.session
        # one task kind per target file: a second export to the same file replaces the
        # first, while exports to other files (PDF, then XLSX) both run to the end
        task = self.workers.start(f"{EXPORT_TASK}:{path.resolve()}", run)
        s.status(f"Exporting {path.name}…")
        self._export_progress().attach(task, path.name)

        def done(_result: Any) -> None:
            self.last_export = path
            s.status(f"Exported {path}")
        task.sig_finished.connect(done)
        task.sig_failed.connect(lambda exc: show_error(self.window, exc, title="Export"))
        task.sig_cancelled.connect(lambda: s.status(f"Export of {path.name} cancelled; "
                                                    "no file written"))
        return task

    def _export_progress(self) -> "ExportProgress":
        """The status bar's export progress (bar + Cancel), made on first use."""
        widget = getattr(self, "_export_progress_widget", None)
        if widget is None:
            widget = ExportProgress(self.window)
            status_bar = getattr(self.window, "statusBar", None)
            if callable(status_bar):
                status_bar().addPermanentWidget(widget)
            self._export_progress_widget = widget
        return widget

    def export_map_image(self, path: str | Path | None = None) -> TaskHandle | None:
        """The map as PNG: grabbed on the GUI thread (widgets live there), encoded and
        written in the worker pool like every other export."""
        grab = self.map_image_provider or self._window_map_grabber()
        if grab is None:
            return None
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(self.window, "Export map",
                                                    start_path("map.png"),
                                                    "PNG image (*.png)")
            if not remember(chosen):
                return None
            path = chosen
        path = Path(path)
        grabbed = grab()
        # QImage (not QPixmap) may be used from another thread: convert here, on the GUI one.
        image = grabbed.toImage() if hasattr(grabbed, "toImage") else grabbed
        return self._run_export(lambda *, progress, cancel: write_png(
            image, path, progress=progress, cancel=cancel), path)

    # --- help ------------------------------------------------------------------------
    def show_method(self):
        dialog = method_dialog(self.window, self.session.plan)
        dialog.show()
        return dialog

    def show_data_sources(self):
        dialog = data_sources_dialog(self.window, self.session.pack.root)
        dialog.show()
        return dialog

    def show_about(self):
        return show_about(self.window, self.session.pack)


def write_png(image: Any, path: Path, *, progress: Callable[..., None],
              cancel: Any) -> Path:
    """Encode a QImage as PNG atomically (worker thread); a cancel leaves no file."""
    from workstation.atomic import atomic_path
    from workstation.domain import check_cancel

    progress(0.1, "encoding PNG")
    check_cancel(cancel)
    with atomic_path(path) as tmp:
        if not image.save(str(tmp), "PNG"):
            raise OutputError(f"{path}: the image could not be encoded as PNG")
        check_cancel(cancel)
    progress(1.0, "PNG written")
    return path


class ExportProgress(QWidget):
    """Status-bar busy state of the running export: its name, a progress bar, Cancel."""

    def __init__(self, parent: QWidget | None = None):
        from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton

        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setMaximumWidth(160)
        self.bar.setMaximumHeight(14)
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop the export; no file is written")
        for widget in (self.label, self.bar, self.cancel_button):
            layout.addWidget(widget)
        self.task: TaskHandle | None = None
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.hide()

    def attach(self, task: TaskHandle, name: str) -> None:
        self.task = task
        self.label.setText(f"Exporting {name}")
        self.bar.setValue(0)
        self.cancel_button.setEnabled(True)
        task.sig_progress.connect(self._on_task_progress)
        for signal in (task.sig_finished, task.sig_failed, task.sig_cancelled):
            signal.connect(lambda *_a, t=task: self._on_task_done(t))
        self.show()

    def _on_task_progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(int(1000 * fraction))
        if message:
            self.bar.setToolTip(message)

    def _on_cancel_clicked(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText("Cancelling…")

    def _on_task_done(self, task: TaskHandle) -> None:
        if task is self.task:       # a newer export replaced it: keep showing that one
            self.task = None
            self.hide()


def window_title(session: Session) -> str:
    name = session.project_path.stem if session.project_path is not None else "Untitled"
    return f"{name}[*] — London Deployment Workstation"


def build_actions(window: QWidget, session: Session, *,
                  workers: WorkerPool | None = None) -> Actions:
    """Create every File/Edit/Help action for ``window`` (see the module docstring)."""
    return Actions(window, session, workers=workers)


__all__ = ["Actions", "build_actions", "window_title"]
