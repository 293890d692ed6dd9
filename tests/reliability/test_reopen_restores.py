"""Reopening a project restores what was on screen: the imports, the hotspots computed from
them, the plan (recomputed by the real engine, never stored) and the choropleth metric."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from workstation.app.main_window import MainWindow
from workstation.app.session import Session
from workstation.project import load_project
from workstation.project.model import IncidentSource


@pytest.fixture
def window(qtbot, pack, tmp_path):
    from workstation.flows.population import population_present
    session = Session(pack)
    session.population = population_present(pack)
    w = MainWindow(session, settings=QSettings(str(tmp_path / "layout.ini"),
                                               QSettings.Format.IniFormat), background=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.loaded, timeout=10_000)
    w.actions.ask_unsaved = lambda: "discard"
    yield w
    w.actions.recovery.shutdown()


def test_reopen_restores_plan_metric_hotspots_and_imports(qtbot, window, shared_data, tmp_path):
    from workstation.loaders import import_incidents
    from workstation.project.sources import with_fingerprint
    s, actions = window.session, window.actions
    month = shared_data / "police_uk_burglary" / "2019-08-metropolitan-street.csv.gz"
    s.set_incidents(import_incidents(month, boroughs=s.pack.table("boroughs")), month,
                    with_fingerprint(IncidentSource(path=str(month)), month))
    qtbot.waitUntil(lambda: s.hotspots is not None, timeout=60_000)
    s.set_scenario(s.scenario.with_changes(officers_on_duty=2300), "Edit officers")
    assert window.panels["scenario"].recommend() is not None
    qtbot.waitUntil(lambda: s.plan is not None, timeout=120_000)
    window._set_metric("net_lending")
    rows = s.incidents.rows_placed
    project = tmp_path / "work.ldwproj"
    assert actions.save_project_as(project)
    view = load_project(project).view
    assert view.plan_shown and view.choropleth_metric == "net_lending"

    assert actions.new_project()
    assert s.plan is None and s.incidents is None
    assert actions.open_project(project)
    qtbot.waitUntil(lambda: s.incidents is not None and s.plan is not None, timeout=120_000)
    qtbot.waitUntil(lambda: window.choropleth.metric_key == "net_lending", timeout=10_000)
    assert s.incidents.rows_placed == rows
    assert s.plan.scenario.officers_on_duty == 2300
    qtbot.waitUntil(lambda: s.hotspots is not None, timeout=60_000)
    assert s.hotspots.n_months == 1           # from the reopened import, not the pack's 12
    assert not s.dirty
