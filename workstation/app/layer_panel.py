"""Layer panel: which layers show, how opaque, in which order, the choropleth's metric
and classification, and the style of reference layers added from files (colour, line
width, fill, labels). Edits go straight to the MapCanvas layers; nothing is stored here."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QCheckBox, QColorDialog, QComboBox, QDoubleSpinBox, QFileDialog,
                               QFormLayout, QGroupBox, QHBoxLayout, QInputDialog, QLabel,
                               QListWidget, QListWidgetItem, QPushButton, QSlider, QSpinBox,
                               QVBoxLayout, QWidget)

from workstation.errors import InputError

from workstation.maps.classify import Method
from workstation.maps.borough_metrics import METRICS
from workstation.app.file_dialogs import start_path


VECTOR_FILTER = ("Vector files (*.gpkg *.shp *.geojson *.json *.fgb *.gml *.kml *.gz);;"
                 "All files (*)")


def add_reference_layer_dialog(parent, user_layers, session, path=None):
    """File > Add reference layer: pick a file (and a layer of a GeoPackage), draw it, mark
    the project changed. A bad file shows its specific error and changes nothing."""
    from workstation.app.dialogs import show_error

    if path is None:
        path, _ = QFileDialog.getOpenFileName(parent, "Add reference layer", start_path(), VECTOR_FILTER)
        if not path:
            return None
    layer_name = None
    try:
        import pyogrio
        names = [str(n) for n, kind in pyogrio.list_layers(path) if kind is not None]
    except Exception:   # load_vector_layer reports what is wrong with the file
        names = []
    if len(names) > 1:
        layer_name, ok = QInputDialog.getItem(parent, "Add reference layer",
                                              "Layer in this file:", names, 0, False)
        if not ok:
            return None
    try:
        layer = user_layers.add_file(path, layer=layer_name)
    except InputError as exc:
        show_error(parent, exc, title="Add reference layer")
        return None
    session.mark_dirty(True)
    session.status(f"Added {layer.title}: {layer.vector.n_features:,} {layer.vector.kind} "
                   f"features (reprojected from {layer.vector.source_crs})")
    return layer


class LayerPanel(QWidget):
    def __init__(self, canvas, session, parent: QWidget | None = None, *, user_layers=None):
        super().__init__(parent)
        self.canvas = canvas
        self.session = session
        self.user_layers = user_layers
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

        layout.addWidget(self._build_style_box())

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
        self._last_signature: tuple | None = None
        self._sync_timer = QTimer(self, singleShot=True, interval=0)
        self._sync_timer.timeout.connect(self.sync)
        for layer in canvas.layers:
            layer.sig_changed.connect(self._sync_timer.start)
        canvas.sig_layers_changed.connect(self._on_canvas_layers_changed)
        self._connected = set(map(id, canvas.layers))
        session.sig_plan_changed.connect(lambda *_: self.sync())
        self.sync()
        if self.list.count():
            self.list.setCurrentRow(0)

    def _build_style_box(self) -> QGroupBox:
        """Add / remove and the simple style of a reference layer added from a file."""
        self.style_box = QGroupBox("Reference layer from file")
        style_form = QFormLayout(self.style_box)
        file_row = QHBoxLayout()
        self.add_button = QPushButton("Add…")
        self.add_button.setToolTip("Add a GeoPackage, Shapefile, GeoJSON or FlatGeobuf layer")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected reference layer from the map")
        file_row.addWidget(self.add_button)
        file_row.addWidget(self.remove_button)
        self.colour_button = QPushButton("")
        self.colour_button.setToolTip("Line, outline or point colour")
        self.width_spin = QDoubleSpinBox()
        self.width_spin.setRange(0.5, 8.0)
        self.width_spin.setSingleStep(0.5)
        self.width_spin.setSuffix(" px")
        self.fill_slider = QSlider(Qt.Orientation.Horizontal)
        self.fill_slider.setRange(0, 100)
        self.fill_slider.setToolTip("Polygon fill opacity (0: outlines only)")
        self.label_combo = QComboBox()
        self.label_combo.setToolTip("Column to label features with at close zoom")
        style_form.addRow(file_row)
        style_form.addRow("Colour", self.colour_button)
        style_form.addRow("Line width", self.width_spin)
        style_form.addRow("Fill", self.fill_slider)
        style_form.addRow("Labels", self.label_combo)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.colour_button.clicked.connect(self._on_colour_clicked)
        self.width_spin.editingFinished.connect(
            lambda: self._restyle(line_width_px=float(self.width_spin.value())))
        self.fill_slider.sliderReleased.connect(
            lambda: self._restyle(fill_opacity=self.fill_slider.value() / 100.0))
        self.label_combo.activated.connect(
            lambda *_: self._restyle(label_column=self.label_combo.currentData()))
        return self.style_box

    # --- helpers ------------------------------------------------------------------------
    def _choropleth(self):
        return self.canvas.layer("choropleth")

    def ordered_layers(self) -> list:
        """Top-drawn first, as the list shows them."""
        return list(reversed(self.canvas.layers))

    def _state_signature(self) -> tuple:
        layers = tuple((layer.key, layer.title, layer.enabled, layer.visible, layer.tooltip())
                       for layer in self.ordered_layers())
        choropleth = self._choropleth()
        metrics = () if choropleth is None else (
            choropleth.metric_key, choropleth.method.value, choropleth.k,
            tuple(choropleth.metric_available(key) for key in METRICS))
        flows = self.canvas.layer("flows")
        return layers, metrics, None if flows is None else flows.min_flow

    def sync(self) -> None:
        """Mirror the layers' state (after any change, from here or elsewhere). Layers signal a
        change on every hour step; when nothing the panel shows has changed it is left alone,
        because rebuilding the list repaints the whole dock on each step."""
        signature = self._state_signature()
        if signature == self._last_signature:
            return
        self._last_signature = signature
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
        self._sync_style(layer)

    # --- reference layers from files ----------------------------------------------------
    def _on_canvas_layers_changed(self) -> None:
        for layer in self.canvas.layers:
            if id(layer) not in self._connected:
                layer.sig_changed.connect(self._sync_timer.start)
                self._connected.add(id(layer))
        self.sync()

    def _user_layer(self):
        item = self.list.currentItem()
        layer = self.canvas.layer(self._key_of(item)) if item else None
        return layer if hasattr(layer, "vector") else None

    def _sync_style(self, layer) -> None:
        user = layer if hasattr(layer, "vector") else None
        for widget in (self.remove_button, self.colour_button, self.width_spin,
                       self.fill_slider, self.label_combo):
            widget.setEnabled(user is not None)
        self.add_button.setEnabled(self.user_layers is not None)
        if user is None:
            return
        source = user.source
        self.colour_button.setText(source.colour)
        self.colour_button.setStyleSheet(f"background-color: {source.colour}; color: white")
        self.width_spin.setValue(source.line_width_px)
        self.fill_slider.setValue(int(round(source.fill_opacity * 100)))
        self.fill_slider.setEnabled(user.vector.kind == "polygon")
        self.label_combo.clear()
        self.label_combo.addItem("(none)", None)
        for column in user.vector.frame.columns:
            if column != user.vector.frame.geometry.name:
                self.label_combo.addItem(str(column), str(column))
        self.label_combo.setCurrentIndex(max(0, self.label_combo.findData(source.label_column)))

    def _restyle(self, **changes) -> None:
        layer = self._user_layer()
        if layer is None:
            return
        layer.set_style(**changes)
        self.session.mark_dirty(True)
        self._sync_style(layer)

    def _on_colour_clicked(self) -> None:
        layer = self._user_layer()
        if layer is None:
            return
        colour = QColorDialog.getColor(QColor(layer.source.colour), self, "Layer colour")
        if colour.isValid():
            self._restyle(colour=colour.name())

    def _on_add_clicked(self) -> None:
        if self.user_layers is not None:
            layer = add_reference_layer_dialog(self, self.user_layers, self.session)
            if layer is not None:
                self.sync()
                self._select_key(layer.key)

    def _on_remove_clicked(self) -> None:
        layer = self._user_layer()
        if layer is not None and self.user_layers is not None:
            self.user_layers.remove(layer.key)
            self.session.mark_dirty(True)
            self.sync()

    def _select_key(self, key: str) -> None:
        for row in range(self.list.count()):
            if self._key_of(self.list.item(row)) == key:
                self.list.setCurrentRow(row)
                return

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
