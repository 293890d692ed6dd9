"""The app's single source of truth for what is open: pack, scenario, plan, incidents,
time and selection. Views subscribe to its signals; nothing else holds shared state.

Thread rule (as in QGIS): only the GUI thread touches a Session. Workers receive
immutable inputs (DataPack tables, frozen DeploymentScenario) and return results,
which the GUI thread then hands to the Session.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from PySide6.QtGui import QUndoCommand, QUndoStack

from workstation.datapack import DataPack
from workstation.deploy.scenario import DeploymentScenario
from workstation.domain import DayType


class _ScenarioChange(QUndoCommand):
    def __init__(self, session: "Session", before: DeploymentScenario, after: DeploymentScenario,
                 text: str):
        super().__init__(text)
        self._session, self._before, self._after = session, before, after

    def redo(self) -> None:
        self._session._apply_scenario(self._after)

    def undo(self) -> None:
        self._session._apply_scenario(self._before)


class Session(QObject):
    sig_scenario_changed = Signal(object)      # DeploymentScenario
    sig_plan_changed = Signal(object)          # ShiftPlan | None
    sig_comparison_changed = Signal(object)    # ShiftPlan | None (second scenario, side by side)
    sig_comparison_scenario_changed = Signal(object)  # DeploymentScenario | None
    sig_incidents_changed = Signal(object)     # IncidentSet | None
    sig_hotspots_changed = Signal(object)      # HotspotResult | None
    sig_time_changed = Signal(object, int)     # DayType, hour 0-23
    sig_selection_changed = Signal(str)        # gss_code ("" for none)
    sig_project_changed = Signal()             # path or dirty flag changed
    sig_status = Signal(str)                   # one-line status bar message

    def __init__(self, pack: DataPack, parent: QObject | None = None):
        super().__init__(parent)
        self.pack = pack
        self.scenario = DeploymentScenario()
        self.plan: Any = None
        self.comparison_plan: Any = None
        self.incidents: Any = None
        self.incidents_path: Path | None = None
        # Where the incidents came from (workstation.project.IncidentSource: source path,
        # kind, column mapping, store file) so a saved project can reload them.
        self.incidents_source: Any = None
        # Imports added to the first ("Add" at a second import), each an IncidentSource;
        # ``incidents`` then holds all of them together.
        self.extra_incident_sources: tuple = ()
        self.comparison_scenario: DeploymentScenario | None = None  # "B" in the compare view
        self.hotspots: Any = None
        self.hotspot_monthly: Any = None   # incidents per hotspot and month (DataFrame)
        self.population: Any = None  # PopulationPresent, computed once by the window
        self.day_type = DayType.WEEKDAY
        self.hour = 8
        self.selected_code = ""
        self.project_path: Path | None = None
        self.dirty = False
        self.undo_stack = QUndoStack(self)

    # --- scenario (undoable) ---------------------------------------------------------
    def set_scenario(self, scenario: DeploymentScenario, text: str = "Change scenario") -> None:
        scenario.validate()
        if scenario == self.scenario:
            return
        self.undo_stack.push(_ScenarioChange(self, self.scenario, scenario, text))

    def _apply_scenario(self, scenario: DeploymentScenario) -> None:
        self.scenario = scenario
        self.mark_dirty()
        self.sig_scenario_changed.emit(scenario)

    # --- results ---------------------------------------------------------------------
    def set_plan(self, plan: Any) -> None:
        self.plan = plan
        self.sig_plan_changed.emit(plan)

    def set_comparison(self, plan: Any) -> None:
        self.comparison_plan = plan
        self.sig_comparison_changed.emit(plan)

    def set_comparison_scenario(self, scenario: DeploymentScenario | None) -> None:
        if scenario is not None:
            scenario.validate()
        if scenario == self.comparison_scenario:
            return
        self.comparison_scenario = scenario
        self.mark_dirty()
        self.sig_comparison_scenario_changed.emit(scenario)

    def set_incidents(self, incidents: Any, path: Path | None = None, source: Any = None,
                      extra_sources: tuple = ()) -> None:
        self.incidents = incidents
        self.incidents_path = path
        self.incidents_source = source
        self.extra_incident_sources = tuple(extra_sources) if incidents is not None else ()
        self.mark_dirty()
        self.sig_incidents_changed.emit(incidents)

    def set_hotspots(self, result: Any) -> None:
        self.hotspots = result
        self.sig_hotspots_changed.emit(result)

    # --- time and selection ----------------------------------------------------------
    def set_time(self, day_type: DayType, hour: int) -> None:
        hour = int(hour) % 24
        if (day_type, hour) == (self.day_type, self.hour):
            return
        self.day_type, self.hour = day_type, hour
        self.sig_time_changed.emit(day_type, hour)

    def select(self, gss_code: str) -> None:
        if gss_code != self.selected_code:
            self.selected_code = gss_code
            self.sig_selection_changed.emit(gss_code)

    # --- project bookkeeping -----------------------------------------------------------
    def mark_dirty(self, dirty: bool = True) -> None:
        if dirty != self.dirty:
            self.dirty = dirty
            self.sig_project_changed.emit()

    def status(self, message: str) -> None:
        self.sig_status.emit(message)
