"""Issue 17: the app's choropleth and the PDF's borough maps classify with one core function."""

import io

import numpy as np
import pandas as pd
import pytest

from workstation.app.map import layers as L
from workstation.app.session import Session
from workstation.exports import figures
from workstation.maps import classify as rules


@pytest.fixture
def spy(monkeypatch):
    calls = []
    real = rules.choropleth_classes

    def recording(values, **kw):
        result = real(values, **kw)
        calls.append((np.asarray(values, dtype=float).copy(), kw, result))
        return result

    monkeypatch.setattr(rules, "choropleth_classes", recording)
    return calls


def test_app_and_pdf_call_the_same_classification(qtbot, pack, spy):
    from workstation.app.map.canvas import MapCanvas

    boroughs = pack.table("boroughs_simplified")
    canvas = MapCanvas()
    qtbot.addWidget(canvas)
    layer = L.ChoroplethLayer(Session(pack), boroughs)
    layer.metric_key = "residents"
    canvas.set_boroughs(boroughs)
    canvas.add_layer(layer)
    assert spy, "the app's choropleth did not call maps.classify.choropleth_classes"
    app_values, _, app_classes = spy[-1]

    residents = pack.table("population").set_index("gss_code")["residents_mid2019"]
    png = figures.choropleth_png(boroughs, residents, title="Residents", legend_label="people",
                                 cmap="Blues")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pdf_values, _, pdf_classes = spy[-1]
    assert len(spy) >= 2, "the PDF map did not call maps.classify.choropleth_classes"
    # Same values in, same classes out: a borough has one class on screen and on paper.
    order = boroughs["gss_code"].to_numpy()
    assert np.allclose(pdf_values, residents.reindex(order).to_numpy(float))
    assert np.allclose(app_values, pdf_values)
    assert pdf_classes.bounds == app_classes.bounds
    assert pdf_classes.classes.tolist() == app_classes.classes.tolist()


def test_pdf_map_colours_follow_the_classes(pack):
    """The PDF draws each borough in its class colour from the shared ColorBrewer ramp."""
    from PIL import Image

    boroughs = pack.table("boroughs_simplified")
    values = pd.Series(np.arange(len(boroughs), dtype=float), index=boroughs["gss_code"])
    image = Image.open(io.BytesIO(figures.choropleth_png(boroughs, values, title="t",
                                                         legend_label="x", cmap="Blues")))
    colours = {tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in rules.ramp_hex("Blues", 5)}
    pixels = set(map(tuple, np.asarray(image.convert("RGB")).reshape(-1, 3).tolist()))
    assert colours <= pixels   # all five class colours painted, exactly


def test_signed_metrics_get_symmetric_odd_classes():
    c = rules.choropleth_classes(np.array([-3.0, -1.0, 0.0, 1.0, 2.0]), k=4, diverging=True)
    assert c.k == 5 and c.bounds[0] == -c.bounds[-1]
    assert c.classes[2] == 2
