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


def test_flow_lines_threshold_keeps_only_big_flows_and_share_of_all(pack, commuters):
    full = flow_lines(pack, hour=11, borough=WESTMINSTER, min_flow=0, commuters=commuters)
    cut = flow_lines(pack, hour=11, borough=WESTMINSTER, min_flow=10_000, commuters=commuters)
    assert 0 < len(cut) < len(full)
    assert (cut["flow"] >= 10_000).all()
    assert set(cut["origin_gss"]) == set(full.loc[full["flow"] >= 10_000, "origin_gss"])
    # share stays the share of the borough's whole inflow, not of the drawn lines
    merged = cut.merge(full, on="origin_gss", suffixes=("", "_full"))
    np.testing.assert_allclose(merged["share"], merged["share_full"])
    assert cut["share"].sum() < 1.0
    # every borough as destination when nothing is selected; the City and Westminster lead
    everything = flow_lines(pack, hour=11, mode="all", min_flow=5_000, commuters=commuters)
    assert set(everything["destination_gss"].iloc[:10]) & {WESTMINSTER, "E09000001"}


def test_flow_lines_follow_each_work_borough_timing(pack, commuters):
    # the line into Westminster at 11:00 is the census flow (grown to 2019) times
    # Westminster's share of commuters at work in that hour
    lines = flow_lines(pack, hour=11, borough=WESTMINSTER, min_flow=0, commuters=commuters)
    w = commuters.codes.index(WESTMINSTER)
    wandsworth = commuters.codes.index(WANDSWORTH)
    expected = commuters.flows[wandsworth, w] * commuters.at_work[w, 0, 44:48].mean()
    assert lines.set_index("origin_gss").loc[WANDSWORTH, "flow"] == pytest.approx(expected)


def test_tube_trip_lines_borough_and_bands(pack):
    into = tube_trip_lines(pack, time_band="am_peak", borough=WESTMINSTER, min_trips=0)
    assert ((into["origin_gss"] == WESTMINSTER) | (into["destination_gss"] == WESTMINSTER)).all()
    assert into["share"].sum() == pytest.approx(1.0)
    # AM peak: more trips into Westminster than out of it; PM peak the other way round
    def net_in(frame):
        return (frame.loc[frame["destination_gss"] == WESTMINSTER, "trips"].sum()
                - frame.loc[frame["origin_gss"] == WESTMINSTER, "trips"].sum())
    pm = tube_trip_lines(pack, time_band="pm_peak", borough=WESTMINSTER, min_trips=0)
    assert net_in(into) > 0 > net_in(pm)
    day = tube_trip_lines(pack, day_type="saturday", min_trips=0)
    weekday = tube_trip_lines(pack, min_trips=0)
    assert day["trips"].sum() < weekday["trips"].sum()
    with pytest.raises(InputError):
        tube_trip_lines(pack, time_band="midday")          # a RODS band, not NUMBAT's


def test_station_activity_entries_exits_day_types_and_years(pack):
    exits = station_activity(pack, qhr=34, direction="exit")
    entries = station_activity(pack, qhr=34, direction="entry")
    both = station_activity(pack, qhr=34, direction="both")
    np.testing.assert_allclose(both["count"].sum(), exits["count"].sum() + entries["count"].sum())
    # 08:30: people arrive in the City (exits far above entries) ...
    city = "E09000001"
    assert (exits.loc[exits["gss_code"] == city, "count"].sum()
            > 3 * entries.loc[entries["gss_code"] == city, "count"].sum())
    # ... and the busiest entry is Waterloo, where National Rail commuters change to the Tube
    assert entries.sort_values("count").iloc[-1]["name"] == "Waterloo LU"
    saturday = station_activity(pack, day_type="saturday", qhr=34)
    assert saturday["count"].sum() < 0.5 * exits["count"].sum()
    covid = station_activity(pack, qhr=34, year=2020)
    assert covid["count"].sum() < 0.5 * exits["count"].sum()
    friday_2017 = station_activity(pack, day_type="friday", qhr=34, year=2017)
    assert len(friday_2017) > 200                       # falls back to the Mon-Fri counts
    with pytest.raises(InputError):
        station_activity(pack, qhr=96)
