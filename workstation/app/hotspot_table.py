"""Hotspot table dock: the ranked hotspots as a sortable table (rank, name, harm, incidents,
area ...). Clicking a row selects the hotspot, zooms the map to it and shows its figures and
a monthly sparkline; the table exports to CSV or XLSX exactly as shown (its columns, in the
current sort order).

The table reads the hotspot engine's result (``session.hotspots.hotspots``); columns the
engine does not provide are simply not shown. Nothing is computed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QRectF, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTableView, QVBoxLayout, QWidget)

from workstation.app import style
from workstation.errors import OutputError
from workstation.app.file_dialogs import start_path


@dataclass(frozen=True, slots=True)
class Column:
    key: str          # column of the hotspots table
    header: str       # with its unit
    decimals: int | None = None   # None: text
    scale: float = 1.0            # shown = value * scale


# In display order; a column is shown when the engine's table has it.
COLUMNS = (
    Column("hotspot_id", "Rank", 0),
    Column("name", "Name"),
    Column("borough", "Borough"),
    Column("nearest_station", "Nearest station"),
    Column("nearest_station_distance_m", "Station (m)", 0),
    Column("lsoa21_code", "LSOA 2021"),
    Column("lsoa21_name", "LSOA name"),
    Column("area_m2", "Area (m²)", 0),
    Column("forecast_incidents_per_month", "Forecast incidents / month", 1),
    Column("forecast_harm_per_month", "Forecast harm / month", 0),
    Column("share_of_london_harm", "Share of London harm (%)", 2, 100.0),
    Column("incidents_per_month", "Incidents / month (Gi* window)", 1),
    Column("incidents", "Incidents (Gi* window)", 0),
    Column("max_z", "Max Gi* z", 1),
)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


def table_frame(hotspots: pd.DataFrame) -> pd.DataFrame:
    """The hotspots as the table shows and exports them: known columns, display headers."""
    shown = [c for c in COLUMNS if c.key in hotspots.columns]
    data = {}
    for column in shown:
        values = hotspots[column.key]
        if column.decimals is not None:
            values = pd.to_numeric(values, errors="coerce") * column.scale
        data[column.header] = values.to_numpy()
    return pd.DataFrame(data)


def export_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write the table to .csv or .xlsx atomically (never a half-written file)."""
    from workstation.atomic import atomic_write_bytes

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        payload = frame.to_csv(index=False).encode("utf-8")
    elif suffix == ".xlsx":
        import io
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            frame.to_excel(writer, index=False, sheet_name="Hotspots")
        payload = buffer.getvalue()
    else:
        raise OutputError(f"{path}: choose a .csv or .xlsx file name")
    atomic_write_bytes(path, payload)
    return path


class HotspotModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.frame = pd.DataFrame()
        self.columns: list[Column] = []
        self._text: list[list] = []
        self._key: list[list] = []

    def set_hotspots(self, hotspots: pd.DataFrame | None) -> None:
        self.beginResetModel()
        self.frame = (pd.DataFrame(hotspots.drop(columns="geometry", errors="ignore"))
                      if hotspots is not None else pd.DataFrame())
        self.columns = [c for c in COLUMNS if c.key in self.frame.columns]
        # Display text and sort keys per column, computed once: the proxy calls data()
        # n log n times per sort, and a pandas lookup per call took seconds for 2,000 rows.
        self._text, self._key = [], []
        for column in self.columns:
            values = self.frame[column.key]
            if column.decimals is None:
                text = ["" if pd.isna(v) else str(v) for v in values]
                self._text.append(text)
                self._key.append(text)
            else:
                numbers = pd.to_numeric(values, errors="coerce").to_numpy(float) * column.scale
                self._text.append(["" if np.isnan(v) else f"{v:,.{column.decimals}f}"
                                   for v in numbers])
                self._key.append([float("-inf") if np.isnan(v) else float(v) for v in numbers])
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.frame)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section].header
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        column = self.columns[index.column()]
        if role == SORT_ROLE:
            return self._key[index.column()][index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text[index.column()][index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole and column.decimals is not None:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def row_dict(self, row: int) -> dict:
        return self.frame.iloc[row].to_dict()


class HotspotDetails(QWidget):
    """A hotspot's figures and its incidents per month as a sparkline (in the Inspector)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.text = QLabel("")
        self.text.setWordWrap(True)
        self.text.setStyleSheet("color: #49006a;")
        self.plot = pg.PlotWidget(background="w")
        self.plot.setFixedHeight(70)
        self.plot.hideAxis("left")
        self.plot.getPlotItem().getAxis("bottom").setStyle(tickFont=style.ui_font(7))
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.curve = self.plot.plot(pen=pg.mkPen(QColor(style.HOTSPOT_COLOUR), width=1.5))
        self.months: list[str] = []
        layout.addWidget(self.text)
        layout.addWidget(self.plot)
        self.hide()

    def show_hotspot(self, hotspot: dict | None, monthly: pd.Series | None = None) -> None:
        if not hotspot:
            self.hide()
            return
        rank = int(hotspot["hotspot_id"])
        title = f"Hotspot #{rank}"
        if hotspot.get("name"):
            title += f": {hotspot['name']}"
        facts = []
        for column in COLUMNS[2:]:
            if column.key in hotspot and pd.notna(hotspot[column.key]):
                value = hotspot[column.key]
                text = (str(value) if column.decimals is None else
                        f"{float(value) * column.scale:,.{column.decimals}f}")
                facts.append(f"{column.header}: {text}")
        self.text.setText(f"<b>{title}</b><br>" + "<br>".join(facts))
        if monthly is not None and len(monthly):
            self.months = [str(m) for m in monthly.index]
            values = monthly.to_numpy(float)
            self.curve.setData(np.arange(len(values)), values)
            ticks = [(i, m) for i, m in enumerate(self.months) if m.endswith("-01")]
            self.plot.getPlotItem().getAxis("bottom").setTicks([[(i, m[:4]) for i, m in ticks]])
            self.plot.setToolTip(f"Incidents per month in hotspot #{rank}, "
                                 f"{self.months[0]} to {self.months[-1]} "
                                 f"(peak {values.max():,.0f})")
            self.plot.show()
        else:
            self.months = []
            self.curve.setData([], [])
            self.plot.hide()
        self.show()


class HotspotTable(QWidget):
    sig_hotspot_selected = Signal(object)    # row dict, or None

    def __init__(self, session, canvas, inspector=None, parent=None):
        super().__init__(parent)
        self.session, self.canvas, self.inspector = session, canvas, inspector
        self.setObjectName("HotspotTable")
        self.monthly: pd.DataFrame | None = None
        self.model = HotspotModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        # Column widths from the first rows only: sizing 2,000+ rows x 15 columns on every
        # layout made the window crawl.
        header = self.view.horizontalHeader()
        header.setResizeContentsPrecision(40)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.setToolTip("Click a hotspot to zoom to it; click a header to sort")
        self.summary = QLabel("")
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save the table as CSV or Excel (as sorted here)")
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.details = HotspotDetails()
        if inspector is not None:   # the figures and sparkline live in the Inspector
            inspector.layout().insertWidget(2, self.details)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.export_button.clicked.connect(lambda: self.export())
        session.sig_hotspots_changed.connect(self.set_result)
        self.set_result(session.hotspots)

    def set_result(self, result) -> None:
        hotspots = getattr(result, "hotspots", None)
        self.model.set_hotspots(hotspots)
        self.proxy.sort(0, Qt.SortOrder.AscendingOrder)
        self.view.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.view.resizeColumnsToContents()
        self.monthly = getattr(self.session, "hotspot_monthly", None)
        n = 0 if hotspots is None else len(hotspots)
        patrol = hotspots is not None and "forecast_harm_per_month" in hotspots.columns
        ranked = ("patrol-sized places (≤ 0.2 km²) ranked by forecast harm per month"
                  if patrol else "Gi* clusters ranked by harm")
        self.summary.setText(f"{n} hotspots: {ranked} (#1 = most)" if n else
                             "No hotspots yet (computed after start-up or an import)")
        self.export_button.setEnabled(n > 0)
        self.details.show_hotspot(None)

    def sort_by(self, key: str, descending: bool = True) -> None:
        keys = [c.key for c in self.model.columns]
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        self.view.sortByColumn(keys.index(key), order)

    def shown_frame(self) -> pd.DataFrame:
        """The table as on screen: its columns and the current sort order."""
        rows = [self.proxy.mapToSource(self.proxy.index(r, 0)).row()
                for r in range(self.proxy.rowCount())]
        hotspots = self.model.frame.iloc[rows] if rows else self.model.frame
        return table_frame(hotspots)

    def select_row(self, view_row: int) -> None:
        self.view.selectRow(view_row)

    def select_hotspot(self, hotspot_id: int, *, zoom: bool = True) -> bool:
        """Select the row of a hotspot (``zoom=False`` for one clicked on the map, which the
        user is already looking at)."""
        for r in range(self.proxy.rowCount()):
            row = self.proxy.mapToSource(self.proxy.index(r, 0)).row()
            if int(self.model.frame["hotspot_id"].iloc[row]) == int(hotspot_id):
                self._zoom_on_select = zoom
                try:
                    self.view.selectRow(r)
                    self.view.scrollTo(self.proxy.index(r, 0))
                finally:
                    self._zoom_on_select = True
                return True
        return False

    def _on_selection_changed(self, *_) -> None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            self.details.show_hotspot(None)
            self.sig_hotspot_selected.emit(None)
            return
        row = self.proxy.mapToSource(rows[0]).row()
        hotspot = self.model.row_dict(row)
        self.show_on_map(hotspot, zoom=getattr(self, "_zoom_on_select", True))
        monthly = None
        if self.monthly is not None and hotspot["hotspot_id"] in self.monthly.index:
            monthly = self.monthly.loc[hotspot["hotspot_id"]]
        self.details.show_hotspot(hotspot, monthly)
        self.sig_hotspot_selected.emit(hotspot)

    def show_on_map(self, hotspot: dict, *, zoom: bool = True) -> None:
        """Zoom so the hotspot fills about a third of the map, and outline it."""
        result = self.session.hotspots
        frame = getattr(result, "hotspots", None)
        if frame is None:
            return
        match = frame[frame["hotspot_id"] == hotspot["hotspot_id"]]
        if match.empty:
            return
        minx, miny, maxx, maxy = match.geometry.iloc[0].bounds
        size = max(maxx - minx, maxy - miny, 400.0) * 3.0
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        if zoom:
            self.canvas.view.setRange(QRectF(cx - size / 2, cy - size / 2, size, size),
                                      padding=0.0)
        layer = self.canvas.layer("hotspots")
        if layer is not None:
            if not layer.visible:
                layer.set_visible(True)
            layer.set_selected(int(hotspot["hotspot_id"]))

    def export(self, path: str | Path | None = None) -> Path | None:
        from workstation.app.dialogs import show_error

        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export hotspot table", start_path("hotspots.xlsx"),
                                                  "Excel (*.xlsx);;CSV (*.csv)")
            if not path:
                return None
        try:
            written = export_table(self.shown_frame(), path)
        except (OutputError, OSError) as exc:
            show_error(self, exc, title="Export hotspot table")
            return None
        self.session.status(f"Hotspot table written to {written}")
        return written
