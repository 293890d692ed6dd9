"""Scenario comparison: the current scenario (A) beside a second one (B).

"Run both" computes both plans in the background (two worker kinds, so they run side
by side and each cancels only its own older run). The table shows, per unit, day type
and shift, the final officers and the share of I-grade calls within the standard under
A and B and the change; a totals table sums London-wide. Rows where B gives a unit
worse cover than A are highlighted: that is the cost of the alternative.

``compare_plans``/``compare_totals`` are plain pandas so exports can reuse them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workstation.app.dialogs import show_error
from workstation.app.plan_view import (
    Column,
    DataFrameModel,
    DayShiftFilter,
    _day,
    _int,
    _pct,
    _signed_int,
    _signed_points,
    make_table,
)
from workstation.app.scenario_panel import number_spin, tooltip
from workstation.app.session import Session
from workstation.app.workers import TaskHandle, WorkerPool
from workstation.deploy import recommend
from workstation.deploy.fields import FieldSpec
from workstation.deploy.scenario import FIELDS, DeploymentScenario
from workstation.errors import ScenarioError

KEYS = ["unit_code", "day_type", "shift"]
B_FIELDS = ("name", "officers_on_duty", "floor_share", "max_lending_minutes", "include_visitors")
"""The scenario fields B's form edits (the rest are copied from A)."""
TASK_A, TASK_B = "compare-a", "compare-b"


def compare_plans(a: Any, b: Any) -> pd.DataFrame:
    """One row per unit x day type x shift present in either plan."""
    cols = KEYS + ["unit_name", "final", "required", "lent", "borrowed", "share_within_standard"]
    left = a.plan[cols].rename(columns={c: f"{c}_a" for c in cols[3:]})
    right = b.plan[cols].rename(columns={c: f"{c}_b" for c in cols[3:]})
    merged = left.merge(right, on=KEYS, how="outer")
    merged["unit_name"] = merged["unit_name_a"].fillna(merged["unit_name_b"])
    merged["final_change"] = merged["final_b"] - merged["final_a"]
    merged["share_change_points"] = 100.0 * (merged["share_within_standard_b"]
                                             - merged["share_within_standard_a"])
    order = ["unit_code", "unit_name", "day_type", "shift", "final_a", "final_b", "final_change",
             "required_a", "required_b", "share_within_standard_a", "share_within_standard_b",
             "share_change_points", "lent_a", "lent_b", "borrowed_a", "borrowed_b"]
    return merged[order].sort_values(KEYS, kind="stable").reset_index(drop=True)


def compare_totals(a: Any, b: Any) -> pd.DataFrame:
    """London-wide measures under A and B (sums over unit-shifts; the share is the
    unweighted mean over unit-shifts, stated as such)."""
    def measures(plan: Any) -> dict[str, float]:
        frame = plan.plan
        short = frame["final"].astype(float) < frame["required"].astype(float)
        return {
            "Officer-shifts deployed (final)": float(frame["final"].sum()),
            "Officer-shifts lent": float(frame["lent"].sum()),
            "Unit-shifts short of required": float(short.sum()),
            "Officer gap in short unit-shifts": float((frame["required"] - frame["final"])[short].sum()),
            "Mean share within standard (%)": 100.0 * float(frame["share_within_standard"].mean()),
        }
    ma, mb = measures(a), measures(b)
    rows = [{"measure": k, "a": ma[k], "b": mb[k], "change": mb[k] - ma[k]} for k in ma]
    return pd.DataFrame(rows)


def _num(value: Any) -> str:
    return "" if pd.isna(value) else f"{float(value):,.1f}" if float(value) % 1 else f"{float(value):,.0f}"


