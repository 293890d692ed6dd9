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

from dataclasses import dataclass, replace
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
from workstation.deploy import recommend
from workstation.deploy.fields import FieldSpec
from workstation.deploy.scenario import (DEFAULT_STANDARDS, FIELDS, GROUPS, HARM_WEIGHTS_KEY,
                                         STANDARD_FIELDS, STANDARD_HELP, DeploymentScenario,
                                         Shift)
from workstation.domain import DayType
from workstation.errors import ScenarioError
from workstation.app.file_dialogs import start_path

RECOMMEND_TASK = "recommend"

HARM_WEIGHTS_TIP = ("Optional CSV of harm weights per crime type (e.g. the ONS Crime Severity "
                    "Score) used to weight demand. Empty: the shipped default.")


def _with_standard(scenario: DeploymentScenario, grade: str, **changes: Any) -> tuple:
    out, found = [], False
    for s in scenario.standards:
        if s.grade == grade:
            out.append(replace(s, **changes))
            found = True
        else:
            out.append(s)
    if not found:
        base = next(s for s in DEFAULT_STANDARDS if s.grade == grade)
        out.append(replace(base, **changes))
    return tuple(out)


def _parse_shifts(text: str) -> tuple[Shift, ...]:
    parts = [p for p in text.replace(";", ",").split(",") if p.strip()]
    return tuple(Shift.parse(p) for p in parts)


def tooltip(spec: FieldSpec) -> str:
    """The field's help and, for numbers and text, what is allowed."""
    allowed = spec.allowed() if spec.kind in ("int", "float", "text") else ""
    return f"{spec.help} Allowed: {allowed}." if allowed else spec.help


def number_spin(spec: FieldSpec) -> QSpinBox | QDoubleSpinBox:
    """A spin box with the field's range, step, decimals and unit (shown scaled, e.g. a
    share as per cent). An open end shows as the bound itself, so that the field's check,
    not the spin box, refuses it, with the field's message."""
    scale = spec.display_scale
    spin = QSpinBox() if spec.kind == "int" else QDoubleSpinBox()
    if spec.kind == "int":
        spin.setGroupSeparatorShown(spec.grouped)
    else:
        spin.setDecimals(spec.decimals)
    spin.setRange(spec.minimum * scale, spec.maximum * scale)
    spin.setSingleStep(spec.step)
    spin.setSuffix(f" {spec.shown_unit}" if spec.shown_unit else "")
    spin.setKeyboardTracking(False)   # apply on Enter/focus-out, not every keystroke
    spin.setAlignment(Qt.AlignmentFlag.AlignRight)
    spin.setToolTip(tooltip(spec))
    return spin


@dataclass(frozen=True)
class _Input:
    """One generated input: its widget, how to show a value in it, and the widgets an
    error on each column outlines."""

    widget: QWidget
    show: Callable[[Any], None]
    marks: dict[str, QWidget]


