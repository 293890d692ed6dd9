"""Layer panel: which layers show, how opaque, in which order, and the choropleth's metric
and classification. Edits go straight to the MapCanvas layers; nothing is stored here."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QSlider, QSpinBox, QVBoxLayout, QWidget)

from workstation.maps.classify import Method
from workstation.maps.borough_metrics import METRICS


class LayerPanel(QWidget):
    def __init__(self, canvas, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.canvas = canvas
        self.session = session
        self.setObjectName("LayerPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)

        self.list = QListWidget()
        self.list.setToolTip("Tick to show a layer; top of the list draws on top")
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.up_button = QPushButton("Up")
        self.up_button.setToolTip("Draw the selected layer above the one over it")
        self.down_button = QPushButton("Down")
        self.down_button.setToolTip("Draw the selected layer below the one under it")
        row.addWidget(self.up_button)
        row.addWidget(self.down_button)
        layout.addLayout(row)
        opacity_row = QHBoxLayout()
        opacity_row.addWidget(QLabel("Opacity"))
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setToolTip("Opacity of the selected layer")
        opacity_row.addWidget(self.opacity, 1)
        layout.addLayout(opacity_row)

        box = QGroupBox("Choropleth")
        form = QFormLayout(box)
        self.metric_combo = QComboBox()
        self.metric_combo.setToolTip("Borough value to colour by (greyed: needs a plan or data)")
        self.method_combo = QComboBox()
        for method in (Method.QUANTILES, Method.NATURAL_BREAKS, Method.EQUAL_INTERVAL):
            self.method_combo.addItem(method.label, method.value)
        self.method_combo.setToolTip("Class breaks; gap and lending always use classes "
                                     "symmetric around zero")
        self.classes_spin = QSpinBox()
        self.classes_spin.setRange(3, 7)
        self.classes_spin.setToolTip("Number of classes (ColorBrewer scales have 3-9)")
        form.addRow("Metric", self.metric_combo)
        form.addRow("Classes by", self.method_combo)
        form.addRow("Classes", self.classes_spin)
        layout.addWidget(box)

        flows = QGroupBox("Flows and labels")
        flow_form = QFormLayout(flows)
        self.min_flow = QDoubleSpinBox()
        self.min_flow.setRange(0, 1e6)
        self.min_flow.setDecimals(0)
        self.min_flow.setSingleStep(100)
        self.min_flow.setToolTip("Hide commuter flows smaller than this")
        self.labels_check = QCheckBox("Borough names")
        self.labels_check.setChecked(True)
        flow_form.addRow("Min flow", self.min_flow)
        flow_form.addRow(self.labels_check)
        layout.addWidget(flows)

        self._metric_model = QStandardItemModel(self)
        self.metric_combo.setModel(self._metric_model)

        self.list.itemChanged.connect(self._on_list_item_changed)
        self.list.currentRowChanged.connect(self._on_list_current_changed)
        self.up_button.clicked.connect(lambda: self._move(+1))
        self.down_button.clicked.connect(lambda: self._move(-1))
        self.opacity.valueChanged.connect(self._on_opacity_changed)
        self.metric_combo.activated.connect(self._on_metric_activated)
        self.method_combo.activated.connect(
            lambda *_: self._choropleth() and self._choropleth().set_method(
                self.method_combo.currentData()))
        self.classes_spin.valueChanged.connect(
            lambda k: self._choropleth() and self._choropleth().set_k(k))
        self.min_flow.editingFinished.connect(self._on_min_flow_edited)
        self.labels_check.toggled.connect(self._on_labels_toggled)
        # Several layers change on every hour step; rebuild the list once per step, not once
        # per layer (measured: 4 rebuilds per hour step while dragging the time bar).
        self._sync_timer = QTimer(self, singleShot=True, interval=0)
        self._sync_timer.timeout.connect(self.sync)
        for layer in canvas.layers:
            layer.sig_changed.connect(self._sync_timer.start)
        session.sig_plan_changed.connect(lambda *_: self.sync())
        self.sync()
        if self.list.count():
            self.list.setCurrentRow(0)

    # --- helpers ------------------------------------------------------------------------
    def _choropleth(self):
        return self.canvas.layer("choropleth")

    def ordered_layers(self) -> list:
        """Top-drawn first, as the list shows them."""
        return list(reversed(self.canvas.layers))

    def sync(self) -> None:
        """Mirror the layers' state (after any change, from here or elsewhere)."""
        current = self.list.currentItem().data(Qt.ItemDataRole.UserRole) if self.list.currentItem() else None
        self.list.blockSignals(True)
        self.list.clear()
        for layer in self.ordered_layers():
            item = QListWidgetItem(layer.title)
            item.setData(Qt.ItemDataRole.UserRole, layer.key)
            flags = Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable
            if layer.enabled:
                flags |= Qt.ItemFlag.ItemIsEnabled
            item.setFlags(flags)
            item.setCheckState(Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked)
            item.setToolTip(layer.tooltip())
            self.list.addItem(item)
            if layer.key == current:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self._sync_choropleth()

    def _sync_choropleth(self) -> None:
        layer = self._choropleth()
        if layer is None:
            return
        self._metric_model.clear()
        for key, metric in METRICS.items():
            ok, reason = layer.metric_available(key)
            item = QStandardItem(metric.label)
            item.setData(key, Qt.ItemDataRole.UserRole)
            item.setEnabled(ok)
            item.setToolTip(reason or f"{metric.label} ({metric.unit})")
            self._metric_model.appendRow(item)
        keys = list(METRICS)
        self.metric_combo.setCurrentIndex(keys.index(layer.metric_key))
        self.method_combo.setCurrentIndex(max(0, self.method_combo.findData(layer.method.value)))
        self.method_combo.setEnabled(not layer.metric.diverging)
        self.classes_spin.blockSignals(True)
        self.classes_spin.setValue(layer.k)
        self.classes_spin.blockSignals(False)
        flows = self.canvas.layer("flows")
        if flows is not None and not self.min_flow.hasFocus():
            self.min_flow.setValue(flows.min_flow)

    def _key_of(self, item: QListWidgetItem) -> str:
        return item.data(Qt.ItemDataRole.UserRole)

    # --- handlers ------------------------------------------------------------------------
    def _on_list_item_changed(self, item: QListWidgetItem) -> None:
        layer = self.canvas.layer(self._key_of(item))
        if layer is not None:
            layer.set_visible(item.checkState() == Qt.CheckState.Checked)

    def _on_list_current_changed(self, row: int) -> None:
        item = self.list.item(row)
        layer = self.canvas.layer(self._key_of(item)) if item else None
        self.opacity.blockSignals(True)
        self.opacity.setValue(int(round((layer.opacity if layer else 1.0) * 100)))
        self.opacity.blockSignals(False)

    def _on_opacity_changed(self, value: int) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.canvas.layer(self._key_of(item)).set_opacity(value / 100.0)

    def _move(self, steps: int) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.canvas.move_layer(self._key_of(item), steps)  # + = drawn higher
        self.sync()

    def _on_metric_activated(self, index: int) -> None:
        key = self.metric_combo.itemData(index, Qt.ItemDataRole.UserRole)
        layer = self._choropleth()
        if layer is None or key is None:
            return
        ok, reason = layer.metric_available(key)
        if ok:
            layer.set_metric(key)
        else:
            self.session.status(reason)
        self._sync_choropleth()

    def _on_min_flow_edited(self) -> None:
        flows = self.canvas.layer("flows")
        if flows is not None:
            flows.set_min_flow(self.min_flow.value())

    def _on_labels_toggled(self, shown: bool) -> None:
        basemap = self.canvas.layer("basemap")
        if basemap is not None:
            basemap.set_labels_visible(shown)
