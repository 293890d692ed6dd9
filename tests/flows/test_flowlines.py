"""Map data: commuter flow lines, Tube trip lines and station activity points."""

from __future__ import annotations

import numpy as np
import pytest

from workstation.domain import BNG, DayType
from workstation.errors import InputError
from workstation.flows.flowlines import flow_lines, station_activity, tube_trip_lines
from workstation.flows.population import commuters_at_work

WESTMINSTER, WANDSWORTH = "E09000033", "E09000032"


@pytest.fixture(scope="module")
def commuters(pack):
    return commuters_at_work(pack)


def test_flow_lines_into_westminster_midmorning(pack, commuters):
    lines = flow_lines(pack, hour=11, day_type=DayType.WEEKDAY, borough=WESTMINSTER,
                       commuters=commuters)
    assert lines.crs == BNG
    assert list(lines.columns) == ["origin_gss", "destination_gss", "flow", "share", "geometry"]
    assert (lines["destination_gss"] == WESTMINSTER).all()
    assert len(lines) == 32                                  # every other borough sends some
    assert lines["share"].sum() == pytest.approx(1.0, abs=0.01)
    assert (lines.geometry.length > 0).all()
    # Wandsworth sends Westminster more commuters than Havering does (2011 census)
    flows = lines.set_index("origin_gss")["flow"]
    assert flows[WANDSWORTH] > flows["E09000016"]


def test_flow_lines_scale_with_the_hour(pack, commuters):
    night = flow_lines(pack, hour=3, borough=WESTMINSTER, min_flow=0, commuters=commuters)
    day = flow_lines(pack, hour=11, borough=WESTMINSTER, min_flow=0, commuters=commuters)
    assert night["flow"].sum() < 0.02 * day["flow"].sum()
    sat = flow_lines(pack, hour=11, day_type="saturday", borough=WESTMINSTER, min_flow=0,
                     commuters=commuters)
    assert sat["flow"].sum() < 0.4 * day["flow"].sum()


def test_flow_lines_out_of_and_all(pack, commuters):
    out = flow_lines(pack, hour=11, mode="out_of", borough=WANDSWORTH, commuters=commuters)
    assert (out["origin_gss"] == WANDSWORTH).all()
    assert out.iloc[0]["destination_gss"] == WESTMINSTER      # the biggest flow out
    both = flow_lines(pack, hour=11, mode="all", borough=WANDSWORTH, commuters=commuters)
    assert len(both) > len(out)
    with pytest.raises(InputError):
        flow_lines(pack, hour=11, borough="E09999999", commuters=commuters)
    with pytest.raises(InputError):
        flow_lines(pack, hour=24, commuters=commuters)


def test_tube_trip_lines(pack):
    lines = tube_trip_lines(pack, day_type="weekday", time_band="am_peak")
    assert {"origin_gss", "destination_gss", "trips", "share"} <= set(lines.columns)
    assert (lines["origin_gss"] != lines["destination_gss"]).all()
    top = lines.iloc[0]
    assert top["destination_gss"] in {WESTMINSTER, "E09000001", "E09000030"}
    rods = tube_trip_lines(pack, source="rods2017", time_band="am_peak")
    assert np.isclose(rods["trips"].sum(), lines["trips"].sum(), rtol=0.2)
    with pytest.raises(InputError):
        tube_trip_lines(pack, source="rods2017", day_type="sunday")


def test_station_activity(pack):
    points = station_activity(pack, day_type="weekday", qhr=34, direction="exit")  # 08:30
    assert points.crs == BNG
    top = points.sort_values("count").iloc[-1]
    assert top["name"] == "Bank and Monument"
    night = station_activity(pack, qhr=14, direction="exit")                      # 03:30
    assert night["count"].sum() < 0.01 * points["count"].sum()
