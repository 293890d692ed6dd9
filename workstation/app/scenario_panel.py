"""The scenario panel: edits the session's DeploymentScenario and runs a recommendation.

Every edit builds a candidate scenario and validates it. A valid one goes through
``Session.set_scenario`` (one undo step per edit); an invalid one is *not* applied: the
ScenarioError message appears under the form and the offending field is outlined, so
the analyst sees what range is allowed. Undo/redo (or opening a project) refreshes
the widgets from the session, never the other way round.

"Recommend deployment" runs the engine in a ``WorkerPool`` thread with progress and
Cancel; the result goes to ``Session.set_plan`` on the GUI thread.
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workstation.app.dialogs import show_error
from workstation.app.session import Session
from workstation.app.workers import TaskHandle, WorkerPool
from workstation.deploy.scenario import DeploymentScenario, ResponseStandard, Shift
from workstation.domain import DayType
from workstation.errors import ScenarioError

HARM_WEIGHTS_KEY = "harm_weights_path"
"""Key in ``DeploymentScenario.extra`` for the harm-weights CSV (the scenario contract has
no field for it yet; the engine reads it from ``extra``)."""

RECOMMEND_TASK = "recommend"


def find_recommend() -> Callable[..., Any] | None:
    """The deploy engine's entry point, wherever it landed (looked up at click time so the
    panel works before and after the engine module exists)."""
    for module_name in ("workstation.deploy", "workstation.deploy.engine",
                        "workstation.deploy.recommend"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        fn = getattr(module, "recommend", None)
        if callable(fn):
            return fn
    return None


def _standard(scenario: DeploymentScenario, grade: str) -> ResponseStandard | None:
    return next((s for s in scenario.standards if s.grade == grade), None)


def _with_standard(scenario: DeploymentScenario, grade: str, **changes: Any) -> tuple:
    out, found = [], False
    for s in scenario.standards:
        if s.grade == grade:
            out.append(replace(s, **changes))
            found = True
        else:
            out.append(s)
    if not found:
        base = dict(grade=grade, standard_minutes=15.0 if grade == "I" else 60.0,
                    target_share=0.90)
        base.update(changes)
        out.append(ResponseStandard(**base))
    return tuple(out)


def _shifts_text(scenario: DeploymentScenario) -> str:
    return ", ".join(s.name for s in scenario.shifts)


def _parse_shifts(text: str) -> tuple[Shift, ...]:
    parts = [p for p in text.replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise ScenarioError("enter at least one shift", column="shifts", expected="e.g. 07-15, 15-23, 23-07")
    return tuple(Shift.parse(p) for p in parts)


# Tooltips: what each input means, and why its default is what it is.
TIPS = {
    "name": "A name for this scenario; printed on every export and report.",
    "day_types": "Day types to plan (TfL's: weekday = Mon-Thu, Friday, Saturday, Sunday). "
                 "Default: weekday, Saturday and Sunday.",
    "officers_on_duty": "Response officers on duty across London in each shift (sum over units). "
                        "Default 2,400: the seed report's Met response strength per shift; "
                        "see Help → Method.",
    "strength_csv": "Optional CSV of officers per unit and shift; replaces the London total "
                    "split. Leave empty to split the total in proportion to demand.",
    "shifts": "Shift pattern as clock hours, e.g. '07-15, 15-23, 23-07'. Together the shifts "
              "must cover each hour of the day exactly once. Default: the Met's three 8-hour "
              "response shifts.",
    "units": "Plan per borough (32 + City) or per Basic Command Unit (the Met's 12 BCUs, 2019).",
    "floor_share": "Each unit keeps at least this share of its own officers; the rest may be "
                   "lent. Default 75%: a policy choice so no borough is stripped; see Method.",
    "max_lending_minutes": "Officers are only lent between units whose centres are within this "
                           "blue-light travel time. Default 20 min, so lent officers can still "
                           "reach an I-grade call in their new unit within the standard.",
    "blue_light_speed_kmh": "Average emergency driving speed used for travel times. Default "
                            "30 km/h: typical London blue-light average (seed report).",
    "standard_I": "I-grade (immediate) response standard in minutes and the target share "
                  "attended within it. Met: 15 min, 90% target (86.9% achieved, HMICFRS PEEL "
                  "2018/19).",
    "standard_S": "S-grade (significant) response standard in minutes and target share. Met: "
                  "60 min, 90% target (81.9% achieved, HMICFRS PEEL 2018/19).",
    "travel_minutes_to_scene": "Typical travel time from patrol to scene; the response standard "
                               "must exceed it. Default 8 min (seed report).",
    "include_visitors": "Count commuters, students and visitors where they are each hour "
                        "(census workplace flows + TfL station counts), not only residents.",
    "demand_follows_population": "Scale each unit's hourly demand by the population present "
                                 "that hour (on) or use recorded crime only (off).",
    "non_crime_multiplier": "Calls per recorded crime: demand includes calls that are not "
                            "crimes. Default 1/(1-0.83) ≈ 5.9 because 83% of calls are not "
                            "crimes (seed report).",
    "hotspot_visits_per_hour": "Hotspot patrol visits per unit per hour to add to the "
                               "requirement. Default 0 (off).",
    "patrol_minutes_per_hotspot_visit": "Minutes per hotspot visit. Default 15: Koper (1995) "
                                        "found 10-15 minute visits give the most residual "
                                        "deterrence.",
    "visibility_floor_per_borough": "Minimum officers on duty in every unit every hour, "
                                    "whatever the demand. Default 2: a policy choice, not a "
                                    "model output.",
    "harm_weights": "Optional CSV of harm weights per crime type (e.g. the ONS Crime Severity "
                    "Score) used to weight hotspots and demand. Empty: the shipped default.",
}


class ScenarioPanel(QWidget):
    """Form over ``session.scenario`` plus the Recommend/Cancel controls."""

    sig_recommend_started = Signal(object)   # TaskHandle

    def __init__(self, session: Session, *, workers: WorkerPool | None = None,
                 recommend_fn: Callable[..., Any] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.workers = workers if workers is not None else WorkerPool(self)
        self._recommend_fn = recommend_fn
        self._task: TaskHandle | None = None
        self._refreshing = False
        self._build()
        self._refresh_from(session.scenario)
        session.sig_scenario_changed.connect(self._on_session_scenario_changed)

    # --- layout ------------------------------------------------------------------------
    def _build(self) -> None:
        form_host = QWidget()
        outer = QVBoxLayout(form_host)

        general = QGroupBox("Scenario")
        form = QFormLayout(general)
        self.name_edit = QLineEdit()
        self.name_edit.editingFinished.connect(
            lambda: self._apply("name", lambda s: replace(s, name=self.name_edit.text().strip()
                                                             or "Unnamed")))
        self._row(form, "Name", self.name_edit, "name")

        days = QWidget()
        days_layout = QHBoxLayout(days)
        days_layout.setContentsMargins(0, 0, 0, 0)
        self.day_checks: dict[DayType, QCheckBox] = {}
        for day in DayType:
            box = QCheckBox(day.label.split(" ")[0])
            box.toggled.connect(lambda _=False: self._apply("day_types", self._day_types_from_ui))
            days_layout.addWidget(box)
            self.day_checks[day] = box
        self._row(form, "Day types", days, "day_types")

        self.units_combo = QComboBox()
        self.units_combo.addItem("Boroughs (33)", "borough")
        self.units_combo.addItem("Basic Command Units (12)", "bcu")
        self.units_combo.currentIndexChanged.connect(
            lambda _: self._apply("units", lambda s: replace(s, units=self.units_combo.currentData())))
        self._row(form, "Plan by", self.units_combo, "units")
        outer.addWidget(general)

        staffing = QGroupBox("Officers and shifts")
        form = QFormLayout(staffing)
        self.officers_spin = self._int_spin(0, 100_000, 50, "officers_on_duty", " officers")
        self._row(form, "Officers on duty per shift", self.officers_spin, "officers_on_duty")
        self.strength_edit, strength_row = self._file_row(
            "strength_csv", "Strength table (CSV)",
            lambda s, text: replace(s, strength_csv=text or None))
        self._row(form, "Strength table", strength_row, "strength_csv")
        self.shifts_edit = QLineEdit()
        self.shifts_edit.editingFinished.connect(
            lambda: self._apply("shifts", lambda s: replace(
                s, shifts=_parse_shifts(self.shifts_edit.text()))))
        self._row(form, "Shift pattern", self.shifts_edit, "shifts")
        self.floor_spin = self._double_spin(0, 100, 5, 0, "floor_share", " %", scale=100.0)
        self._row(form, "Floor (kept at home)", self.floor_spin, "floor_share")
        self.visibility_spin = self._int_spin(0, 100, 1, "visibility_floor_per_borough",
                                              " officers")
        self._row(form, "Visibility floor per unit", self.visibility_spin,
                  "visibility_floor_per_borough")
        outer.addWidget(staffing)

        lending = QGroupBox("Lending and response")
        form = QFormLayout(lending)
        self.lending_spin = self._double_spin(0, 120, 1, 1, "max_lending_minutes", " min")
        self._row(form, "Maximum lending travel", self.lending_spin, "max_lending_minutes")
        self.speed_spin = self._double_spin(0, 120, 1, 1, "blue_light_speed_kmh", " km/h")
        self._row(form, "Blue-light speed", self.speed_spin, "blue_light_speed_kmh")
        self.travel_spin = self._double_spin(0, 120, 1, 1, "travel_minutes_to_scene", " min")
        self._row(form, "Travel to scene", self.travel_spin, "travel_minutes_to_scene")
        self.standard_spins: dict[str, tuple[QDoubleSpinBox, QDoubleSpinBox]] = {}
        for grade, label in (("I", "I-grade (immediate)"), ("S", "S-grade (significant)")):
            minutes = QDoubleSpinBox()
            minutes.setRange(0, 240)
            minutes.setDecimals(0)
            minutes.setSuffix(" min")
            minutes.setKeyboardTracking(False)
            target = QDoubleSpinBox()
            target.setRange(0, 100)
            target.setDecimals(0)
            target.setSuffix(" %")
            target.setKeyboardTracking(False)
            minutes.valueChanged.connect(
                lambda v, g=grade: self._apply(f"standards.{g}", lambda s: replace(
                    s, standards=_with_standard(s, g, standard_minutes=float(v)))))
            target.valueChanged.connect(
                lambda v, g=grade: self._apply(f"standards.{g}", lambda s: replace(
                    s, standards=_with_standard(s, g, target_share=float(v) / 100.0))))
            pair = QWidget()
            pair_layout = QHBoxLayout(pair)
            pair_layout.setContentsMargins(0, 0, 0, 0)
            pair_layout.addWidget(minutes)
            pair_layout.addWidget(QLabel("target"))
            pair_layout.addWidget(target)
            self.standard_spins[grade] = (minutes, target)
            self._row(form, label, pair, f"standard_{grade}")
        outer.addWidget(lending)

        demand = QGroupBox("Demand")
        form = QFormLayout(demand)
        self.visitors_check = QCheckBox("Include commuters and visitors")
        self.visitors_check.toggled.connect(
            lambda v: self._apply("include_visitors", lambda s: replace(s, include_visitors=v)))
        self._row(form, "", self.visitors_check, "include_visitors")
        self.follows_check = QCheckBox("Demand follows population present")
        self.follows_check.toggled.connect(
            lambda v: self._apply("demand_follows_population",
                                  lambda s: replace(s, demand_follows_population=v)))
        self._row(form, "", self.follows_check, "demand_follows_population")
        self.multiplier_spin = self._double_spin(0, 50, 0.1, 2, "non_crime_multiplier", " ×")
        self._row(form, "Calls per recorded crime", self.multiplier_spin, "non_crime_multiplier")
        self.visits_spin = self._int_spin(0, 60, 1, "hotspot_visits_per_hour", " per hour")
        self._row(form, "Hotspot patrol visits", self.visits_spin, "hotspot_visits_per_hour")
        self.visit_minutes_spin = self._double_spin(0, 120, 1, 0,
                                                    "patrol_minutes_per_hotspot_visit", " min")
        self._row(form, "Minutes per visit", self.visit_minutes_spin,
                  "patrol_minutes_per_hotspot_visit")
        self.harm_edit, harm_row = self._file_row(
            "harm_weights", "Harm weights (CSV)",
            lambda s, text: replace(s, extra=self._extra_with(s, HARM_WEIGHTS_KEY, text or None)))
        self._row(form, "Harm weights file", harm_row, "harm_weights")
        outer.addWidget(demand)
        outer.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_host)

        self.error_label = QLabel()
        self.error_label.setObjectName("scenarioError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()

        self.recommend_button = QPushButton("Recommend deployment")
        self.recommend_button.setToolTip("Compute officers per unit and shift, and lending, "
                                         "for this scenario (runs in the background).")
        self.recommend_button.clicked.connect(self.recommend)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.setFormat("")
        self.progress.hide()

        buttons = QHBoxLayout()
        buttons.addWidget(self.recommend_button, 1)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        self._field_widgets: dict[str, QWidget] = {
            "officers_on_duty": self.officers_spin, "floor_share": self.floor_spin,
            "max_lending_minutes": self.lending_spin, "blue_light_speed_kmh": self.speed_spin,
            "travel_minutes_to_scene": self.travel_spin, "shifts": self.shifts_edit,
            "non_crime_multiplier": self.multiplier_spin,
            "visibility_floor_per_borough": self.visibility_spin,
            "standards.I.standard_minutes": self.standard_spins["I"][0],
            "standards.I.target_share": self.standard_spins["I"][1],
            "standards.S.standard_minutes": self.standard_spins["S"][0],
            "standards.S.target_share": self.standard_spins["S"][1],
            "strength_csv": self.strength_edit, "harm_weights": self.harm_edit,
        }

    def _row(self, form: QFormLayout, label: str, widget: QWidget, tip_key: str) -> None:
        tip = TIPS[tip_key]
        widget.setToolTip(tip)
        for child in widget.findChildren(QWidget):
            if not child.toolTip():
                child.setToolTip(tip)
        if label:
            text = QLabel(label)
            text.setToolTip(tip)
            form.addRow(text, widget)
        else:
            form.addRow(widget)

    def _int_spin(self, lo: int, hi: int, step: int, field_name: str, suffix: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(lo, hi)
        spin.setSingleStep(step)
        spin.setSuffix(suffix)
        spin.setGroupSeparatorShown(True)
        spin.setKeyboardTracking(False)   # apply on Enter/focus-out, not every keystroke
        spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        spin.valueChanged.connect(
            lambda v: self._apply(field_name, lambda s: replace(s, **{field_name: int(v)})))
        return spin

    def _double_spin(self, lo: float, hi: float, step: float, decimals: int, field_name: str,
                     suffix: str, scale: float = 1.0) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(lo, hi)
        spin.setSingleStep(step)
        spin.setDecimals(decimals)
        spin.setSuffix(suffix)
        spin.setKeyboardTracking(False)
        spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        spin.setProperty("scale", scale)
        spin.valueChanged.connect(
            lambda v: self._apply(field_name, lambda s: replace(s, **{field_name: float(v) / scale})))
        return spin

    def _file_row(self, key: str, caption: str,
                  change: Callable[[DeploymentScenario, str], DeploymentScenario]
                  ) -> tuple[QLineEdit, QWidget]:
        edit = QLineEdit()
        edit.setPlaceholderText("(none)")
        edit.setClearButtonEnabled(True)
        def from_text(s: DeploymentScenario) -> DeploymentScenario:
            text = edit.text().strip()
            if text and not Path(text).expanduser().is_file():
                raise ScenarioError(f"{caption}: file not found", path=text, column=key,
                                    expected="an existing CSV file, or empty for the default")
            return change(s, text)
        edit.editingFinished.connect(lambda: self._apply(key, from_text))
        browse = QToolButton()
        browse.setText("…")
        browse.setToolTip(f"Choose the {caption.lower()}")

        def choose() -> None:
            path, _ = QFileDialog.getOpenFileName(self, caption, edit.text(), "CSV files (*.csv)")
            if path:
                edit.setText(path)
                self._apply(key, lambda s: change(s, path))
        browse.clicked.connect(choose)
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(edit, 1)
        row_layout.addWidget(browse)
        return edit, row

    @staticmethod
    def _extra_with(s: DeploymentScenario, key: str, value: Any) -> dict:
        extra = dict(s.extra)
        if value is None:
            extra.pop(key, None)
        else:
            extra[key] = value
        return extra

    def _day_types_from_ui(self, s: DeploymentScenario) -> DeploymentScenario:
        chosen = tuple(d for d in DayType if self.day_checks[d].isChecked())
        if not chosen:
            raise ScenarioError("choose at least one day type", column="day_types")
        return replace(s, day_types=chosen)

    # --- applying edits ----------------------------------------------------------------
    def _apply(self, what: str, change: Callable[[DeploymentScenario], DeploymentScenario]) -> None:
        if self._refreshing:
            return
        try:
            candidate = change(self.session.scenario).validate()
        except ScenarioError as exc:
            self._show_error(exc)
            return
        self._clear_error()
        label = what.replace("_", " ").replace("standards.", "standard ")
        self.session.set_scenario(candidate, f"Change {label}")

    def _show_error(self, exc: ScenarioError) -> None:
        self._clear_marks()
        self.error_label.setText(str(exc))
        self.error_label.show()
        widget = self._field_widgets.get(exc.column or "")
        if widget is not None:
            widget.setStyleSheet("border: 1px solid #b00020;")
            widget.setProperty("invalid", True)

    def _clear_marks(self) -> None:
        for widget in self._field_widgets.values():
            if widget.property("invalid"):
                widget.setStyleSheet("")
                widget.setProperty("invalid", False)

    def _clear_error(self) -> None:
        self._clear_marks()
        self.error_label.clear()
        self.error_label.hide()

    @property
    def error_message(self) -> str:
        return self.error_label.text() if self.error_label.isVisibleTo(self) else ""

    def _on_session_scenario_changed(self, scenario: DeploymentScenario) -> None:
        self._clear_error()
        self._refresh_from(scenario)

    def _refresh_from(self, s: DeploymentScenario) -> None:
        self._refreshing = True
        try:
            self.name_edit.setText(s.name)
            for day, box in self.day_checks.items():
                box.setChecked(day in s.day_types)
            self.units_combo.setCurrentIndex(max(0, self.units_combo.findData(s.units)))
            self.officers_spin.setValue(s.officers_on_duty)
            self.strength_edit.setText(s.strength_csv or "")
            self.shifts_edit.setText(_shifts_text(s))
            self.floor_spin.setValue(s.floor_share * 100.0)
            self.visibility_spin.setValue(s.visibility_floor_per_borough)
            self.lending_spin.setValue(s.max_lending_minutes)
            self.speed_spin.setValue(s.blue_light_speed_kmh)
            self.travel_spin.setValue(s.travel_minutes_to_scene)
            for grade, (minutes, target) in self.standard_spins.items():
                std = _standard(s, grade)
                minutes.setValue(std.standard_minutes if std else 0)
                target.setValue(std.target_share * 100.0 if std else 0)
            self.visitors_check.setChecked(s.include_visitors)
            self.follows_check.setChecked(s.demand_follows_population)
            self.multiplier_spin.setValue(s.non_crime_multiplier)
            self.visits_spin.setValue(s.hotspot_visits_per_hour)
            self.visit_minutes_spin.setValue(s.patrol_minutes_per_hotspot_visit)
            self.harm_edit.setText(str(s.extra.get(HARM_WEIGHTS_KEY) or ""))
        finally:
            self._refreshing = False

    # --- running the engine ------------------------------------------------------------
    def recommend(self) -> TaskHandle | None:
        fn = self._recommend_fn or find_recommend()
        if fn is None:
            show_error(self, ScenarioError("the deployment engine is not available in this build"),
                       title="Recommend deployment")
            return None
        s = self.session
        task = self.workers.start(RECOMMEND_TASK, fn, s.pack, s.scenario,
                                  population=s.population, hotspots=s.hotspots,
                                  incidents=s.incidents)
        self._task = task
        task.sig_progress.connect(self._on_task_progress)
        task.sig_finished.connect(lambda plan, t=task: self._on_task_finished(t, plan))
        task.sig_failed.connect(lambda exc, t=task: self._on_task_failed(t, exc))
        task.sig_cancelled.connect(lambda t=task: self._on_task_cancelled(t))
        self._set_running(True, "Starting…")
        s.status(f"Recommending deployment for '{s.scenario.name}'…")
        self.sig_recommend_started.emit(task)
        return task

    def cancel(self) -> None:
        if self._task is not None and not self._task.done:
            self._task.cancel()
            self.progress.setFormat("Cancelling…")
            self.cancel_button.setEnabled(False)

    def _set_running(self, running: bool, message: str = "") -> None:
        self.recommend_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(running)
        if running:
            self.progress.setValue(0)
            self.progress.setFormat(message or "%p%")

    def _on_task_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(round(fraction * 1000)))
        self.progress.setFormat(f"{message} – %p%" if message else "%p%")

    def _on_task_finished(self, task: TaskHandle, plan: Any) -> None:
        if task is not self._task:
            return
        self._set_running(False)
        self.session.set_plan(plan)
        self.session.status("Deployment plan ready")

    def _on_task_failed(self, task: TaskHandle, exc: BaseException) -> None:
        if task is not self._task:
            return
        self._set_running(False)
        self.session.status("Recommendation failed")
        show_error(self, exc, title="Recommend deployment")

    def _on_task_cancelled(self, task: TaskHandle) -> None:
        if task is not self._task:
            return
        self._set_running(False)
        self.session.status("Recommendation cancelled")
