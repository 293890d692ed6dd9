"""The plan view: the engine's ShiftPlan as a sortable, filterable table, the lending
moves, and the plain-English impact statements.

Numbers are right-aligned and sort numerically (the sort role carries the raw value,
not the formatted text). Rows where the final number of officers is below the number
required are highlighted: that is the shortfall a duty officer must see first.
Selecting a borough row selects it in the session (and so on the map).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workstation.app.session import Session
from workstation.domain import DayType

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
SHORTFALL_BRUSH = QBrush(QColor("#f8d7da"))
_INDEX = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    key: str
    fmt: Callable[[Any], str] = str
    numeric: bool = False
    tip: str = ""


def _with_target_shown(frame: pd.DataFrame) -> pd.DataFrame:
    """``target_shown_I``: the target as a percentage, with the engine's note beside it when
    the target cannot be reached ("90% — target 90% not reachable here: ceiling 88% ...")."""
    if "target_I" not in frame.columns:
        return frame
    frame = frame.copy()
    notes = frame["target_note_I"] if "target_note_I" in frame.columns else ""
    shown = frame["target_I"].map(lambda v: "" if pd.isna(v) else f"{100 * float(v):.0f}%")
    frame["target_shown_I"] = [f"{t} — {n}" if isinstance(n, str) and n else t
                               for t, n in zip(shown, notes if len(notes) else [""] * len(shown))]
    return frame


def _int(value: Any) -> str:
    return "" if pd.isna(value) else f"{int(round(float(value))):,}"


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _signed_int(value: Any) -> str:
    return "" if pd.isna(value) else f"{int(round(float(value))):+,}"


def _pct(value: Any) -> str:
    return "" if pd.isna(value) else f"{100.0 * float(value):.1f}%"


def _signed_points(value: Any) -> str:
    return "" if pd.isna(value) else f"{float(value):+.1f} pts"


def _minutes(value: Any) -> str:
    return "" if pd.isna(value) else f"{float(value):.1f}"


def _day(value: Any) -> str:
    try:
        return DayType(str(value)).label
    except ValueError:
        return str(value)


PLAN_VIEW_COLUMNS = (
    Column("Unit", "unit_name"),
    Column("Day type", "day_type", _day),
    Column("Shift", "shift"),
    Column("Home", "home", _int, True, "Officers on duty from the unit's own strength"),
    Column("Required", "required", _int, True,
           "Officers needed to meet the I-grade standard in the shift's busiest hour"),
    Column("Lent", "lent", _int, True, "Officers lent to other units"),
    Column("Borrowed", "borrowed", _int, True, "Officers borrowed from other units"),
    Column("Final", "final", _int, True, "Home − lent + borrowed"),
    Column("Within standard", "share_within_standard", _pct, True,
           "Expected share of I-grade calls attended within the standard, with this plan"),
    Column("Static", "static_share_within_standard", _pct, True,
           "The same share with static staffing (no lending)"),
    Column("I-grade target", "target_shown_I", _text, False,
           "The user's I-grade target, never changed; where no staffing can reach it, the "
           "note says so and gives the best share any staffing reaches here"),
    Column("Risk", "risk_level", _text, False,
           "HIGH: I-grade short of its target; MEDIUM: short of the officers needed or "
           "S-grade short of its target; LOW: loses cover against static but meets both"),
    Column("Risk reason", "risk_reason", _text),
)

LENDING_VIEW_COLUMNS = (
    Column("From", "from_name"),
    Column("To", "to_name"),
    Column("Day type", "day_type", _day),
    Column("Shift", "shift"),
    Column("Officers", "officers", _int, True),
    Column("Travel (min)", "travel_minutes", _minutes, True,
           "Blue-light travel time between the units' centres"),
)


class DataFrameModel(QAbstractTableModel):
    """Read-only table over a DataFrame with formatted display and raw sort values."""

    def __init__(self, columns: Sequence[Column], parent=None,
                 highlight: Callable[[pd.Series], bool] | None = None):
        super().__init__(parent)
        self.columns = tuple(columns)
        self.frame = pd.DataFrame(columns=[c.key for c in self.columns])
        self._highlight = highlight
        self._flags = np.zeros(0, dtype=bool)

    def set_frame(self, frame: pd.DataFrame | None) -> None:
        self.beginResetModel()
        if frame is None:
            frame = pd.DataFrame(columns=[c.key for c in self.columns])
        self.frame = _with_target_shown(frame.reset_index(drop=True))
        if self._highlight is not None and len(self.frame):
            self._flags = np.asarray(self._highlight(self.frame), dtype=bool)
        else:
            self._flags = np.zeros(len(self.frame), dtype=bool)
        self.endResetModel()

    def rowCount(self, parent: _INDEX = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.frame)

    def columnCount(self, parent: _INDEX = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def value(self, row: int, key: str) -> Any:
        return self.frame.at[row, key] if key in self.frame.columns else None

    def is_highlighted(self, row: int) -> bool:
        return bool(self._flags[row])

    def data(self, index: _INDEX, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = self.columns[index.column()]
        value = self.value(index.row(), column.key)
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if value is None else column.fmt(value)
        if role == SORT_ROLE:
            if value is None or (column.numeric and pd.isna(value)):
                return float("-inf") if column.numeric else ""
            return float(value) if column.numeric else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignRight if column.numeric else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and self._flags[index.row()]:
            return SHORTFALL_BRUSH
        if role == Qt.ItemDataRole.FontRole and self._flags[index.row()] and column.key == "final":
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and self._flags[index.row()]:
            return "Shortfall: fewer officers than required in the shift's busiest hour"
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.ToolTipRole and column.tip:
            return column.tip
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class DayShiftFilter(QSortFilterProxyModel):
    """Keeps rows whose day type and shift match the chosen filters ("" = all)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.day_type = ""
        self.shift = ""
        self.setSortRole(SORT_ROLE)

    def set_filter(self, day_type: str, shift: str) -> None:
        # Qt >= 6.10 replaced invalidateFilter() with begin/endFilterChange().
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            self.day_type, self.shift = day_type, shift
            self.endFilterChange()
        else:
            self.day_type, self.shift = day_type, shift
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _INDEX) -> bool:
        model = self.sourceModel()
        if not isinstance(model, DataFrameModel):
            return True
        if self.day_type and str(model.value(source_row, "day_type")) != self.day_type:
            return False
        if self.shift and str(model.value(source_row, "shift")) != self.shift:
            return False
        return True


