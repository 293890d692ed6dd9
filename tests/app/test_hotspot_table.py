"""Hotspot table dock on the real patrol hotspots (shipped lattice): sortable by rank, harm,
incidents and area; a click selects, zooms and fills the inspector with the figures and a
monthly sparkline; the table exports to CSV and XLSX as shown."""

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QSettings

from workstation.app.main_window import MainWindow
from workstation.app.session import Session


@pytest.fixture(scope="module")
def map_hotspots(pack):
    from workstation.maps.map_hotspots import compute_map_hotspots
    if not pack.has("burglary_lattice"):
        pytest.skip("pack has no burglary lattice")
    return compute_map_hotspots(pack)


@pytest.fixture(scope="module")
def population(pack):
    from workstation.flows.population import population_present
    return population_present(pack)


@pytest.fixture
def window(qtbot, pack, population, map_hotspots, tmp_path, monkeypatch):
    # The window's own start-up computation is what map_hotspots already did: reuse it.
    import workstation.maps.map_hotspots as mh
    monkeypatch.setattr(mh, "compute_map_hotspots", lambda *a, **k: map_hotspots)
    session = Session(pack)
    session.population = population
    w = MainWindow(session, settings=QSettings(str(tmp_path / "l.ini"),
                                                     QSettings.Format.IniFormat),
                   background=False)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.loaded and w.session.hotspots is not None, timeout=10000)
    return w


def _column(table, header):
    frame = table.shown_frame()
    return frame[header].to_numpy()


def test_table_lists_patrol_hotspots_with_their_fields(window, map_hotspots):
    table = window.hotspot_table
    frame = map_hotspots.hotspots.hotspots
    assert table.model.rowCount() == len(frame) > 20
    headers = [c.header for c in table.model.columns]
    for header in ("Rank", "Name", "Nearest station", "LSOA 2021", "Area (m²)",
                   "Forecast harm / month", "Share of London harm (%)"):
        assert header in headers
    shown = table.shown_frame()
    assert shown["Rank"].tolist()[:5] == [1, 2, 3, 4, 5]
    assert (shown["Area (m²)"].head(20) <= 200_000).all()
    assert shown["Name"].head(20).str.len().gt(0).all()


@pytest.mark.parametrize("key, header", [("forecast_harm_per_month", "Forecast harm / month"),
                                         ("incidents", "Incidents (Gi* window)"),
                                         ("area_m2", "Area (m²)")])
def test_sorts_by_harm_incidents_and_area(window, key, header):
    table = window.hotspot_table
    table.sort_by(key, descending=True)
    values = _column(table, header).astype(float)
    assert (np.diff(values) <= 1e-9).all()
    table.sort_by(key, descending=False)
    assert (np.diff(_column(table, header).astype(float)) >= -1e-9).all()
    table.sort_by("hotspot_id", descending=False)
    assert _column(table, "Rank")[0] == 1


def test_click_selects_zooms_and_shows_figures_and_sparkline(window, map_hotspots, qtbot):
    table = window.hotspot_table
    table.sort_by("area_m2", descending=False)        # a row that is not rank 1
    table.select_row(0)
    hotspot_id = int(table.shown_frame()["Rank"].iloc[0])
    row = map_hotspots.hotspots.hotspots.set_index("hotspot_id").loc[hotspot_id]
    rect = window.canvas.view.viewRect()
    centre = row.geometry.centroid
    assert rect.contains(centre.x, centre.y) and rect.width() < 3000   # zoomed to it
    assert window.hotspot_layer.selected_id == hotspot_id
    details = table.details
    assert details.isVisible() and f"Hotspot #{hotspot_id}" in details.text.text()
    assert str(row["name"]) in details.text.text()
    x, y = details.curve.getData()
    expected = map_hotspots.monthly.loc[hotspot_id]
    assert len(y) == len(expected) > 24
    np.testing.assert_allclose(y, expected.to_numpy(float))


def test_map_click_selects_the_row_without_moving_the_map(window, map_hotspots, qtbot):
    table = window.hotspot_table
    first = map_hotspots.hotspots.hotspots.iloc[2]
    window.hotspot_layer.set_visible(True)
    point = first.geometry.representative_point()
    before = window.canvas.view.viewRect()
    window._on_canvas_clicked(point.x, point.y)
    rows = table.view.selectionModel().selectedRows()
    assert rows and int(table.shown_frame()["Rank"].iloc[rows[0].row()]) == int(first["hotspot_id"])
    after = window.canvas.view.viewRect()     # (the inspector may resize the map, not pan it)
    assert abs(after.center().x() - before.center().x()) < 1 and after.width() == before.width()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_writes_the_table_as_shown(window, tmp_path, suffix):
    table = window.hotspot_table
    table.sort_by("forecast_harm_per_month", descending=True)
    path = table.export(tmp_path / f"hotspots{suffix}")
    assert path is not None and path.exists()
    back = pd.read_csv(path) if suffix == ".csv" else pd.read_excel(path)
    shown = table.shown_frame()
    assert list(back.columns) == list(shown.columns)
    assert len(back) == len(shown)
    assert back["Name"].iloc[0] == shown["Name"].iloc[0]
    np.testing.assert_allclose(back["Forecast harm / month"], shown["Forecast harm / month"])
