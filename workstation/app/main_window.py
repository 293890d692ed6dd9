"""The workstation's main window: the map in the middle, the time bar under it, docks for
Layers, Inspector, Scenario, Plan and Compare,
a status bar with BNG coordinates and the hour, and the menus.

Start-up stays fast by building only the borough map before the window shows; station
counts, population present, incidents and hotspots load right after (``finish_loading``).
Only window geometry and dock layout go to QSettings.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QLabel, QMainWindow, QMenu, QScrollArea,
                               QVBoxLayout, QWidget)

from workstation.app.actions import build_actions
from workstation.app.compare_view import CompareView
from workstation.app.inspector import Inspector
from workstation.app.layer_panel import LayerPanel
from workstation.app.map import layers as L
from workstation.app.map import reference as R
from workstation.app.map.canvas import MapCanvas
from workstation.app.plan_view import PlanView
from workstation.app.scenario_panel import ScenarioPanel
from workstation.app.timebar import TimeBar
from workstation.flows.population import population_present

_log = logging.getLogger(__name__)


SETTINGS_GEOMETRY = "main_window/geometry"
SETTINGS_STATE = "main_window/state"
SETTINGS_VERSION = 1   # bump when docks change so an old saved layout is ignored


def default_settings() -> QSettings:
    # One settings folder per platform (workstation.paths), shared with recent projects.
    from workstation.paths import settings_file
    return QSettings(str(settings_file()), QSettings.Format.IniFormat)


def _add_menu_item(menu, item) -> None:
    """GUI-2's menu lists hold QAction, QMenu or None (a separator)."""
    if item is None:
        menu.addSeparator()
    elif isinstance(item, QMenu):
        menu.addMenu(item)
    else:
        menu.addAction(item)


