"""Map data for flows: commuter lines between borough centroids at an hour, Tube trip lines
between boroughs by time band, and station activity points at a quarter-hour.

All geometry is EPSG:27700 (metres). Flows to or from outside London have no centroid to
draw to and are left out of the lines (they are in the population model and the matrix).
"""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from workstation.domain import BNG, DayType
from workstation.errors import InputError
from workstation.flows.population import (CommutersAtWork, PopulationAssumptions,
                                          commuters_at_work)

FlowMode = Literal["into", "out_of", "all"]
LINE_COLUMNS = ["origin_gss", "destination_gss", "flow", "share", "geometry"]


def borough_centroids(pack) -> gpd.GeoSeries:
    """A point inside each borough (representative point: always within the polygon),
    indexed by gss_code in canonical order."""
    boroughs = pack.table("boroughs").sort_values("gss_code")
    return gpd.GeoSeries(boroughs.geometry.representative_point().to_numpy(),
                         index=boroughs["gss_code"].to_numpy(), crs=BNG)


def _lines(frame: pd.DataFrame, centroids: gpd.GeoSeries) -> gpd.GeoDataFrame:
    start = centroids.reindex(frame["origin_gss"]).to_numpy()
    end = centroids.reindex(frame["destination_gss"]).to_numpy()
    coords = np.stack([shapely.get_coordinates(start), shapely.get_coordinates(end)], axis=1)
    geometry = shapely.linestrings(coords) if len(frame) else []
    return gpd.GeoDataFrame(frame.reset_index(drop=True), geometry=list(geometry), crs=BNG)


def _check_borough(pack, borough: str | None) -> None:
    if borough is not None and borough not in set(pack.table("boroughs")["gss_code"]):
        raise InputError(f"unknown borough code {borough!r}", expected="a GSS code E09000001..33")


def flow_lines(pack, *, hour: int, day_type: DayType | str = DayType.WEEKDAY,
               mode: FlowMode = "into", borough: str | None = None, min_flow: float = 100.0,
               assumptions: PopulationAssumptions | None = None,
               commuters: CommutersAtWork | None = None) -> gpd.GeoDataFrame:
    """Commuters from each home borough at work in each work borough at a clock hour.

    ``flow`` is the census flow (grown to 2019 by default) times the share of that work
    borough's commuters at work in that hour (TfL timing, mean of its four quarter-hours);
    ``share`` is the flow's share of the selected borough's total in that direction (of all
    drawn flows when ``borough`` is None). ``mode`` "into" keeps flows whose destination is
    ``borough``, "out_of" those whose origin is, "all" both. Pass ``commuters`` (from
    ``commuters_at_work``) to reuse the timing when redrawing for another hour.
    """
    if not 0 <= int(hour) <= 23:
        raise InputError(f"hour must be 0..23, got {hour}")
    if mode not in ("into", "out_of", "all"):
        raise InputError(f"mode must be into, out_of or all, got {mode!r}")
    _check_borough(pack, borough)
    if commuters is None:
        commuters = commuters_at_work(pack, assumptions=assumptions)
    n = len(commuters.codes)
    flow = np.mean([commuters.flow_at(DayType(day_type), int(hour) * 4 + k) for k in range(4)],
                   axis=0)[:n, :n]
    origin, dest = np.nonzero(flow)
    codes = np.asarray(commuters.codes)
    frame = pd.DataFrame({"origin_gss": codes[origin], "destination_gss": codes[dest],
                          "flow": flow[origin, dest]})
    if borough is not None:
        keep = {"into": frame["destination_gss"] == borough,
                "out_of": frame["origin_gss"] == borough,
                "all": (frame["destination_gss"] == borough) | (frame["origin_gss"] == borough)}[mode]
        frame = frame[keep]
    total = frame["flow"].sum()
    frame = frame.assign(share=frame["flow"] / total if total > 0 else 0.0)
    frame = frame[frame["flow"] >= min_flow].sort_values("flow", ascending=False)
    return _lines(frame, borough_centroids(pack))[LINE_COLUMNS]


def tube_trip_lines(pack, *, day_type: DayType | str = DayType.WEEKDAY,
                    time_band: str | None = None, source: str = "numbat2019",
                    borough: str | None = None, min_trips: float = 100.0) -> gpd.GeoDataFrame:
    """Underground trips between boroughs (NUMBAT 2019 or RODS 2017) as centroid lines.

    ``time_band`` None sums the whole day; ``trips`` per line, ``share`` of all drawn trips
    (of the borough's trips in or out when ``borough`` is given). Trips within a borough and
    to/from stations outside London are left out.
    """
    _check_borough(pack, borough)
    trips = pack.table("tube_borough_trips")
    rows = trips[(trips["source"] == source) & (trips["day_type"] == DayType(day_type).value)]
    if rows.empty:
        raise InputError(f"no {source} trips for {DayType(day_type).value}",
                         hint="RODS 2017 covers weekdays only")
    if time_band is not None:
        bands = sorted(rows["time_band"].unique())
        if time_band not in bands:
            raise InputError(f"unknown time band {time_band!r} for {source}", expected=", ".join(bands))
        rows = rows[rows["time_band"] == time_band]
    codes = set(pack.table("boroughs")["gss_code"])
    rows = rows[rows["origin_gss"].isin(codes) & rows["destination_gss"].isin(codes)
                & (rows["origin_gss"] != rows["destination_gss"])]
    if borough is not None:
        rows = rows[(rows["origin_gss"] == borough) | (rows["destination_gss"] == borough)]
    frame = rows.groupby(["origin_gss", "destination_gss"], as_index=False)["trips"].sum()
    total = frame["trips"].sum()
    frame["share"] = frame["trips"] / total if total > 0 else 0.0
    frame = frame[frame["trips"] >= min_trips].sort_values("trips", ascending=False)
    frame = frame.rename(columns={"trips": "flow"})
    lines = _lines(frame, borough_centroids(pack))[LINE_COLUMNS]
    return lines.rename(columns={"flow": "trips"})


def station_activity(pack, *, day_type: DayType | str = DayType.WEEKDAY, qhr: int,
                     direction: Literal["entry", "exit", "both"] = "exit",
                     year: int = 2019) -> gpd.GeoDataFrame:
    """TfL station entries/exits in one clock quarter-hour (qhr 0 = 00:00-00:15) as points:
    nlc, name, modes, gss_code, count (people in that quarter-hour), geometry (EPSG:27700)."""
    if not 0 <= int(qhr) <= 95:
        raise InputError(f"qhr must be 0..95, got {qhr}")
    if direction not in ("entry", "exit", "both"):
        raise InputError(f"direction must be entry, exit or both, got {direction!r}")
    counts = pack.table("station_counts_qhr")
    day = DayType(day_type).value
    if year == 2017 and day == DayType.FRIDAY.value:
        day = DayType.WEEKDAY.value   # 2017 has no Friday counts (its weekday is Mon-Fri)
    rows = counts[(counts["year"] == year) & (counts["day_type"] == day) & (counts["qhr"] == int(qhr))]
    if rows.empty:
        raise InputError(f"no station counts for {year} {day}", hint="years 2017-2021")
    if direction != "both":
        rows = rows[rows["direction"] == direction]
    per_station = rows.groupby("nlc", as_index=False)["count"].sum()
    stations = pack.table("stations").merge(per_station, on="nlc", how="inner")
    return gpd.GeoDataFrame(
        stations[["nlc", "name", "modes", "gss_code", "count"]].reset_index(drop=True),
        geometry=gpd.points_from_xy(stations["easting_m"], stations["northing_m"]), crs=BNG)
