"""Inspector: selecting a borough fills its figures and 24-hour chart."""

import numpy as np
import pytest

from plan_samples import sample_plan
from workstation.app.inspector import Inspector
from workstation.app.session import Session
from workstation.domain import DayType

CAMDEN = "E09000007"


@pytest.fixture(scope="module")
def population(pack):
    from workstation.flows.population import population_present
    return population_present(pack)


@pytest.fixture
def inspector(qtbot, pack, population):
    session = Session(pack)
    session.population = population
    widget = Inspector(session)
    qtbot.addWidget(widget)
    return widget


def test_selection_fills_figures_and_population_curve(inspector, population):
    s = inspector.session
    assert inspector.figures["residents"].text() == "–"
    s.select(CAMDEN)
    assert "Camden" in inspector.title.text()
    x, y = inspector.pop_curve.getData()
    i = population.gss_codes.index(CAMDEN)
    expected = population.hourly()[i, population.day_types.index(DayType.WEEKDAY), :]
    assert len(x) == 24
    np.testing.assert_allclose(y, expected)
    assert inspector.figures["population_present"].text() == f"{expected[s.hour]:,.0f}"
    s.set_time(DayType.SUNDAY, 3)
    _, y_sunday = inspector.pop_curve.getData()
    assert not np.allclose(y_sunday, expected)
    assert inspector.hour_lines[0].value() == pytest.approx(3.5)


def test_plan_adds_officer_curves(inspector, pack):
    s = inspector.session
    s.select(CAMDEN)
    assert inspector.required_curve.getData()[0] is None or len(inspector.required_curve.getData()[0]) == 0
    s.set_plan(sample_plan(pack.table("boroughs_simplified")))
    x, required = inspector.required_curve.getData()
    assert len(x) == 24 and np.all(required > 0)
    assert inspector.figures["allocated"].text() != "–"
    assert inspector.plan_note.isHidden()
    s.select("")
    assert inspector.title.text().startswith("Click")