class MainWindow(QMainWindow):
    def __init__(self, session, *, settings: QSettings | None = None, background: bool = True,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.settings = settings if settings is not None else default_settings()
        self.background = background   # hotspots on a worker thread (False: synchronously)
        self.loaded = False
        self.setWindowTitle("London Deployment Workstation")
        self.setObjectName("MainWindow")
        self.resize(1500, 950)
        self.menus: dict[str, Any] = {}
        self.docks: dict[str, QDockWidget] = {}
        self.panels: dict[str, QWidget] = {}   # GUI-2's panels by dock key (unwrapped)
        self._hotspot_task = None
        self._layout_restored = False

        from workstation.app.workers import WorkerPool
        self.workers = WorkerPool(self)

        # --- map and time bar (central) -----------------------------------------------------
        boroughs = session.pack.table("boroughs_simplified")
        self.canvas = MapCanvas()
        self.canvas.set_boroughs(boroughs)
        self.timebar = TimeBar(session)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.canvas, 1)
        column.addWidget(self.timebar)
        self.setCentralWidget(central)

        # Drawing order bottom -> top.
        self.choropleth = L.ChoroplethLayer(session, boroughs, opacity=0.85)
        self.incidents_layer = L.IncidentsLayer(session, self.canvas.london_bounds(), visible=False,
                                                opacity=0.85)
        self.kde_layer = L.KdeLayer(session, visible=False, opacity=0.75)
        self.hotspot_layer = L.HotspotLayer(session, visible=False, opacity=0.85)
        self.tube_layer = L.TubeTripsLayer(session, boroughs, visible=False)
        self.flow_layer = L.FlowLinesLayer(session, boroughs, visible=False)
        self.station_layer = L.StationsLayer(session, visible=True, opacity=0.8)
        self.basemap = L.BasemapLayer(session, boroughs)
        for layer in (self.choropleth, self.incidents_layer, self.kde_layer, self.hotspot_layer,
                      self.tube_layer, self.flow_layer, self.station_layer, self.basemap):
            if layer in (self.incidents_layer, self.station_layer):
                self._attach_deferred(layer)
            else:
                self.canvas.add_layer(layer)
        self.reference_layers = R.install(self.canvas, session)   # Thames, parks, roads, names
        self.user_layers = R.UserLayers(self.canvas, session)     # File > Add reference layer

        # --- docks ---------------------------------------------------------------------------
        self.layer_panel = LayerPanel(self.canvas, session, user_layers=self.user_layers)
        self.inspector = Inspector(session)
        self.inspector.map_value_provider = self._map_value_text
        self.choropleth.sig_changed.connect(self.inspector.update_map_value)
        self._add_dock("layers", "Layers", self.layer_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self._add_dock("inspector", "Inspector", self.inspector,
                       Qt.DockWidgetArea.RightDockWidgetArea)
        self._add_optional_docks()
        from workstation.app.hotspot_table import HotspotTable
        self.hotspot_table = HotspotTable(session, self.canvas, self.inspector)
        self._add_dock("hotspot_table", "Hotspots", self.hotspot_table,
                       Qt.DockWidgetArea.BottomDockWidgetArea)
        from workstation.app.safety_view import install_safety   # issue 20: index layer, dock, chart
        install_safety(self)

        # --- status bar -----------------------------------------------------------------------
        self.coords_label = QLabel("")
        self.coords_label.setToolTip("Cursor position, British National Grid (EPSG:27700)")
        self.time_label = QLabel("")
        self.statusBar().addPermanentWidget(self.coords_label)
        self.statusBar().addPermanentWidget(self.time_label)

        self._build_menus()
        self._connect()
        self._on_session_time_changed(session.day_type, session.hour)
        self.restore_layout()
        from workstation.app.desktop_habits import install as install_desktop_habits
        install_desktop_habits(self)   # drag and drop; layer panel and map context menus

    # --- construction helpers ---------------------------------------------------------------
    def _attach_deferred(self, layer: L.MapLayer) -> None:
        """Add to the map now (so it is listed and ordered) but build its data after show."""
        build = layer.build
        layer.build = lambda: None  # type: ignore[method-assign]
        self.canvas.add_layer(layer)
        layer.build = build  # type: ignore[method-assign]
        layer._deferred = True

    def _add_dock(self, key: str, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{key}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks[key] = dock
        return dock

    def _add_optional_docks(self) -> None:
        """The Scenario panel, Plan view and Compare view."""
        for key, title, widget, area in (
                ("scenario", "Scenario", ScenarioPanel(self.session, workers=self.workers),
                 Qt.DockWidgetArea.RightDockWidgetArea),
                ("plan", "Plan", PlanView(self.session), Qt.DockWidgetArea.BottomDockWidgetArea),
                ("compare", "Compare", CompareView(self.session, workers=self.workers),
                 Qt.DockWidgetArea.BottomDockWidgetArea)):
            # A scroll area lets the map keep the height the Scenario and Compare forms would
            # claim. The Plan view scrolls its own tables: wrapped, the scroll area sized it to
            # its preferred height (word-wrapped summary) and hid the lending list.
            if key != "plan":
                scroll = QScrollArea()
                scroll.setWidgetResizable(True)
                scroll.setFrameShape(QScrollArea.Shape.NoFrame)
                scroll.setWidget(widget)
                self._add_dock(key, title, scroll, area)
            else:
                self._add_dock(key, title, widget, area)
            self.panels[key] = widget

    def _tabify_docks(self) -> None:
        if "scenario" in self.docks and "inspector" in self.docks:
            self.tabifyDockWidget(self.docks["inspector"], self.docks["scenario"])
            self.docks["inspector"].raise_()
        if "plan" in self.docks and "compare" in self.docks:
            self.tabifyDockWidget(self.docks["plan"], self.docks["compare"])
            self.docks["plan"].raise_()
        if "plan" in self.docks:   # the hotspot table shares the bottom strip's tabs
            self.tabifyDockWidget(self.docks["plan"], self.docks["hotspot_table"])
            self.docks["plan"].raise_()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        for key, title in (("file", "&File"), ("edit", "&Edit"), ("view", "&View"), ("help", "&Help")):
            self.menus[key] = bar.addMenu(title)
        # New/Open/Save/Import/Export, Undo/Redo, Help
        self.actions = build_actions(self, self.session, workers=self.workers)
        for key, items in (("file", self.actions.file_menu_items()),
                           ("edit", self.actions.edit_menu_items()),
                           ("help", self.actions.help_menu_items())):
            for item in items:
                _add_menu_item(self.menus[key], item)
        self.actions.layer_visibility_getter = self.layer_visibility
        self.actions.layer_visibility_setter = self.set_layer_visibility
        self.actions.metric_getter = lambda: self.choropleth.metric_key    # issue 18:
        self.actions.metric_setter = self._set_metric                      # reopening
        self.actions.plan_runner = lambda: self.panels["scenario"].recommend()  # restores them
        self.actions.map_image_provider = self.canvas.grab
        self.actions._update_enabled()
        self._build_reference_menu()
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.menus["file"].addSeparator()
        self.menus["file"].addAction(quit_action)

        view = self.menus["view"]
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())
        view.addSeparator()
        self.action_fit = self._action(view, "&Whole of London", "Home", self.canvas.fit_london,
                                       "Zoom out to all 33 boroughs")
        self.action_zoom_selected = self._action(
            view, "&Zoom to selected borough", "Ctrl+E",
            lambda: self.canvas.zoom_to(self.session.selected_code),
            "Zoom to the selected borough")
        self._action(view, "Clear selection", "Esc", lambda: self.session.select(""),
                     "Deselect the borough")
        view.addSeparator()
        self._action(view, "Previous hour", "Alt+Left", self.timebar.step_back, "One hour earlier")
        self._action(view, "Next hour", "Alt+Right", self.timebar.step_forward, "One hour later")
        self.action_play = self._action(view, "Play / pause day", "Ctrl+Space",
                                        lambda: self.timebar.set_playing(not self.timebar.playing),
                                        "Animate the day hour by hour")

    def _build_reference_menu(self) -> None:
        """File > Add reference layer, and the project hooks that save the list by path."""
        from workstation.app.layer_panel import add_reference_layer_dialog
        self.menus["file"].addSeparator()
        self.action_add_reference = self._action(
            self.menus["file"], "Add &reference layer…", None,
            lambda: add_reference_layer_dialog(self, self.user_layers, self.session), "Draw a GeoPackage, Shapefile, GeoJSON or "
            "FlatGeobuf on the map (saved in the project by path)")
        if self.actions is not None:
            self.actions.reference_layers_getter = lambda: self.user_layers.sources(
                self.session.project_path)
            self.actions.reference_layers_setter = self._restore_reference_layers

    def _restore_reference_layers(self, sources, project_path) -> None:
        for problem in self.user_layers.restore(sources, project_path):
            self.session.status(f"Reference layer not loaded: {problem}")
        self.layer_panel.sync()

    def _map_value_text(self, code: str) -> str:
        layer = self.choropleth
        value = layer.values.get(code, float("nan")) if len(layer.values) else float("nan")
        from workstation.app.style import format_value
        return f"{format_value(float(value))} — {layer.metric.label}"

    def layer_visibility(self) -> dict[str, bool]:
        """Which layers show, by key (saved in project files by GUI-2's actions)."""
        return {layer.key: layer.visible for layer in self.canvas.layers}

    def set_layer_visibility(self, visibility: dict[str, bool]) -> None:
        for key, visible in visibility.items():
            layer = self.canvas.layer(key)
            if layer is not None and layer.visible != bool(visible):
                layer.set_visible(bool(visible))
        self.layer_panel.sync()
        self.canvas.update_legend()

    def _set_metric(self, key: str) -> None:
        self.choropleth.set_metric(key)     # ValueError if it needs a plan not there yet
        self.layer_panel.sync()
        self.canvas.update_legend()

    def _action(self, menu, text: str, shortcut: str | None, slot, tip: str) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)  # shortcut works wherever focus is
        return action

    def _connect(self) -> None:
        s = self.session
        s.sig_time_changed.connect(self._on_session_time_changed)
        s.sig_selection_changed.connect(self._on_session_selection_changed)
        s.sig_plan_changed.connect(self._on_session_plan_changed)
        s.sig_incidents_changed.connect(self._on_session_incidents_changed)
        s.sig_hotspots_changed.connect(lambda *_: self._refresh_layers(self.hotspot_layer))
        s.sig_status.connect(lambda message: self.statusBar().showMessage(message, 8000))
        self.canvas.sig_mouse_moved.connect(self._on_canvas_mouse_moved)
        self.canvas.sig_clicked.connect(self._on_canvas_clicked)

    # --- start-up ---------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._layout_restored:
            self._tabify_docks()
            self._default_dock_sizes()
            self._layout_restored = True
        if not self.loaded:
            QTimer.singleShot(0, self.finish_loading)

    def finish_loading(self) -> None:
        """Work deliberately left until the window is on screen (idempotent)."""
        if self.loaded:
            return
        self.loaded = True
        s = self.session
        if s.population is None:
            try:
                s.population = population_present(s.pack)
            except Exception as exc:  # the map must open even if one model fails
                _log.exception("population present failed")
                s.status(f"Population present failed: {exc}")
        self.choropleth.invalidate()
        if s.population is not None and self.choropleth.metric_key == "residents":
            self.choropleth.set_metric("population_present")
        for layer in (self.station_layer, self.incidents_layer):
            try:
                layer.build()
            except Exception as exc:
                _log.exception("layer %s failed", layer.key)
                layer.set_enabled(False, f"Could not load: {exc}")
        self.start_hotspots()
        self.layer_panel.sync()
        self.canvas.update_legend()
        s.status("Ready")

    def start_hotspots(self) -> None:
        """KDE and Gi* for the current incidents (imported, else the shipped lattice)."""
        from workstation.maps.map_hotspots import compute_map_hotspots

        s = self.session
        if s.incidents is None and not s.pack.has("burglary_lattice"):
            return
        if not self.background:
            try:
                self._on_hotspots_ready(compute_map_hotspots(s.pack, s.incidents))
            except Exception as exc:
                _log.exception("hotspots failed")
                s.status(f"Hotspots failed: {exc}")
            return
        s.status("Computing hotspots…")
        handle = self.workers.start("map_hotspots", compute_map_hotspots, s.pack, s.incidents)
        handle.sig_finished.connect(self._on_hotspots_ready)
        handle.sig_failed.connect(lambda exc: s.status(f"Hotspots failed: {exc}"))
        self._hotspot_task = handle

    def _on_hotspots_ready(self, result) -> None:
        self.kde_layer.set_result(result.kde)
        self.session.hotspot_monthly = result.monthly   # the hotspot table's sparklines
        self.session.set_hotspots(result.hotspots)
        self.session.status(f"Hotspots: {len(result.hotspots.hotspots)} from {result.source}")

    # --- session events ---------------------------------------------------------------------
    def _refresh_layers(self, *layers) -> None:
        for layer in layers:
            if layer.shown or layer is self.hotspot_layer:
                layer.refresh()
        self.canvas.update_legend()

    def _on_session_time_changed(self, day_type, hour: int) -> None:
        self.canvas.update_time(day_type, hour)
        self.time_label.setText(f"  {day_type.label}  {hour:02d}:00  ")

    def _on_session_selection_changed(self, code: str) -> None:
        self._refresh_layers(self.basemap, self.flow_layer, self.tube_layer)
        self.canvas.schedule_prefetch(self.session.day_type, self.session.hour)
        name = self.canvas.borough_name(code)
        if name:
            self.statusBar().showMessage(f"Selected {name} ({code})", 5000)

    def _on_session_plan_changed(self, plan) -> None:
        self.choropleth.invalidate()
        if plan is not None and self.choropleth.metric.needs != "plan":
            # A new plan recolours the map by its headline: where cover falls short.
            self.choropleth.set_metric("allocation_gap")
            self.session.status("Map shows the plan's allocation gap (Layers > Metric to change)")
        self.layer_panel.sync()
        self.canvas.update_legend()

    def _on_session_incidents_changed(self, incidents) -> None:
        self.incidents_layer.load_source()
        self.start_hotspots()
        self.canvas.update_legend()

    def _on_canvas_mouse_moved(self, easting_m: float, northing_m: float) -> None:
        name = self.canvas.borough_name(self.canvas.borough_at(easting_m, northing_m))
        text = f"E {easting_m:,.0f}  N {northing_m:,.0f} m"
        self.coords_label.setText(f"{text}  ·  {name}" if name else text)

    def _on_canvas_clicked(self, easting_m: float, northing_m: float) -> None:
        hotspot = self.hotspot_layer.hotspot_at(easting_m, northing_m)
        # A hotspot's figures and sparkline come from its row in the hotspot table.
        in_table = hotspot is not None and self.hotspot_table.select_hotspot(
            int(hotspot["hotspot_id"]), zoom=False)
        if hotspot is None:
            self.hotspot_table.view.clearSelection()
        self.inspector.show_hotspot(None if in_table else hotspot)
        if hotspot is not None:
            name = f" {hotspot['name']}" if hotspot.get("name") else ""
            self.session.status(
                f"Hotspot #{int(hotspot['hotspot_id'])}{name} in {hotspot.get('borough', '')}: "
                f"{hotspot.get('incidents_per_month', float('nan')):.1f} incidents/month, "
                f"{hotspot.get('area_m2', 0):,.0f} m², max z {hotspot.get('max_z', 0):.1f}")
        self.session.select(self.canvas.borough_at(easting_m, northing_m))

    # --- persistence (geometry and dock layout only) --------------------------------------
    def restore_layout(self) -> bool:
        geometry = self.settings.value(SETTINGS_GEOMETRY)
        state = self.settings.value(SETTINGS_STATE)
        if geometry is not None:
            self.restoreGeometry(geometry)
        self._layout_restored = state is not None and bool(self.restoreState(state,
                                                                             SETTINGS_VERSION))
        return self._layout_restored

    def _default_dock_sizes(self) -> None:
        """First run: the map keeps most of the window; the plan strip stays short."""
        bottom = [d for k, d in self.docks.items() if k in ("plan", "compare")]
        if bottom:
            self.resizeDocks(bottom[:1], [max(200, self.height() // 4)], Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["layers"]], [270], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["inspector"]], [400], Qt.Orientation.Horizontal)

    def save_layout(self) -> None:
        self.settings.setValue(SETTINGS_GEOMETRY, self.saveGeometry())
        self.settings.setValue(SETTINGS_STATE, self.saveState(SETTINGS_VERSION))
        self.settings.sync()

    def closeEvent(self, event) -> None:
        if not self.actions.maybe_save():
            event.ignore()   # the user cancelled at "save changes?"
            return
        self.save_layout()
        self.timebar.set_playing(False)
        self.actions.shutdown()
        self.workers.shutdown(5000)
        super().closeEvent(event)
