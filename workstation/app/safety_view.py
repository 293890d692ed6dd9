"""Community Safety Index in the app: a borough choropleth layer, a month bar with play, the
domain weights editable in the Scenario panel's style, and an inspector chart of the
selected borough's index and domains over time.

Kept in one new module with one hook in the main window (``install_safety(window)``) so the
map, inspector and scenario code other people edit is not touched. The index itself is the
Qt-free ``workstation.safety``; it is computed lazily, the first time the layer or the panel
is shown (a second or two: the borough inputs reuse the session's population model).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QPushButton, QSlider, QStyle,
                               QToolButton, QVBoxLayout, QWidget)

from workstation.app import style
from workstation.app.map.layers import FillItem, MapLayer
from workstation.app.map.legend import LegendBlock, LegendEntry
from workstation.app.file_dialogs import start_path

_log = logging.getLogger(__name__)

# Fixed classes on the index's own scale (docs/method-safety-index.md): red below the target
# 6, neutral 6-7, greens from the London reference 7 up. Fixed, so colours mean the same in
# every month and the map shows progress towards the target.
CLASS_BOUNDS = (0.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0)
CLASS_COLOURS = ("#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d9f0d3", "#7fbf7b", "#1b7837")
PLAY_INTERVAL_MS = 600
DOMAIN_COLOURS = {"harm_per_resident": "#e6550d", "harm_per_person_present": "#fd8d3c",
                  "violence": "#b2182b", "burglary": "#756bb1", "road_collisions": "#636363",
                  "deprivation": "#8c6d31", "confidence": "#3182bd"}


def class_of(score: float) -> int:
    """Index of the fixed class holding ``score`` (-1 for no score)."""
    if score is None or not np.isfinite(score):
        return -1
    return int(min(np.searchsorted(CLASS_BOUNDS, score, side="right") - 1, len(CLASS_COLOURS) - 1))


class SafetyState(QObject):
    """The borough index shared by the layer, the panel and the chart (GUI thread only)."""

    sig_changed = Signal()
    sig_picked = Signal()      # a map click picked a ward (or none)

    LEVELS = ("borough", "ward")

    def __init__(self, session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.level = "borough"
        self.inputs = None
        self.index = None
        self._inputs_by_level: dict = {}
        self._presence = None
        self.picked_ward = ""       # ward clicked on the map (ward level)
        self.month: str | None = None
        from workstation.safety.weights import load_domain_weights
        self.default_weights = load_domain_weights()
        self.weights = self.default_weights
        self.error = ""

    @property
    def ready(self) -> bool:
        return self.index is not None

    def ensure(self) -> bool:
        """Compute the borough inputs and index once; False (with ``error``) if it failed."""
        if self.index is not None:
            return True
        if self.error:
            return False
        try:
            from workstation.safety.index import (borough_presence, compute_index,
                                                  load_level_inputs)
            pack = self.session.pack
            if self._presence is None:
                self._presence = borough_presence(pack, self.session.population)
            if self.level not in self._inputs_by_level:
                self._inputs_by_level[self.level] = load_level_inputs(
                    pack, self.level, presence=self._presence)
            self.inputs = self._inputs_by_level[self.level]
            self.index = compute_index(self.inputs, self.weights)
            if self.month is None:
                self.month = "2024-12" if "2024-12" in self.index.months else self.index.months[-1]
        except Exception as exc:   # the map must stay usable if the pack lacks the tables
            _log.exception("safety index failed")
            self.error = str(exc)
            return False
        return True

    def set_level(self, level: str) -> None:
        if level == self.level or level not in self.LEVELS:
            return
        self.level = level
        self.index = None
        self.ensure()
        self.sig_changed.emit()

    def pick(self, easting_m: float, northing_m: float) -> None:
        """Remember the ward under a map click (used by the chart at ward level)."""
        import shapely
        wards = self.session.pack.table("safety_wards")
        if not hasattr(self, "_ward_tree"):
            geoms = wards.geometry.values
            self._ward_tree = (shapely.STRtree(geoms), geoms)
        tree, geoms = self._ward_tree
        hit = tree.query(shapely.Point(easting_m, northing_m), predicate="within")
        self.picked_ward = str(wards["ward_code"].iloc[int(hit[0])]) if len(hit) else ""
        if self.level == "ward":
            self.sig_picked.emit()

    def set_month(self, month: str) -> None:
        if month != self.month:
            self.month = month
            self.sig_changed.emit()

    def set_weights(self, weights) -> None:
        from workstation.safety.index import compute_index
        self.weights = weights
        if self.inputs is not None:
            self.index = compute_index(self.inputs, weights)
        self.sig_changed.emit()

    def scores(self) -> pd.Series:
        if not self.ensure():
            return pd.Series(dtype=float)
        m = self.index.month_index(self.month)
        return pd.Series(self.index.total[:, m], index=list(self.inputs.codes))


class SafetyIndexLayer(MapLayer):
    key = "safety_index"
    title = "Safety index"
    description = ("Community Safety Index 0-10 per borough, 12 months to the month in the "
                   "Safety index panel (target 6; London 2023 = 7)")

    def __init__(self, session, boroughs: pd.DataFrame, state: SafetyState, **kw):
        super().__init__(session, **kw)
        self.boroughs = boroughs
        self.state = state
        self.items: dict[str, FillItem] = {}
        self._built_level = ""
        self.values = pd.Series(dtype=float)
        self._legend: LegendBlock | None = None
        state.sig_changed.connect(self.refresh)

    def build(self) -> None:
        """Fills for the state's level: boroughs, or wards (unions of their LSOAs)."""
        for item in self.items.values():
            item.setParentItem(None)
            if item.scene() is not None:
                item.scene().removeItem(item)
        self.items = {}
        if self.state.level == "ward":
            wards = self.session.pack.table("safety_wards")
            shapes = zip(wards["ward_code"], wards.geometry.values)
        else:
            shapes = zip(self.boroughs["gss_code"], self.boroughs.geometry.values)
        for code, geometry in shapes:
            if geometry is None:
                continue
            item = FillItem(geometry)
            item.setBrush(QBrush(style.NO_DATA_COLOUR))
            item.setParentItem(self.root)
            self.items[code] = item
        self._built_level = self.state.level

    def refresh(self) -> None:
        self._legend = None
        if not self.shown:
            return
        if self._built_level != self.state.level:
            self.build()
        if not self.items:
            return
        self.values = self.state.scores()
        for code, item in self.items.items():
            cls = class_of(float(self.values.get(code, np.nan)))
            item.setBrush(QBrush(QColor(CLASS_COLOURS[cls]) if cls >= 0 else style.NO_DATA_COLOUR))
        self.sig_changed.emit()

    def legend_block(self) -> LegendBlock | None:
        """Kept until the scores or the state change: the canvas asks on every hour step,
        and counting the classes with pandas was ~5 ms of it."""
        if not self.state.ready:
            return None
        if self._legend is None:
            self._legend = self._legend_now()
        return self._legend

    def _legend_now(self) -> LegendBlock:
        scores = self.values.dropna()
        entries = []
        for i in range(len(CLASS_COLOURS) - 1, -1, -1):
            lo, hi = CLASS_BOUNDS[i], CLASS_BOUNDS[i + 1]
            n = int(((scores >= lo) & ((scores < hi) | (hi == 10.0))).sum())
            entries.append(LegendEntry(f"{lo:g} – {hi:g}  ({n})", QColor(CLASS_COLOURS[i])))
        if self.values.isna().any():
            entries.append(LegendEntry("Not scored (no Met data)", style.NO_DATA_COLOUR))
        below = int((scores < self.state.index.target).sum())
        note = (f"{self.state.level}s, 12 months to {self.state.month}; {below} below "
                f"target {self.state.index.target:g}")
        return LegendBlock("Safety index (0–10)", tuple(entries), note)