def shortfall(frame: pd.DataFrame) -> pd.Series:
    return frame["final"].astype(float) < frame["required"].astype(float)


def make_table(model: DataFrameModel, proxy: QSortFilterProxyModel) -> QTableView:
    proxy.setSourceModel(model)
    table = QTableView()
    table.setModel(proxy)
    table.setSortingEnabled(True)
    # Qt starts with a descending indicator on column 0: start A-Z, as the arrow shows.
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    # Dense rows as in a GIS attribute table: more of the plan fits in the dock.
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    # No stretched last column: it pushed a right-aligned figure far from its header.
    table.horizontalHeader().setStretchLastSection(False)
    return table


class PlanView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.plan_model = DataFrameModel(PLAN_VIEW_COLUMNS, self, highlight=shortfall)
        self.plan_proxy = DayShiftFilter(self)
        self.plan_table = make_table(self.plan_model, self.plan_proxy)
        self.plan_table.selectionModel().selectionChanged.connect(self._on_table_selection)
        self.lending_model = DataFrameModel(LENDING_VIEW_COLUMNS, self)
        self.lending_proxy = DayShiftFilter(self)
        self.lending_table = make_table(self.lending_model, self.lending_proxy)
        self.impact_list = QListWidget()
        self.impact_list.setWordWrap(True)
        self.impact_list.setToolTip("Who loses cover, when, and by how much, for each move")

        self.day_combo = QComboBox()
        self.day_combo.setSizeAdjustPolicy(  # filled later: grow to the longest entry
            QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.day_combo.setToolTip("Show one day type")
        self.shift_combo = QComboBox()
        self.shift_combo.setSizeAdjustPolicy(  # filled later: grow to the longest entry
            QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.shift_combo.setToolTip("Show one shift")
        self.follow_check = QCheckBox("Follow time bar")
        self.follow_check.setToolTip("Show the day type and shift of the time bar's hour")
        self.day_combo.currentIndexChanged.connect(self._apply_filter)
        self.shift_combo.currentIndexChanged.connect(self._apply_filter)
        self.follow_check.toggled.connect(lambda on: on and self._follow_time())
        self.summary = QLabel("No plan yet: set the scenario and press Recommend deployment.")
        self.summary.setWordWrap(True)

        filters = QHBoxLayout()
        filters.addWidget(QLabel("Day type"))
        filters.addWidget(self.day_combo)
        filters.addWidget(QLabel("Shift"))
        filters.addWidget(self.shift_combo)
        filters.addWidget(self.follow_check)
        filters.addStretch(1)

        lower = QSplitter(Qt.Orientation.Horizontal)
        lending_box = QWidget()
        lending_layout = QVBoxLayout(lending_box)
        lending_layout.setContentsMargins(0, 0, 0, 0)
        lending_layout.addWidget(QLabel("Lending (from → to)"))
        lending_layout.addWidget(self.lending_table)
        impact_box = QWidget()
        impact_layout = QVBoxLayout(impact_box)
        impact_layout.setContentsMargins(0, 0, 0, 0)
        impact_layout.addWidget(QLabel("Impact"))
        impact_layout.addWidget(self.impact_list)
        lower.addWidget(lending_box)
        lower.addWidget(impact_box)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.plan_table)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.splitter = splitter

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)

        session.sig_plan_changed.connect(self.set_plan)
        session.sig_scenario_changed.connect(lambda *_: self._apply_filter())
        session.sig_time_changed.connect(lambda *_: self.follow_check.isChecked()
                                         and self._follow_time())
        self.set_plan(session.plan)

    # --- data --------------------------------------------------------------------------
    def set_plan(self, plan: Any) -> None:
        self._plan = plan
        self.plan_model.set_frame(None if plan is None else plan.plan)
        self.lending_model.set_frame(None if plan is None else plan.lending)
        self._fill_filters(plan)
        self._apply_filter()
        if plan is not None:
            self.plan_table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)

    def _fill_filters(self, plan: Any) -> None:
        keep_day, keep_shift = self.day_combo.currentData(), self.shift_combo.currentData()
        for combo in (self.day_combo, self.shift_combo):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("All", "")
        if plan is not None and len(plan.plan):
            days = list(dict.fromkeys(str(d) for d in plan.plan["day_type"]))
            order = [d.value for d in DayType]
            for day in sorted(days, key=lambda d: order.index(d) if d in order else 99):
                self.day_combo.addItem(_day(day), day)
            for shift in dict.fromkeys(str(s) for s in plan.plan["shift"]):
                self.shift_combo.addItem(shift, shift)
        for combo, keep in ((self.day_combo, keep_day), (self.shift_combo, keep_shift)):
            index = combo.findData(keep) if keep else 0
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)

    def _apply_filter(self) -> None:
        day = self.day_combo.currentData() or ""
        shift = self.shift_combo.currentData() or ""
        self.plan_proxy.set_filter(day, shift)
        self.lending_proxy.set_filter(day, shift)
        self._fill_impact(day, shift)
        self._fill_summary(day, shift)

    def _fill_impact(self, day: str, shift: str) -> None:
        self.impact_list.clear()
        plan = self._plan
        if plan is None:
            return
        impact = plan.impact
        if day:
            impact = impact[impact["day_type"].astype(str) == day]
        if shift:
            impact = impact[impact["shift"].astype(str) == shift]
        statements = [str(s) for s in impact["statement"] if isinstance(s, str) and s.strip()]
        self.impact_list.addItems(statements or ["No unit loses cover under this plan."])

    def _fill_summary(self, day: str, shift: str) -> None:
        plan = self._plan
        if plan is None:
            self.summary.setText("No plan yet: set the scenario and press Recommend deployment.")
            return
        frame = plan.plan
        if day:
            frame = frame[frame["day_type"].astype(str) == day]
        if shift:
            frame = frame[frame["shift"].astype(str) == shift]
        short = frame[shortfall(frame)] if len(frame) else frame
        lent = int(round(float(frame["lent"].sum()))) if len(frame) else 0
        text = (f"<b>{plan.scenario.name}</b>: {len(frame)} unit-shifts, {lent:,} officers lent; "
                f"{len(short)} short of the required number")
        if len(short):
            gap = float((short["required"] - short["final"]).sum())
            text += f" (total gap {gap:,.0f} officers)"
        text += "."
        if plan.scenario != self.session.scenario:
            text += (" <span style='color:#b00020'>The scenario has changed since this plan: "
                     "press Recommend deployment to update it.</span>")
        self.summary.setText(text)

    def _follow_time(self) -> None:
        day = self.session.day_type.value
        index = self.day_combo.findData(day)
        if index >= 0:
            self.day_combo.setCurrentIndex(index)
        hour = self.session.hour
        plan = self._plan
        if plan is None:
            return
        for shift in plan.scenario.shifts:
            if hour in shift.hours:
                index = self.shift_combo.findData(shift.name)
                if index >= 0:
                    self.shift_combo.setCurrentIndex(index)

    def _on_table_selection(self, *_: Any) -> None:
        rows = self.plan_table.selectionModel().selectedRows()
        if not rows:
            return
        source = self.plan_proxy.mapToSource(rows[0])
        code = str(self.plan_model.value(source.row(), "unit_code"))
        if code.startswith("E09"):       # BCU codes are not map selections
            self.session.select(code)

    # --- helpers for tests and exports -------------------------------------------------
    def visible_rows(self) -> list[dict[str, Any]]:
        """The rows as shown (after filter and sort), as raw values."""
        out = []
        for row in range(self.plan_proxy.rowCount()):
            source = self.plan_proxy.mapToSource(self.plan_proxy.index(row, 0)).row()
            out.append(self.plan_model.frame.iloc[source].to_dict())
        return out
