"""Inspector: the selected borough's figures now and its 24-hour profile (population
present; demand, required and allocated officers once a plan exists)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFormLayout, QGraphicsItem, QLabel, QVBoxLayout, QWidget

from workstation.app import style
from workstation.maps.borough_metrics import borough_profile

POP_COLOUR = QColor("#e6550d")
DEMAND_COLOUR = QColor("#756bb1")
REQUIRED_COLOUR = QColor("#31a354")
ALLOCATED_COLOUR = QColor("#3182bd")


class _CompactAxis(pg.AxisItem):
    """Tick labels like 400k and 1.2M instead of pyqtgraph's 1e+06."""

    def tickStrings(self, values, scale, spacing):
        return [style.format_value(v * scale) for v in values]


def _pen(colour: QColor, width: float = 2.0, dash: bool = False):
    pen = pg.mkPen(colour, width=width)
    if dash:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


class Inspector(QWidget):
    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setObjectName("Inspector")
        self.names = dict(zip(session.pack.table("boroughs_simplified")["gss_code"],
                              session.pack.table("boroughs_simplified")["name"]))
        self.residents = session.pack.table("population").set_index("gss_code")["residents_mid2019"]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.title = QLabel("Click a borough on the map")
        self.title.setFont(style.ui_font(11, bold=True))
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.hotspot_label = QLabel("")
        self.hotspot_label.setWordWrap(True)
        self.hotspot_label.setToolTip("The Gi* hotspot clicked on the map (ranked by harm)")
        self.hotspot_label.setStyleSheet("color: #49006a;")
        self.hotspot_label.hide()
        layout.addWidget(self.hotspot_label)
        form = QFormLayout()
        self.figures: dict[str, QLabel] = {}
        for key, label, tip in (
                ("residents", "Residents", "ONS mid-2019 estimate"),
                ("population_present", "Present now", "Population present in this hour "
                 "(workstation.flows.population)"),
                ("demand_per_hour", "Demand /h", "Incidents per hour from the plan"),
                ("required", "Required", "Officers needed for the response standard"),
                ("allocated", "Allocated", "Officers allocated by the plan (after lending)"),
                ("map_value", "Map", "The borough's value in the map's choropleth")):
            value = QLabel("–")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setToolTip(tip)
            name = QLabel(label)
            name.setToolTip(tip)
            form.addRow(name, value)
            self.figures[key] = value
        layout.addLayout(form)

        self.population_plot = pg.PlotWidget(background="w",
                                             axisItems={"left": _CompactAxis("left")})
        self.population_plot.setMinimumHeight(140)
        self._setup_plot(self.population_plot, "People present")
        self.officer_plot = pg.PlotWidget(background="w", axisItems={"left": _CompactAxis("left")})
        self.officer_plot.setMinimumHeight(140)
        self._setup_plot(self.officer_plot, "Officers / demand per hour")
        self.officer_plot.setXLink(self.population_plot)
        self.pop_curve = self.population_plot.plot(pen=_pen(POP_COLOUR), name="Population present")
        self.demand_curve = self.officer_plot.plot(pen=_pen(DEMAND_COLOUR, dash=True),
                                                   name="Demand /h")
        self.required_curve = self.officer_plot.plot(pen=_pen(REQUIRED_COLOUR), name="Required")
        self.allocated_curve = self.officer_plot.plot(pen=_pen(ALLOCATED_COLOUR), name="Allocated",
                                                      stepMode=None)
        self.hour_lines = []
        for plot in (self.population_plot, self.officer_plot):
            line = pg.InfiniteLine(angle=90, pen=pg.mkPen(120, 120, 120, width=1,
                                                          style=Qt.PenStyle.DotLine))
            plot.addItem(line)
            self.hour_lines.append(line)
        self.plan_note = QLabel("Officer curves appear once a plan is computed (Scenario panel).")
        self.plan_note.setWordWrap(True)
        self.plan_note.setStyleSheet("color: #555;")
        layout.addWidget(self.population_plot, 1)
        layout.addWidget(self.officer_plot, 1)
        layout.addWidget(self.plan_note)
        self.profile = None
        self._profile_day_type = None
        # Set by the main window: code -> "label: value" of the map's current choropleth.
        self.map_value_provider = None

        session.sig_selection_changed.connect(lambda *_: self.refresh())
        session.sig_time_changed.connect(self._on_session_time_changed)
        session.sig_plan_changed.connect(lambda *_: self.refresh())
        self.refresh()

    def _setup_plot(self, plot: pg.PlotWidget, title: str) -> None:
        item = plot.getPlotItem()
        item.setTitle(title, size="9pt", color="#222")
        # Top left: nights are low. Dark labels: pyqtgraph's default grey is faint on white.
        item.addLegend(offset=(5, 5), labelTextSize="8pt", labelTextColor="#222",
                       brush=pg.mkBrush(255, 255, 255, 210))   # readable over the curves
        item.showGrid(x=True, y=True, alpha=0.2)
        item.setXRange(0, 23, padding=0.02)
        item.setMouseEnabled(x=False, y=False)
        item.hideButtons()
        item.setMenuEnabled(False)
        axis = item.getAxis("bottom")
        axis.setTicks([[(h, f"{h:02d}") for h in range(0, 24, 3)]])
        for name in ("bottom", "left"):
            item.getAxis(name).setTickFont(style.ui_font(8))
            # The hour line moves on every hour step and repaints the plot; the axes and
            # their grid (~1.5 ms each) are blitted unless the range changes.
            item.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def refresh(self) -> None:
        s = self.session
        code = s.selected_code
        hours = np.arange(24)
        if not code:
            self.title.setText("Click a borough on the map")
            self.profile = None
            for label in self.figures.values():
                label.setText("–")
            for curve in (self.pop_curve, self.demand_curve, self.required_curve,
                          self.allocated_curve):
                curve.setData([], [])
            self.population_plot.hide()
            self.officer_plot.hide()
            return
        self.population_plot.show()
        # An empty officer chart reads as "zero officers": show it only once a plan exists.
        self.officer_plot.setVisible(s.plan is not None)
        self.title.setText(f"{self.names.get(code, code)}  ({code})")
        profile = borough_profile(code, pack=s.pack, population=s.population, plan=s.plan,
                                  day_type=s.day_type)
        self.profile = profile
        self._profile_day_type = s.day_type
        for curve, column in ((self.pop_curve, "population_present"),
                              (self.demand_curve, "demand_per_hour"),
                              (self.required_curve, "required"),
                              (self.allocated_curve, "allocated")):
            if column in profile:
                curve.setData(hours, profile[column].to_numpy(float))
            else:
                curve.setData([], [])
        self.plan_note.setVisible(s.plan is None)
        self._update_figures()

    def _update_figures(self) -> None:
        s = self.session
        profile = self.profile
        self.figures["residents"].setText(f"{self.residents.get(s.selected_code, np.nan):,.0f}")
        for key in ("population_present", "demand_per_hour", "required", "allocated"):
            if profile is not None and key in profile:
                value = float(profile[key].iloc[s.hour])
                text = f"{value:,.0f}" if key == "population_present" else f"{value:,.1f}"
            else:
                text = "–"
            self.figures[key].setText(text)
        if self.map_value_provider is not None:
            self.figures["map_value"].setText(self.map_value_provider(s.selected_code))
        for line in self.hour_lines:
            line.setValue(s.hour + 0.5)

    def show_hotspot(self, hotspot: dict | None) -> None:
        """Figures of a clicked Gi* hotspot (a row of the hotspots table), None to clear."""
        if not hotspot:
            self.hotspot_label.clear()
            self.hotspot_label.hide()
            return
        parts = [f"Hotspot #{int(hotspot['hotspot_id'])}"]
        if "incidents_per_month" in hotspot:
            parts.append(f"{float(hotspot['incidents_per_month']):,.1f} incidents/month")
        if "n_cells" in hotspot:
            parts.append(f"{int(hotspot['n_cells'])} cells")
        if "max_z" in hotspot:
            parts.append(f"max Gi* z {float(hotspot['max_z']):.1f}")
        self.hotspot_label.setText(" · ".join(parts))
        self.hotspot_label.show()

    def update_map_value(self) -> None:
        if self.session.selected_code and self.map_value_provider is not None:
            self.figures["map_value"].setText(self.map_value_provider(self.session.selected_code))

    def _on_session_time_changed(self, day_type, hour: int) -> None:
        if self.profile is None:
            for line in self.hour_lines:
                line.setValue(hour + 0.5)
            return
        if day_type != self._profile_day_type:
            self.refresh()   # a new day type is a new 24-hour profile
        else:
            self._update_figures()   # same curves: move the hour line, read the hour's values