class SafetyPanel(QWidget):
    """Month bar (with play) and the domain weights, edited like the Scenario panel."""

    def __init__(self, state: SafetyState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.setObjectName("SafetyPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        intro = QLabel("Rotterdam-style Community Safety Index per borough: 0–10, the London "
                       "2023 value scores 7, every 3 points is a doubling; target 6. Method: "
                       "docs/method-safety-index.md.")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        level_row = QHBoxLayout()
        level_row.addWidget(QLabel("Areas:"))
        self.level_combo = QComboBox()
        self.level_combo.addItem("Boroughs", "borough")
        self.level_combo.addItem("Wards (2022, from LSOAs)", "ward")
        self.level_combo.setToolTip("Wards are unions of the LSOAs assigned to them by matching "
                                    "crime counts (no ward polygons in the data)")
        self.level_combo.currentIndexChanged.connect(
            lambda *_: self.state.set_level(self.level_combo.currentData()))
        level_row.addWidget(self.level_combo, 1)
        layout.addLayout(level_row)

        month_box = QGroupBox("Month (12-month window ends)")
        row = QHBoxLayout(month_box)
        self.play_button = QToolButton()
        self.play_button.setCheckable(True)
        self.play_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.play_button.setToolTip("Play / pause the index month by month")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setTickInterval(12)
        self.slider.setToolTip("Index month: the last month of the 12-month window")
        self.month_label = QLabel("–")
        self.month_label.setMinimumWidth(70)
        row.addWidget(self.play_button)
        row.addWidget(self.slider, 1)
        row.addWidget(self.month_label)
        layout.addWidget(month_box)

        weights_box = QGroupBox("Domain weights (published, editable)")
        form = QFormLayout(weights_box)
        self.spins: dict[str, QDoubleSpinBox] = {}
        from workstation.safety.index import BUILTIN_DOMAINS
        basis = {n: b for n, _, b in state.default_weights.weights}
        for name, spec in BUILTIN_DOMAINS.items():
            spin = QDoubleSpinBox()
            spin.setRange(0.0, 1.0)
            spin.setSingleStep(0.05)
            spin.setDecimals(2)
            spin.setValue(state.weights.get(name) or 0.0)
            spin.setToolTip(f"{spec.unit}. {basis.get(name, '')}")
            spin.valueChanged.connect(self._on_weight_changed)
            label = QLabel(spec.label)
            label.setToolTip(spin.toolTip())
            form.addRow(label, spin)
            self.spins[name] = spin
        buttons = QHBoxLayout()
        for text, slot, tip in (("Reset", self.reset_weights, "Back to the published weights"),
                                ("Load CSV…", self.load_weights, "Read a domain,weight,basis CSV"),
                                ("Save CSV…", self.save_weights, "Write these weights as CSV")):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        form.addRow(buttons)
        layout.addWidget(weights_box)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        layout.addStretch(1)

        self._timer = QTimer(self, interval=PLAY_INTERVAL_MS)
        self._timer.timeout.connect(self.step_forward)
        self.play_button.toggled.connect(self.set_playing)
        self.slider.valueChanged.connect(self._on_slider)
        state.sig_changed.connect(self.sync)
        self._syncing = False

    # --- month ----------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.sync()

    def sync(self) -> None:
        if not self.state.ensure():
            self.summary.setText(f"Safety index unavailable: {self.state.error}")
            return
        months = self.state.index.months
        self._syncing = True
        self.slider.setRange(0, len(months) - 1)
        self.slider.setValue(months.index(self.state.month))
        self._syncing = False
        self.month_label.setText(self.state.month)
        table = self.state.index.table(self.state.month)
        scored = table[table["scored"]].sort_values("score")
        below = scored[scored["below_target"]]
        london = self.state.index.london_score(self.state.month)
        names = ", ".join(f"{n} {s:.2f}" for n, s in zip(below["name"].head(12),
                                                       below["score"].head(12)))
        if len(below) > 12:
            names += f" and {len(below) - 12} more"
        self.summary.setText(
            f"London {london:.2f} (city target 7). {len(below)} of {len(scored)} "
            f"{self.state.level}s below target {self.state.index.target:g}: "
            + (names or "none")
            + f". Lowest: {scored['name'].iloc[0]} {scored['score'].iloc[0]:.2f}; highest: "
            f"{scored['name'].iloc[-1]} {scored['score'].iloc[-1]:.2f}.")

    def _on_slider(self, value: int) -> None:
        if self._syncing or not self.state.ready:
            return
        self.state.set_month(self.state.index.months[int(value)])

    def step_forward(self) -> None:
        if self.state.ensure():
            n = len(self.state.index.months)
            self.slider.setValue((self.slider.value() + 1) % n)

    def set_playing(self, playing: bool) -> None:
        if playing:
            self._timer.start()
        else:
            self._timer.stop()
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))

    # --- weights ----------------------------------------------------------------------------
    def current_weights(self):
        from workstation.safety.weights import DomainWeights
        basis = {n: b for n, _, b in self.state.default_weights.weights}
        return DomainWeights(tuple((n, float(s.value()), basis.get(n, "edited in the app"))
                                   for n, s in self.spins.items()), "app")

    def _on_weight_changed(self, *_):
        if self._syncing:
            return
        weights = self.current_weights()
        if sum(w for _, w, _ in weights.weights) <= 0:
            self.summary.setText("At least one weight must be above 0.")
            return
        self.state.set_weights(weights)

    def _set_spins(self, weights) -> None:
        self._syncing = True
        for name, spin in self.spins.items():
            spin.setValue(weights.get(name) or 0.0)
        self._syncing = False
        self.state.set_weights(weights)

    def reset_weights(self) -> None:
        self._set_spins(self.state.default_weights)

    def load_weights(self, path: str | None = None) -> None:
        from workstation.errors import InputError
        from workstation.safety.weights import load_domain_weights
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "Load safety weights", start_path(), "CSV (*.csv)")
        if not path:
            return
        try:
            weights = load_domain_weights(path)
        except InputError as exc:
            self.summary.setText(f"Weights not loaded: {exc}")
            return
        self._set_spins(weights)

    def save_weights(self, path: str | None = None) -> None:
        from workstation.atomic import atomic_write_text
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Save safety weights", start_path("weights.csv"),
                                                  "CSV (*.csv)")
        if not path:
            return
        atomic_write_text(Path(path), self.current_weights().to_frame().to_csv(index=False))


