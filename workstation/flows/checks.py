"""Figures to hold the model against the seed report's AM peak: how many Tube journeys are
made between 07:00 and 10:00, and whether the model's commuters arrive in that window.

Seed (RSA/Met "Safer Together", 2015): "One million Oyster card journeys are made in London
between 7am and 10am." That is a round, network-wide figure from before contactless cards
took a large share of pay-as-you-go, so the TfL figures here are compared with it as an order
of magnitude; the model's own check is that most commuters arrive in the same window.
"""

from __future__ import annotations

from dataclasses import dataclass

from workstation.domain import DayType
from workstation.flows.population import PopulationPresent

SEED_AM_PEAK_JOURNEYS = 1_000_000.0
AM_PEAK_QHRS = range(28, 40)          # 07:00-10:00, TfL's AM peak band (NUMBAT and RODS)


@dataclass(frozen=True)
class AmPeakJourneys:
    """Mon-Thu journeys 07:00-10:00 (people), and the model's commuter arrival share."""

    numbat_trips: float             # NUMBAT 2019 Underground trips starting 07:00-10:00
    underground_entries: float      # TfL Annual Counts entries at Underground stations
    rail_entries: float             # the same at every counted station (LU, LO, DLR, EZL, tram)
    commuter_arrival_share: float   # share of the peak in-commuters at work that arrive 07-10
    seed_journeys: float
    tfl_year: int
    basis: tuple[str, ...]


def am_peak_journeys(pack, present: PopulationPresent, *, tfl_year: int = 2019
                     ) -> AmPeakJourneys:
    """TfL AM-peak journey counts beside the seed's one million, and the model's timing.

    ``commuter_arrival_share`` is (in-commuters at work at 10:00 - at 07:00) / their Mon-Thu
    maximum, London-wide: the share of the day's commuter build-up that the model places in
    the AM peak.
    """
    trips = pack.table("tube_borough_trips")
    numbat = trips[(trips["source"] == "numbat2019") & (trips["day_type"] == DayType.WEEKDAY.value)
                   & (trips["time_band"] == "am_peak")]["trips"].sum()
    counts = pack.table("station_counts_qhr")
    rows = counts[(counts["year"] == tfl_year) & (counts["day_type"] == DayType.WEEKDAY.value)
                  & (counts["direction"] == "entry") & counts["qhr"].isin(AM_PEAK_QHRS)]
    stations = pack.table("stations")
    is_lu = stations["modes"].str.split(",").map(lambda modes: "LU" in modes)
    underground = set(stations.loc[is_lu, "nlc"])
    rail_entries = float(rows["count"].sum())
    lu_entries = float(rows.loc[rows["nlc"].isin(underground), "count"].sum())

    d = present.day_types.index(DayType.WEEKDAY)
    at_work = present.components["in_commuters_at_work"][:, d].sum(axis=0)   # (96,)
    # presence at quarter q counts arrivals during q: 07:00 is the end of q=27, 10:00 of q=39
    share = float((at_work[AM_PEAK_QHRS[-1]] - at_work[AM_PEAK_QHRS[0] - 1]) / at_work.max())
    basis = (
        'Seed (RSA/Met 2015): "One million Oyster card journeys are made in London between '
        '7am and 10am".',
        "numbat_trips: TfL NUMBAT 2019 Mon-Thu Underground station-to-station trips in the "
        "am_peak band (07:00-10:00).",
        f"underground_entries / rail_entries: TfL Annual Station Counts {tfl_year} Mon-Thu "
        "entries 07:00-10:00 at Underground stations / at every counted station.",
        "commuter_arrival_share: the population model's London in-commuters at work, rise "
        "07:00-10:00 over the Mon-Thu maximum.",
    )
    return AmPeakJourneys(float(numbat), lu_entries, rail_entries, share,
                          SEED_AM_PEAK_JOURNEYS, tfl_year, basis)

