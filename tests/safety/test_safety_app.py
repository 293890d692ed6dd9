"""The safety index in the app: layer, month bar, weights and the inspector chart."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")


@pytest.fixture()
def window(qapp_safety, pack, tmp_path):
    from PySide6.QtCore import QSettings

    from workstation.app.main_window import MainWindow
    from workstation.app.session import Session
    settings = QSettings(str(tmp_path / "layout.ini"), QSettings.Format.IniFormat)
    win = MainWindow(Session(pack), settings=settings, background=False)
    yield win
    win.close()


@pytest.fixture(scope="module")
def qapp_safety():
    from PySide6.QtWidgets import QApplication
    return QApplication.instance() or QApplication([])


def test_layer_month_weights_and_chart(window, qapp_safety, tmp_path):
    from workstation.app.safety_view import CLASS_COLOURS, class_of
    layer = window.canvas.layer("safety_index")
    assert layer is not None and not layer.visible        # off until the user turns it on
    order = [lay.key for lay in window.canvas.layers]
    assert order.index("safety_index") == order.index("choropleth") + 1
    layer.set_visible(True)
    state = window.safety_state
    assert state.ready and state.month == "2024-12"
    west = layer.items["E09000033"].brush().color().name()
    assert west == CLASS_COLOURS[class_of(float(layer.values["E09000033"]))]
    assert layer.values["E09000033"] < 6 and np.isnan(layer.values["E09000001"])
    legend = layer.legend_block()
    assert "2024-12" in legend.note and "below target" in legend.note

    # the month bar steps months and the map follows
    panel = window.safety_panel
    panel.sync()
    before = layer.values.copy()
    panel.slider.setValue(0)
    assert state.month == state.index.months[0] == "2022-02"
    assert not np.allclose(before.dropna(), layer.values.dropna())
    panel.step_forward()
    assert state.month == "2022-03"

    # editing a weight re-scores: all weight on burglary -> index = burglary score
    for name, spin in panel.spins.items():
        spin.setValue(1.0 if name == "burglary" else 0.0)
    m = state.index.month_index(state.month)
    ok = np.isfinite(state.index.total[:, m])
    assert state.index.total[ok, m] == pytest.approx(state.index.scores["burglary"][ok, m])
    path = tmp_path / "w.csv"
    panel.save_weights(str(path))
    panel.reset_weights()
    assert state.weights.get("burglary") == pytest.approx(0.10)
    panel.load_weights(str(path))
    assert state.weights.get("burglary") == 1.0 and state.weights.get("violence") == 0.0

    # inspector chart for the selected borough
    window.session.select("E09000033")
    chart = window.safety_chart
    assert not chart.isHidden()
    x, y = chart.curves["score"].getData()
    assert len(x) == len(state.index.months)
    assert "Westminster: safety index" in chart.label.text()
    window.session.select("E09000001")   # City: no Met data
    assert "not scored" in chart.label.text()


def test_ward_level_map_and_chart(window, qapp_safety):
    layer = window.canvas.layer("safety_index")
    layer.set_visible(True)
    panel, state = window.safety_panel, window.safety_state
    panel.level_combo.setCurrentIndex(panel.level_combo.findData("ward"))
    assert state.level == "ward" and len(state.index.inputs.codes) == 679
    assert len(layer.items) == 678              # Heathrow Villages has no polygon
    assert "wards" in layer.legend_block().note
    # a click in the West End picks that ward for the chart
    window.canvas.sig_clicked.emit(529500.0, 181000.0)   # Soho, W1
    assert state.picked_ward
    name = state.inputs.names[state.inputs.codes.index(state.picked_ward)]
    assert name in ("West End", "St James's")
    assert name in window.safety_chart.label.text()
    panel.level_combo.setCurrentIndex(panel.level_combo.findData("borough"))
    assert len(layer.items) == 33
