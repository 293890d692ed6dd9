"""The whole deployment flow in the main window with the lead's real engine on the shipped
pack: Recommend (worker) -> plan table and lending list -> map recoloured by required
officers, allocation gap and net lending -> inspector chart of required and allocated
officers. Also the window habits of issue 7: a View toggle for every dock, map PNG export,
and the PySide6 refcount guards living in qt_compat. One recommendation for the module."""

import sys

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage

from workstation.app.main_window import MainWindow
from workstation.app.session import Session
from workstation.deploy.scenario import DeploymentScenario
from workstation.domain import DayType

WESTMINSTER = "E09000033"


@pytest.fixture(scope="module")
def population(pack):
    from workstation.flows.population import population_present
    return population_present(pack)


@pytest.fixture(scope="module")
def planned(qapp, pack, population, tmp_path_factory, request):
    """A main window whose Scenario panel ran the real recommend() on its worker."""
    from pytestqt.qtbot import QtBot
    settings = QSettings(str(tmp_path_factory.mktemp("layout") / "layout.ini"),
                         QSettings.Format.IniFormat)
    session = Session(pack)
    session.population = population
    window = MainWindow(session, settings=settings, background=False)
    window.resize(1400, 900)
    window.show()
    window.finish_loading()
    session.set_scenario(DeploymentScenario(day_types=(DayType.WEEKDAY,)))
    panel = window.panels["scenario"]
    qtbot = QtBot(request)
    with qtbot.waitSignal(session.sig_plan_changed, timeout=120_000):
        assert panel.recommend() is not None
    qapp.processEvents()
    yield window
    window.actions.maybe_save = lambda: True   # no "save changes?" prompt at teardown
    window.close()


def test_recommend_fills_plan_table_and_lending(planned):
    plan = planned.session.plan
    assert plan is not None and plan.scenario == planned.session.scenario
    view = planned.panels["plan"]
    assert view.plan_model.rowCount() == len(plan.plan) >= 32
    assert set(view.plan_model.frame["day_type"]) == {"weekday"}
    assert view.lending_model.rowCount() == len(plan.lending) > 0
    # Every move the engine made is in the table (at the default N Westminster re-rosters
    # its own night officers rather than borrowing; docs/method-deployment.md).
    assert set(view.lending_model.frame["to_code"]) == set(plan.lending["to_code"])
    assert "No plan yet" not in view.summary.text()


def test_plan_arrival_recolours_the_map(planned):
    # The window started on population present; the plan switched it to the gap.
    assert planned.choropleth.metric_key == "allocation_gap"
    assert "allocation gap" in planned.choropleth.legend_block().title.lower()
    planned.session.select(WESTMINSTER)
    assert planned.inspector.officer_plot.isVisible()


def test_map_recolours_by_plan_metrics(planned):
    s = planned.session
    s.set_time(DayType.WEEKDAY, 20)
    layer = planned.choropleth
    plan = s.plan
    units = set(plan.hourly["unit_code"])
    for key in ("required", "allocation_gap", "net_lending", "demand_per_hour"):
        ok, reason = layer.metric_available(key)
        assert ok, reason
        layer.set_metric(key)
        values = layer.values
        drawn = values.dropna()
        assert set(drawn.index) >= units & set(values.index), key
        assert layer.classification is not None and layer.classification.k >= 3
        assert layer.legend_block() is not None
    rows = plan.hourly[(plan.hourly["day_type"] == "weekday") & (plan.hourly["hour"] == 20)]
    rows = rows.set_index("unit_code")
    layer.set_metric("allocation_gap")
    gap = layer.values.reindex(rows.index)
    np.testing.assert_allclose(gap, rows["allocated"] - rows["required"])
    layer.set_metric("net_lending")
    # Lending moves officers, it does not create them: London's net is zero.
    assert abs(float(layer.values.dropna().sum())) < 1e-6
    assert (layer.values.dropna() != 0).any()
    # Colours differ between a borrower and a lender.
    borrower = layer.values.idxmax()
    lender = layer.values.idxmin()
    assert layer.colour_of(borrower) != layer.colour_of(lender)


def test_inspector_charts_required_and_allocated(planned):
    s = planned.session
    s.set_time(DayType.WEEKDAY, 9)
    s.select(WESTMINSTER)
    inspector = planned.inspector
    profile = inspector.profile
    hourly = s.plan.hourly
    rows = hourly[(hourly["unit_code"] == WESTMINSTER) & (hourly["day_type"] == "weekday")]
    rows = rows.set_index("hour").sort_index()
    np.testing.assert_allclose(profile["required"], rows["required"])
    np.testing.assert_allclose(profile["allocated"], rows["allocated"])
    _, ys = inspector.allocated_curve.getData()
    np.testing.assert_allclose(ys, rows["allocated"])
    assert inspector.figures["required"].text() == f"{rows['required'].iloc[9]:,.1f}"
    assert not inspector.plan_note.isVisible()
    # Moving the hour only moves the marker and the figures; the curves stay.
    s.set_time(DayType.WEEKDAY, 21)
    assert inspector.figures["allocated"].text() == f"{rows['allocated'].iloc[21]:,.1f}"
    assert inspector.hour_lines[0].value() == pytest.approx(21.5)


def test_view_menu_toggles_every_dock(planned):
    texts = {a.text() for a in planned.menus["view"].actions()}
    for dock in planned.docks.values():
        assert dock.windowTitle() in texts
    action = planned.docks["plan"].toggleViewAction()
    action.trigger()
    assert not planned.docks["plan"].isVisible()
    action.trigger()
    assert planned.docks["plan"].isVisible()


def test_export_map_png(planned, tmp_path):
    planned.choropleth.set_metric("allocation_gap")
    target = tmp_path / "map.png"
    assert planned.actions.export_map_image(target)
    image = QImage(str(target))
    assert not image.isNull() and image.width() > 300 and image.height() > 300
    # Not a blank canvas: several distinct colours (boroughs, outlines, legend).
    colours = {image.pixel(x, y) for x in range(0, image.width(), 23)
               for y in range(0, image.height(), 23)}
    assert len(colours) > 5


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="immortal objects make the guard moot")
def test_refcount_guards_live_in_qt_compat():
    from workstation.app import main_window, qt_compat
    assert not hasattr(main_window, "_guard_none_refcount")
    assert qt_compat.guard_none_refcount()
    assert sys.getrefcount(None) > 1 << 39