class ScenarioPanel(QWidget):
    """Form over ``session.scenario`` plus the Recommend/Cancel controls. The form is
    generated from the field descriptions (``scenario.FIELDS``): one input per field with
    a ``group``, its label, unit, range, default and tooltip taken from the description."""

    sig_recommend_started = Signal(object)   # TaskHandle

    def __init__(self, session: Session, *, workers: WorkerPool | None = None,
                 recommend_fn: Callable[..., Any] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.workers = workers if workers is not None else WorkerPool(self)
        self._recommend_fn = recommend_fn or recommend
        self._task: TaskHandle | None = None
        self._refreshing = False
        self.inputs: dict[str, _Input] = {}
        self._build()
        self._refresh_from(session.scenario)
        session.sig_scenario_changed.connect(self._on_session_scenario_changed)

    # --- layout ------------------------------------------------------------------------
    def _build(self) -> None:
        form_host = QWidget()
        outer = QVBoxLayout(form_host)
        forms: dict[str, QFormLayout] = {}
        for group in GROUPS:
            box = QGroupBox(group)
            forms[group] = QFormLayout(box)
            outer.addWidget(box)
        for name, spec in FIELDS.items():
            if spec.group:
                self._add_input(forms[spec.group], name, spec)
        self._add_harm_weights(forms["Demand"])
        outer.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_host)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        self._build_controls(layout)
        self._field_widgets = {column: widget for item in self.inputs.values()
                               for column, widget in item.marks.items()}

    def _build_controls(self, layout: QVBoxLayout) -> None:
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
        layout.addWidget(self.error_label)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)

    def _add_input(self, form: QFormLayout, name: str, spec: FieldSpec) -> None:
        builder = {"int": self._number_input, "float": self._number_input,
                   "bool": self._bool_input, "text": self._text_input,
                   "path": self._path_input, "choice": self._choice_input,
                   "day_types": self._day_types_input, "shifts": self._shifts_input,
                   "standards": self._standards_input}[spec.kind]
        if spec.kind == "standards":
            for grade, item in builder(name, spec).items():
                self.inputs[f"{name}.{grade}"] = item
                self._row(form, dict(STANDARD_FIELDS["grade"].choices)[grade], item.widget,
                          STANDARD_HELP[grade])
            return
        item = builder(name, spec)
        self.inputs[name] = item
        self._row(form, "" if spec.kind == "bool" else spec.label, item.widget, tooltip(spec))

    def _row(self, form: QFormLayout, label: str, widget: QWidget, tip: str) -> None:
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

    def _change(self, name: str, value: Callable[[], Any]) -> None:
        """Apply ``name = value()`` (a value() that raises ScenarioError is shown)."""
        self._apply(name, lambda s: replace(s, **{name: value()}))

    # --- one builder per kind ----------------------------------------------------------
    def _number_input(self, name: str, spec: FieldSpec) -> _Input:
        spin = number_spin(spec)
        scale, cast = spec.display_scale, int if spec.kind == "int" else float
        spin.valueChanged.connect(lambda v: self._change(name, lambda: cast(v / scale)
                                                         if scale != 1 else cast(v)))
        return _Input(spin, lambda value: spin.setValue(value * scale), {name: spin})

    def _bool_input(self, name: str, spec: FieldSpec) -> _Input:
        box = QCheckBox(spec.label)
        box.toggled.connect(lambda v: self._change(name, lambda: bool(v)))
        return _Input(box, box.setChecked, {name: box})

    def _text_input(self, name: str, spec: FieldSpec) -> _Input:
        edit = QLineEdit()
        edit.editingFinished.connect(
            lambda: self._change(name, lambda: edit.text().strip() or str(spec.default)))
        return _Input(edit, edit.setText, {name: edit})

    def _choice_input(self, name: str, spec: FieldSpec) -> _Input:
        combo = QComboBox()
        for value, text in spec.choices:
            combo.addItem(text, value)
        combo.currentIndexChanged.connect(lambda _: self._change(name, combo.currentData))
        return _Input(combo, lambda value: combo.setCurrentIndex(max(0, combo.findData(value))),
                      {name: combo})

    def _day_types_input(self, name: str, spec: FieldSpec) -> _Input:
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        checks: dict[DayType, QCheckBox] = {}
        for day in DayType:
            box = QCheckBox(day.label.split(" ")[0])
            box.toggled.connect(lambda _=False: self._change(
                name, lambda: tuple(d for d in DayType if checks[d].isChecked())))
            row_layout.addWidget(box)
            checks[day] = box

        def show(value: tuple) -> None:
            for day, box in checks.items():
                box.setChecked(day in value)
        self.day_checks = checks
        return _Input(row, show, {name: row})

    def _shifts_input(self, name: str, spec: FieldSpec) -> _Input:
        edit = QLineEdit()
        edit.editingFinished.connect(lambda: self._change(name, lambda: _parse_shifts(edit.text())))
        return _Input(edit, lambda value: edit.setText(", ".join(s.name for s in value)),
                      {name: edit})

    def _path_input(self, name: str, spec: FieldSpec) -> _Input:
        edit, row = self._file_row(name, spec.label, lambda s, text: replace(s, **{name: text}))
        return _Input(row, lambda value: edit.setText(value or ""), {name: edit})

    def _standards_input(self, name: str, spec: FieldSpec) -> dict[str, _Input]:
        out = {}
        minutes_spec = STANDARD_FIELDS["standard_minutes"]
        share_spec = STANDARD_FIELDS["target_share"]
        for grade, _ in STANDARD_FIELDS["grade"].choices:
            minutes = QDoubleSpinBox()
            minutes.setRange(minutes_spec.minimum, minutes_spec.maximum)
            minutes.setDecimals(0)
            minutes.setSuffix(f" {minutes_spec.shown_unit}")
            minutes.setKeyboardTracking(False)
            target = QDoubleSpinBox()
            target.setRange(share_spec.minimum * 100, share_spec.maximum * 100)
            target.setDecimals(0)
            target.setSuffix(f" {share_spec.shown_unit}")
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
            pair_layout.addWidget(QLabel(share_spec.label))
            pair_layout.addWidget(target)

            def show(value: tuple, g=grade, m=minutes, t=target) -> None:
                std = next((x for x in value if x.grade == g), None)
                m.setValue(std.standard_minutes if std else 0)
                t.setValue(std.target_share * 100.0 if std else 0)
            out[grade] = _Input(pair, show, {f"standards.{grade}.standard_minutes": minutes,
                                             f"standards.{grade}.target_share": target})
        return out

    def _add_harm_weights(self, form: QFormLayout) -> None:
        """The harm-weights CSV lives in ``extra`` (``HARM_WEIGHTS_KEY``), not in a field."""
        edit, row = self._file_row(
            HARM_WEIGHTS_KEY, "Harm weights (CSV)",
            lambda s, text: replace(s, extra=self._extra_with(s, HARM_WEIGHTS_KEY, text or None)))
        self.inputs[HARM_WEIGHTS_KEY] = _Input(row, lambda value: edit.setText(value or ""),
                                               {HARM_WEIGHTS_KEY: edit})
        self._row(form, "Harm weights file", row, HARM_WEIGHTS_TIP)

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
            return change(s, text or None)
        edit.editingFinished.connect(lambda: self._apply(key, from_text))
        browse = QToolButton()
        browse.setText("…")
        browse.setToolTip(f"Choose the {caption.lower()}")

        def choose() -> None:
            path, _ = QFileDialog.getOpenFileName(self, caption, start_path(edit.text()), "CSV files (*.csv)")
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

    def widget_for(self, column: str) -> QWidget:
        """The input of a field (or a dotted column, e.g. ``standards.I.target_share``)."""
        return self._field_widgets[column]

    @property
    def error_message(self) -> str:
        return self.error_label.text() if self.error_label.isVisibleTo(self) else ""

    def _on_session_scenario_changed(self, scenario: DeploymentScenario) -> None:
        self._clear_error()
        self._refresh_from(scenario)

    def _refresh_from(self, s: DeploymentScenario) -> None:
        self._refreshing = True
        try:
            for key, item in self.inputs.items():
                if key == HARM_WEIGHTS_KEY:
                    item.show(str(s.extra.get(HARM_WEIGHTS_KEY) or ""))
                else:
                    item.show(getattr(s, key.split(".")[0]))
        finally:
            self._refreshing = False

    # --- running the engine ------------------------------------------------------------
    def recommend(self) -> TaskHandle | None:
        s = self.session
        task = self.workers.start(RECOMMEND_TASK, self._recommend_fn, s.pack, s.scenario,
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
