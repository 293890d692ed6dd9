"""The TfL tables of the shipped pack, checked against the raw TfL files in ../shared/data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workstation.datapack.build_tfl import (COUNT_YEARS, OUTSIDE_LONDON, normalise_name,
                                            read_counts_raw)
from workstation.domain import DayType

# Counted stations beyond the GLA boundary: Metropolitan line to Amersham/Chesham/Watford,
# Central line to Epping, Overground to Watford/Cheshunt, TfL Rail/EZL to Reading/Shenfield.
EXPECTED_OUTSIDE = {
    "Amersham", "Buckhurst Hill", "Chalfont & Latimer", "Chesham", "Chigwell", "Chorleywood",
    "Croxley", "Debden", "Epping", "Loughton", "Moor Park", "Rickmansworth", "Theydon Bois",
    "Watford", "Bushey", "Watford Junction", "Carpenders Park", "Watford High Street",
    "Maidenhead", "Reading", "Taplow", "Twyford", "Iver", "Langley", "Slough", "Burnham",
    "Cheshunt", "Brentwood", "Shenfield", "Theobalds Grove",
}


@pytest.fixture(scope="module")
def stations(pack):
    return pack.table("stations")


@pytest.fixture(scope="module")
def counts(pack):
    return pack.table("station_counts_qhr")


@pytest.fixture(scope="module")
def raw_2019(shared_data):
    return read_counts_raw(shared_data, 2019)


def test_every_counted_station_is_placed(stations, shared_data):
    counted = set()
    for year in COUNT_YEARS:
        counted |= set(read_counts_raw(shared_data, year)["NLC"].astype(int))
    assert set(stations["nlc"]) == counted
    assert stations[["easting_m", "northing_m"]].notna().all().all()
    # every coordinate is on the OS grid around London (within ~60 km of Charing Cross)
    dist = np.hypot(stations["easting_m"] - 530_000, stations["northing_m"] - 180_500)
    assert dist.max() < 70_000
    outside = set(stations.loc[stations["gss_code"] == OUTSIDE_LONDON, "name"])
    assert outside == EXPECTED_OUTSIDE
    inside = stations[stations["gss_code"] != OUTSIDE_LONDON]
    assert inside["gss_code"].str.fullmatch(r"E090000\d\d").all()


@pytest.mark.parametrize("name, borough", [
    ("Bank and Monument", "E09000001"), ("Oxford Circus", "E09000033"),
    ("Canary Wharf LU", "E09000030"), ("Stratford", "E09000025"),
    ("Heathrow Terminal 5 LU", "E09000017"), ("Edgware Road (Bak)", "E09000033"),
    ("Hammersmith (DIS)", "E09000013"), ("Brixton LU", "E09000022"),
])
def test_known_stations_are_in_their_borough(stations, name, borough):
    row = stations[stations["name"] == name]
    assert len(row) == 1, name
    assert row["gss_code"].iloc[0] == borough


def test_name_normalisation_handles_tfl_spellings():
    assert normalise_name("Harrow & Wealdstone") == normalise_name("Harrow and Wealdstone")
    assert normalise_name("Bank and Monument") == "bank"
    assert normalise_name("King's Cross St. Pancras") == "kings cross st pancras"
    assert normalise_name("Canary Wharf DLR") == "canary wharf"


def test_modes_cover_all_tfl_rail_modes(stations):
    modes = set(",".join(stations["modes"]).split(","))
    assert {"LU", "LO", "DLR", "EZL"} <= modes
    assert stations.loc[stations["name"] == "Stratford", "modes"].iloc[0] == "LU,LO,DLR,EZL"


def test_counts_keys_and_day_types(counts):
    assert set(counts["year"]) == set(COUNT_YEARS)
    assert set(counts["direction"]) == {"entry", "exit"}
    assert counts["qhr"].between(0, 95).all()
    days = counts.groupby("year")["day_type"].unique().map(set)
    assert days[2017] == {"weekday", "saturday", "sunday"}          # 2017: no Friday
    assert days[2019] == {d.value for d in DayType}
    assert str(counts["count"].dtype) == "float32"


def test_clock_quarter_hours_match_tfl_columns(counts, raw_2019):
    """Acton Town weekday entries: TfL column 0800-0815 is clock qhr 32; 0445-0500 is 19."""
    raw = raw_2019[(raw_2019["NLC"] == 500) & (raw_2019["day"] == "MTT") & (raw_2019["dir"] == "IN")]
    ours = counts[(counts["year"] == 2019) & (counts["nlc"] == 500)
                  & (counts["day_type"] == "weekday") & (counts["direction"] == "entry")
                  ].set_index("qhr")["count"]
    assert ours[32] == raw["0800-0815"].iloc[0]
    assert ours[19] == raw["0445-0500"].iloc[0]
    assert ours.sum() == pytest.approx(raw["Total"].iloc[0], abs=1)


def test_entry_exit_preferred_over_boarding(counts, raw_2019):
    """Bank: the LU entry/exit row already includes DLR users; the DLR boarding row is not added."""
    lu = raw_2019[(raw_2019["NLC"] == 513) & (raw_2019["day"] == "MTT") & (raw_2019["dir"] == "IN")
                  & (raw_2019["Mode"] == "LU")]["Total"].iloc[0]
    ours = counts[(counts["year"] == 2019) & (counts["nlc"] == 513) & (counts["day_type"] == "weekday")
                  & (counts["direction"] == "entry")]["count"].sum()
    assert ours == pytest.approx(lu, abs=1)


def test_weekday_totals_and_pandemic_drop(counts):
    totals = counts[counts["day_type"] == "weekday"].groupby(["year", "direction"])["count"].sum()
    assert 5.0e6 < totals[(2019, "entry")] < 6.5e6
    assert totals[(2020, "entry")] < 0.35 * totals[(2019, "entry")]


def test_tube_borough_trips_sources_and_am_peak(pack):
    trips = pack.table("tube_borough_trips")
    totals = trips.groupby(["source", "day_type"])["trips"].sum()
    assert totals[("numbat2019", "weekday")] == pytest.approx(4.85e6, rel=0.03)
    assert totals[("rods2017", "weekday")] == pytest.approx(4.878e6, rel=0.01)
    am = trips[(trips["day_type"] == "weekday") & (trips["time_band"] == "am_peak")]
    am_peak = am.groupby("source")["trips"].sum()
    # Seed report: "about 1 million" Oyster journeys 07:00-10:00. The data give ~1.25M
    # Underground journeys in the AM peak on a Mon-Thu (NUMBAT 2019) and 1.26M (RODS 2017).
    print(f"AM peak 07-10 Underground journeys: {am_peak.to_dict()}")
    assert 1.0e6 < am_peak["numbat2019"] < 1.4e6
    assert 1.0e6 < am_peak["rods2017"] < 1.4e6
    codes = set(trips["origin_gss"]) | set(trips["destination_gss"])
    assert all(c == OUTSIDE_LONDON or c.startswith("E09") for c in codes)
    band = trips[trips["time_band"] == "late"]
    assert (band["end_hour"] > 24).all()


def test_journey_purpose_totals_match_rods(pack):
    purpose = pack.table("tube_journey_purpose")
    total = purpose[purpose["purpose"] == "All"].groupby("direction")["journeys"].sum()
    assert total["entry"] == pytest.approx(4_878_337, abs=10)
    h2w = purpose[(purpose["purpose"] == "Home to Work") & (purpose["direction"] == "exit")]
    by_borough = h2w.groupby("gss_code")["journeys"].sum()
    assert by_borough.idxmax() == "E09000033"   # Westminster receives most commuters by Tube