class SafetyChart(QWidget):
    """Inspector chart: the selected borough's index and domain scores by month."""

    def __init__(self, session, state: SafetyState, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.state = session, state
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        self.label = QLabel("")
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMinimumHeight(190)
        item = self.plot.getPlotItem()
        item.setTitle("Safety index and domains (0–10)", size="9pt", color="#222")
        item.showGrid(x=True, y=True, alpha=0.2)
        item.setYRange(0, 10, padding=0.02)
        item.setMouseEnabled(x=False, y=False)
        item.hideButtons()
        item.setMenuEnabled(False)
        for name in ("bottom", "left"):
            item.getAxis(name).setTickFont(style.ui_font(8))
        self.month_line = pg.InfiniteLine(angle=90, pen=pg.mkPen(120, 120, 120, width=1,
                                                                 style=Qt.PenStyle.DotLine))
        self.target_line = pg.InfiniteLine(pos=6.0, angle=0, pen=pg.mkPen("#b2182b", width=1,
                                                                          style=Qt.PenStyle.DashLine))
        self.plot.addItem(self.month_line)
        self.plot.addItem(self.target_line)
        self.curves: dict[str, pg.PlotDataItem] = {}
        layout.addWidget(self.plot, 1)
        self.key = QLabel("")     # colour key below the plot: a legend inside hid the curves
        self.key.setWordWrap(True)
        self.key.setFont(style.ui_font(7.5))
        layout.addWidget(self.key)
        session.sig_selection_changed.connect(lambda *_: self.refresh())
        state.sig_changed.connect(self.refresh)
        state.sig_picked.connect(self.refresh)
        self.hide()

    def refresh(self) -> None:
        code = self.session.selected_code
        if self.state.level == "ward" and self.state.picked_ward:
            code = self.state.picked_ward
        if not code or not self.state.ensure() or code not in self.state.inputs.codes:
            self.hide()
            return
        index = self.state.index
        series = index.series(code)
        x = np.arange(len(series))
        item = self.plot.getPlotItem()
        months = list(series["month"])
        item.getAxis("bottom").setTicks([[(i, m) for i, m in enumerate(months)
                                          if m.endswith("-12") or i == 0]])
        for name in ("score", *index.domains):
            if name not in self.curves:
                if name == "score":
                    pen = pg.mkPen("#111111", width=3)
                    label = "Index"
                else:
                    pen = pg.mkPen(DOMAIN_COLOURS.get(name, "#999999"), width=1.3)
                    label = index.specs[name].label
                self.curves[name] = self.plot.plot(pen=pen, name=label)
            self.curves[name].setData(x, series[name].to_numpy(float))
        for name, curve in self.curves.items():
            curve.setVisible(name == "score" or name in index.domains)
        self.key.setText("&nbsp; ".join(
            [f'<span style="color:#111111">&#9632;</span> <b>Index</b>']
            + [f'<span style="color:{DOMAIN_COLOURS.get(d, "#999999")}">&#9632;</span> '
               f'{index.specs[d].label}' for d in index.domains]
            + ['<span style="color:#b2182b">- -</span> target']))
        m = months.index(self.state.month)
        self.month_line.setPos(m)
        row = index.table(self.state.month).set_index("area_code").loc[code]
        if np.isfinite(row["score"]):
            contributions = sorted(((row[f"contribution_{d}"], d) for d in index.domains
                                    if np.isfinite(row[f"contribution_{d}"])), reverse=True)
            weakest = min(index.domains, key=lambda d: row[f"score_{d}"]
                          if np.isfinite(row[f"score_{d}"]) else 99)
            name = self.state.inputs.names[self.state.inputs.codes.index(code)]
            change = row["change_vs_last_year"]
            change_text = (f"{change:+.2f} on a year" if np.isfinite(change)
                           else "no year-earlier index")
            self.label.setText(
                f"<b>{name}: safety index {row['score']:.2f}</b> (rank {int(row['rank'])} of "
                f"{int(index.table(self.state.month)['scored'].sum())}, 12 months to "
                f"{self.state.month}; {change_text}). Weakest: "
                f"{index.specs[weakest].label} {row[f'score_{weakest}']:.1f}. Largest "
                f"contribution: {index.specs[contributions[0][1]].label} "
                f"{contributions[0][0]:.2f} pts.")
        else:
            self.label.setText("<b>Safety index</b>: not scored (no Met crime data or no "
                               "residents here).")
        self.show()


def install_safety(window) -> SafetyState | None:
    """The one hook from the main window: layer above the borough choropleth, a dock tabbed
    with the Inspector, and the chart at the foot of the Inspector."""
    session = window.session
    if not session.pack.has("safety_ward_crime"):
        return None
    state = SafetyState(session, window)
    boroughs = session.pack.table("boroughs_simplified")
    layer = SafetyIndexLayer(session, boroughs, state, visible=False, opacity=0.9)
    window.canvas.add_layer(layer)
    keys = [lay.key for lay in window.canvas.layers if lay is not layer]
    at = keys.index("choropleth") + 1 if "choropleth" in keys else 0
    window.canvas.set_order(keys[:at] + [layer.key] + keys[at:])
    panel = SafetyPanel(state)
    dock = window._add_dock("safety", "Safety index", panel, Qt.DockWidgetArea.RightDockWidgetArea)
    if "inspector" in window.docks:
        window.tabifyDockWidget(window.docks["inspector"], dock)
        window.docks["inspector"].raise_()
    chart = SafetyChart(session, state)
    window.inspector.layout().addWidget(chart, 1)
    window.canvas.sig_clicked.connect(state.pick)   # before the window's own handler selects
    window.safety_state, window.safety_layer = state, layer
    window.safety_panel, window.safety_chart = panel, chart
    window.layer_panel.sync()
    return state