DIFF_COLUMNS = (
    Column("Unit", "unit_name"),
    Column("Day type", "day_type", _day),
    Column("Shift", "shift"),
    Column("Final A", "final_a", _int, True),
    Column("Final B", "final_b", _int, True),
    Column("Change", "final_change", _signed_int, True, "Officers under B minus under A"),
    Column("Required", "required_a", _int, True),
    Column("Within std A", "share_within_standard_a", _pct, True),
    Column("Within std B", "share_within_standard_b", _pct, True),
    Column("Change ", "share_change_points", _signed_points, True,
           "Change in share of I-grade calls within the standard, percentage points"),
)
TOTAL_COLUMNS = (
    Column("Measure", "measure"),
    Column("A", "a", _num, True),
    Column("B", "b", _num, True),
    Column("Change", "change", _num, True),
)


def worse_under_b(frame: pd.DataFrame) -> pd.Series:
    return frame["share_change_points"].astype(float).fillna(0.0) < -0.05


class CompareView(QWidget):
    def __init__(self, session: Session, *, workers: WorkerPool | None = None,
                 recommend_fn: Callable[..., Any] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.workers = workers if workers is not None else WorkerPool(self)
        self._recommend_fn = recommend_fn or recommend
        self._tasks: dict[str, TaskHandle] = {}
        self._results: dict[str, Any] = {}
        self._fractions: dict[str, float] = {}
        self._refreshing = False
        self._build()
        session.sig_scenario_changed.connect(lambda *_: (self._update_labels(), self.refresh()))
        session.sig_comparison_scenario_changed.connect(self._on_b_changed)
        session.sig_plan_changed.connect(lambda *_: self.refresh())
        session.sig_comparison_changed.connect(lambda *_: self.refresh())
        self._on_b_changed(session.comparison_scenario)

    # --- layout ------------------------------------------------------------------------
    def _build(self) -> None:
        self.a_label = QLabel()
        self.a_label.setWordWrap(True)
        a_box = QGroupBox("A: current scenario")
        QVBoxLayout(a_box).addWidget(self.a_label)
        b_box = self._build_b_form()
        run_row = self._build_run_row()
        filters, tables = self._build_tables()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(a_box, 1)
        top.addWidget(b_box, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(run_row)
        layout.addWidget(self.status_label)
        layout.addLayout(filters)
        layout.addWidget(tables, 1)

    def _build_b_form(self) -> QGroupBox:
        """B's inputs for ``B_FIELDS``, generated from the field descriptions."""
        b_box = QGroupBox("B: alternative")
        form = QFormLayout(b_box)
        self.b_inputs: dict[str, QWidget] = {}
        for name in B_FIELDS:
            spec = FIELDS[name]
            widget = self._b_input(name, spec)
            widget.setToolTip(tooltip(spec))
            self.b_inputs[name] = widget
            if spec.kind == "bool":
                form.addRow(widget)
            else:
                form.addRow(spec.label, widget)
        copy_button = QPushButton("Copy A → B")
        copy_button.setToolTip("Start B from the current scenario")
        copy_button.clicked.connect(self.copy_a_to_b)
        form.addRow(copy_button)
        self.b_error = QLabel()
        self.b_error.setStyleSheet("color: #b00020;")
        self.b_error.setWordWrap(True)
        self.b_error.hide()
        form.addRow(self.b_error)
        return b_box

    def _b_input(self, name: str, spec: FieldSpec) -> QWidget:
        if spec.kind == "text":
            edit = QLineEdit()
            edit.editingFinished.connect(lambda: self._apply_b(
                lambda s: replace(s, **{name: edit.text().strip() or "B"})))
            return edit
        if spec.kind == "bool":
            box = QCheckBox(spec.label)
            box.toggled.connect(lambda v: self._apply_b(lambda s: replace(s, **{name: v})))
            return box
        spin = number_spin(spec)
        cast = int if spec.kind == "int" else float
        spin.valueChanged.connect(lambda v: self._apply_b(
            lambda s: replace(s, **{name: cast(v / spec.display_scale)
                                    if spec.display_scale != 1 else cast(v)})))
        return spin

    def _build_run_row(self) -> QHBoxLayout:
        self.run_button = QPushButton("Run both")
        self.run_button.setToolTip("Recommend deployment for A and B (in the background)")
        self.run_button.clicked.connect(self.run_both)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.hide()
        run_row = QHBoxLayout()
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.cancel_button)
        run_row.addWidget(self.progress, 1)
        return run_row

    def _build_tables(self) -> tuple[QHBoxLayout, QSplitter]:
        self.day_combo = QComboBox()
        self.day_combo.setSizeAdjustPolicy(  # filled later: grow to the longest entry
            QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.shift_combo = QComboBox()
        self.shift_combo.setSizeAdjustPolicy(  # filled later: grow to the longest entry
            QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.day_combo.currentIndexChanged.connect(self._apply_filter)
        self.shift_combo.currentIndexChanged.connect(self._apply_filter)
        self.diff_model = DataFrameModel(DIFF_COLUMNS, self, highlight=worse_under_b)
        self.diff_proxy = DayShiftFilter(self)
        self.diff_table = make_table(self.diff_model, self.diff_proxy)
        self.totals_model = DataFrameModel(TOTAL_COLUMNS, self)
        self.totals_table = make_table(self.totals_model, DayShiftFilter(self))
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Day type"))
        filters.addWidget(self.day_combo)
        filters.addWidget(QLabel("Shift"))
        filters.addWidget(self.shift_combo)
        filters.addStretch(1)
        tables = QSplitter(Qt.Orientation.Vertical)
        tables.addWidget(self.diff_table)
        tables.addWidget(self.totals_table)
        tables.setStretchFactor(0, 3)
        return filters, tables

    # --- scenario B --------------------------------------------------------------------
    def _b(self) -> DeploymentScenario:
        s = self.session
        if s.comparison_scenario is not None:
            return s.comparison_scenario
        return replace(s.scenario, name=f"{s.scenario.name} (B)")

    def copy_a_to_b(self) -> None:
        s = self.session.scenario
        self.session.set_comparison_scenario(replace(s, name=f"{s.name} (B)"))

    def _apply_b(self, change: Callable[[DeploymentScenario], DeploymentScenario]) -> None:
        if self._refreshing:
            return
        try:
            candidate = change(self._b()).validate()
        except ScenarioError as exc:
            self.b_error.setText(str(exc))
            self.b_error.show()
            return
        self.b_error.hide()
        self.session.set_comparison_scenario(candidate)

    def _on_b_changed(self, _scenario: Any) -> None:
        b = self._b()
        self._refreshing = True
        try:
            for name, widget in self.b_inputs.items():
                value = getattr(b, name)
                if isinstance(widget, QLineEdit):
                    widget.setText(value)
                elif isinstance(widget, QCheckBox):
                    widget.setChecked(value)
                else:
                    widget.setValue(value * FIELDS[name].display_scale)
        finally:
            self._refreshing = False
        self._update_labels()
        self.refresh()

    def _update_labels(self) -> None:
        a = self.session.scenario
        self.a_label.setText(f"<b>{a.name}</b><br>{a.officers_on_duty:,} officers per shift, "
                             f"floor {a.floor_share:.0%}, lending up to "
                             f"{a.max_lending_minutes:.0f} min, "
                             f"{'with' if a.include_visitors else 'without'} visitors")

    # --- running -----------------------------------------------------------------------
    def run_both(self) -> None:
        fn = self._recommend_fn
        s = self.session
        b = self._b()
        if s.comparison_scenario is None:
            s.set_comparison_scenario(b)
        self._results.clear()
        self._fractions = {TASK_A: 0.0, TASK_B: 0.0}
        for kind, scenario in ((TASK_A, s.scenario), (TASK_B, b)):
            task = self.workers.start(kind, fn, s.pack, scenario, population=s.population,
                                      hotspots=s.hotspots, incidents=s.incidents)
            self._tasks[kind] = task
            task.sig_progress.connect(lambda f, m, k=kind: self._on_progress(k, f))
            task.sig_finished.connect(lambda plan, k=kind, t=task: self._on_finished(k, t, plan))
            task.sig_failed.connect(lambda exc, k=kind, t=task: self._on_failed(k, t, exc))
            task.sig_cancelled.connect(lambda k=kind, t=task: self._on_cancelled(k, t))
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        self.progress.show()
        self.status_label.setText("Computing A and B…")

    def cancel(self) -> None:
        for task in self._tasks.values():
            task.cancel()

    def _on_progress(self, kind: str, fraction: float) -> None:
        self._fractions[kind] = fraction
        self.progress.setValue(int(500 * sum(self._fractions.values())))

    def _current(self, kind: str, task: TaskHandle) -> bool:
        return self._tasks.get(kind) is task

    def _on_finished(self, kind: str, task: TaskHandle, plan: Any) -> None:
        if not self._current(kind, task):
            return
        self._results[kind] = plan
        del self._tasks[kind]
        if not self._tasks:
            self._done()
            if TASK_A in self._results and TASK_B in self._results:
                self.session.set_plan(self._results[TASK_A])
                self.session.set_comparison(self._results[TASK_B])   # refresh() follows

    def _on_failed(self, kind: str, task: TaskHandle, exc: BaseException) -> None:
        if not self._current(kind, task):
            return
        self.cancel()
        del self._tasks[kind]
        if not self._tasks:
            self._done()
        self.status_label.setText(f"Scenario {'A' if kind == TASK_A else 'B'} failed.")
        show_error(self, exc, title="Compare scenarios")

    def _on_cancelled(self, kind: str, task: TaskHandle) -> None:
        if not self._current(kind, task):
            return
        del self._tasks[kind]
        if not self._tasks:
            self._done()
            if len(self._results) < 2:
                self.status_label.setText("Comparison cancelled.")

    def _done(self) -> None:
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.progress.hide()

    # --- tables ------------------------------------------------------------------------
    def refresh(self) -> None:
        a, b = self.session.plan, self.session.comparison_plan
        if a is None or b is None:
            self.diff_model.set_frame(None)
            self.totals_model.set_frame(None)
            if not self._tasks:
                self.status_label.setText("Press Run both to compare A and B.")
            self._fill_filters(None)
            return
        diff = compare_plans(a, b)
        self.diff_model.set_frame(diff)
        self.totals_model.set_frame(compare_totals(a, b))
        self._fill_filters(diff)
        stale = []
        if a.scenario != self.session.scenario:
            stale.append("A")
        if self.session.comparison_scenario is not None and b.scenario != self.session.comparison_scenario:
            stale.append("B")
        worse = int(worse_under_b(diff).sum())
        text = (f"<b>{a.scenario.name}</b> vs <b>{b.scenario.name}</b>: "
                f"{worse} unit-shifts have worse cover under B.")
        if stale:
            text += f" {' and '.join(stale)} changed since the run: press Run both again."
        self.status_label.setText(text)

    def _fill_filters(self, diff: pd.DataFrame | None) -> None:
        keep_day, keep_shift = self.day_combo.currentData(), self.shift_combo.currentData()
        for combo in (self.day_combo, self.shift_combo):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("All", "")
        if diff is not None and len(diff):
            for day in dict.fromkeys(str(d) for d in diff["day_type"]):
                self.day_combo.addItem(_day(day), day)
            for shift in dict.fromkeys(str(s) for s in diff["shift"]):
                self.shift_combo.addItem(shift, shift)
        for combo, keep in ((self.day_combo, keep_day), (self.shift_combo, keep_shift)):
            combo.setCurrentIndex(max(combo.findData(keep) if keep else 0, 0))
            combo.blockSignals(False)
        self._apply_filter()

    def _apply_filter(self) -> None:
        self.diff_proxy.set_filter(self.day_combo.currentData() or "",
                                   self.shift_combo.currentData() or "")
