"""Map-ready tables derived from the pack for one (day type, hour). Qt-free, cached by the
caller. These are display aggregations only (sums and filters), no modelling."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely

from workstation.domain import DayType

# TfL Annual Station Counts: 2019 is the last full year before the pandemic changed travel.
STATION_COUNT_YEAR = 2019
# NUMBAT 2019 covers all four day types (RODS 2017 is weekday only).
TUBE_TRIPS_SOURCE = "numbat2019"


@dataclass(frozen=True, slots=True)
class StationHour:
    name: np.ndarray
    easting_m: np.ndarray
    northing_m: np.ndarray
    entries_per_hour: np.ndarray
    exits_per_hour: np.ndarray

    @property
    def total_per_hour(self) -> np.ndarray:
        return self.entries_per_hour + self.exits_per_hour


class StationCounts:
    """Entries and exits per station and clock hour, aggregated once from the quarter-hour
    table (1.5M rows) so that moving the hour slider is an array lookup."""

    def __init__(self, pack, *, year: int = STATION_COUNT_YEAR):
        stations = pack.table("stations")
        counts = pack.table("station_counts_qhr")
        counts = counts[counts["year"] == year]
        if counts.empty:  # fall back to the latest year the pack has
            latest = int(pack.table("station_counts_qhr")["year"].max())
            counts = pack.table("station_counts_qhr")
            counts = counts[counts["year"] == latest]
        hour = (counts["qhr"].to_numpy() // 4).astype(int)
        frame = pd.DataFrame({"nlc": counts["nlc"].to_numpy(), "day_type": counts["day_type"].astype(str),
                              "direction": counts["direction"].astype(str), "hour": hour,
                              "count": counts["count"].to_numpy()})
        grouped = frame.groupby(["nlc", "day_type", "direction", "hour"], observed=True)["count"].sum()
        self.stations = stations[stations["nlc"].isin(grouped.index.get_level_values(0))]
        self.stations = self.stations.reset_index(drop=True)
        self._grouped = grouped
        self._cache: dict[tuple[str, int], StationHour] = {}

    def at(self, day_type: DayType, hour: int) -> StationHour:
        key = (DayType(day_type).value, int(hour))
        if key not in self._cache:
            nlc = self.stations["nlc"]
            def pick(direction: str) -> np.ndarray:
                try:
                    series = self._grouped.xs((key[0], direction, key[1]),
                                              level=("day_type", "direction", "hour"))
                except KeyError:
                    return np.zeros(len(nlc))
                return series.reindex(nlc.values).fillna(0.0).to_numpy(float)
            self._cache[key] = StationHour(self.stations["name"].to_numpy(),
                                           self.stations["easting_m"].to_numpy(float),
                                           self.stations["northing_m"].to_numpy(float),
                                           pick("entry"), pick("exit"))
        return self._cache[key]


def band_covers(start_hour: np.ndarray, end_hour: np.ndarray, hour: int) -> np.ndarray:
    """Whether the clock hour [h, h+1) starts inside a band (bands may run past 24)."""
    h = float(hour)
    return ((start_hour <= h) & (h < end_hour)) | ((start_hour <= h + 24) & (h + 24 < end_hour))


def tube_trips_at(pack, day_type: DayType, hour: int, *, min_trips_per_hour: float = 0.0
                  ) -> pd.DataFrame:
    """Underground trips between different boroughs in the time band holding ``hour``,
    spread evenly over the band's hours: origin_gss, destination_gss, trips_per_hour."""
    trips = pack.table("tube_borough_trips")
    trips = trips[(trips["source"] == TUBE_TRIPS_SOURCE)
                  & (trips["day_type"].astype(str) == DayType(day_type).value)
                  & (trips["origin_gss"] != trips["destination_gss"])]
    covers = band_covers(trips["start_hour"].to_numpy(float), trips["end_hour"].to_numpy(float),
                         hour)
    rows = trips[covers]
    if rows.empty:
        return pd.DataFrame(columns=["origin_gss", "destination_gss", "trips_per_hour"])
    length = (rows["end_hour"] - rows["start_hour"]).to_numpy(float)
    out = pd.DataFrame({"origin_gss": rows["origin_gss"].to_numpy(),
                        "destination_gss": rows["destination_gss"].to_numpy(),
                        "trips_per_hour": rows["trips"].to_numpy(float) / length})
    out = out[out["trips_per_hour"] >= min_trips_per_hour]
    return out.sort_values("trips_per_hour", ascending=False).reset_index(drop=True)


def label_points(boroughs) -> dict[str, tuple[float, float]]:
    """A point inside each borough for its label and flow-line ends (point on surface, so it
    never falls outside a concave borough)."""
    points = shapely.point_on_surface(boroughs.geometry.values)
    return {code: (float(p.x), float(p.y)) for code, p in zip(boroughs["gss_code"], points)}


def short_name(name: str) -> str:
    """Borough label for the map: shorter forms of the long names, wrapped on two lines."""
    name = (name.replace(" and ", " & ").replace(" upon Thames", "")
            .replace("City of London", "City"))
    if len(name) > 12 and " " in name:
        words = name.split(" ")
        best = min(range(1, len(words)),
                   key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))))
        name = " ".join(words[:best]) + "\n" + " ".join(words[best:])
    return name


def density_grid(easting_m: np.ndarray, northing_m: np.ndarray, weights: np.ndarray | None,
                 *, bounds: tuple[float, float, float, float], cell_m: float
                 ) -> tuple[np.ndarray, tuple[float, float]]:
    """Counts per ``cell_m`` square over ``bounds`` (minx, miny, maxx, maxy), shape (nx, ny),
    and the grid origin. Fast enough for a year of London incidents (~1M points)."""
    minx, miny, maxx, maxy = bounds
    nx = max(1, int(np.ceil((maxx - minx) / cell_m)))
    ny = max(1, int(np.ceil((maxy - miny) / cell_m)))
    ix = ((easting_m - minx) // cell_m).astype(np.int64)
    iy = ((northing_m - miny) // cell_m).astype(np.int64)
    ok = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
    flat = ix[ok] * ny + iy[ok]
    w = None if weights is None else np.asarray(weights, dtype=float)[ok]
    grid = np.bincount(flat, weights=w, minlength=nx * ny).reshape(nx, ny)
    return grid, (minx, miny)


# --- lines between boroughs (commuter flows, Tube trips) ------------------------------------
@dataclass(frozen=True, slots=True)
class LinesToDraw:
    """Straight lines between borough label points, each with a width class (quantiles of
    the drawn values) and whether it runs into the selected borough."""
    table: pd.DataFrame          # the drawn rows: origin, destination, value
    bounds: list[float]          # width-class edges for the legend
    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    width_class: np.ndarray
    inbound: np.ndarray


def lines_to_draw(table: pd.DataFrame, points: dict[str, tuple[float, float]], *,
                  origin: str, destination: str, value: str, selected: str | None,
                  max_lines: int | None, n_widths: int, keep_largest_unselected: int | None = None
                  ) -> LinesToDraw:
    """Choose the lines to draw from a flow table: both ends on the map, not within one
    borough, those touching ``selected`` (if any), at most ``max_lines`` (largest first), and
    with nothing selected only the ``keep_largest_unselected`` largest."""
    from workstation.maps.classify import width_classes

    rows = table[table[origin].isin(points) & table[destination].isin(points)]
    rows = rows[rows[origin] != rows[destination]]
    if selected:
        rows = rows[(rows[origin] == selected) | (rows[destination] == selected)]
    elif keep_largest_unselected is not None:
        rows = rows.nlargest(keep_largest_unselected, value)
    if max_lines is not None:
        rows = rows.sort_values(value, ascending=False, kind="stable").head(max_lines)
    classes, bounds = width_classes(rows[value].to_numpy(float), n_widths)
    xy0 = np.array([points[c] for c in rows[origin]], dtype=float).reshape(-1, 2)
    xy1 = np.array([points[c] for c in rows[destination]], dtype=float).reshape(-1, 2)
    inbound = ((rows[destination] == selected).to_numpy() if selected
               else np.zeros(len(rows), dtype=bool))
    return LinesToDraw(rows, bounds, xy0[:, 0], xy0[:, 1], xy1[:, 0], xy1[:, 1], classes, inbound)


def engine_flows(pack, *, day_type: DayType, hour: int, borough: str | None, min_flow: float,
                 mode: str | None, commuters=None) -> pd.DataFrame:
    """Commuters at work per hour from ``workstation.flows.flowlines`` as origin / destination
    / flow (the engine's ``origin_gss``, ``destination_gss``, ``flow``)."""
    from workstation.flows import flowlines

    kwargs: dict[str, Any] = dict(hour=int(hour), day_type=day_type, borough=borough,
                                  min_flow=min_flow, mode=mode or ("all" if borough else "into"))
    if commuters is not None:
        kwargs["commuters"] = commuters
    frame = flowlines.flow_lines(pack, **kwargs)
    return pd.DataFrame({"origin": frame["origin_gss"].to_numpy(),
                         "destination": frame["destination_gss"].to_numpy(),
                         "flow": frame["flow"].to_numpy(float)})


def lattice_cell_centres(pack) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The shipped burglary lattice summed over months: cell centre easting, northing (m)
    and incidents per 100 m cell (the table stores the south-west corner)."""
    lattice = pack.table("burglary_lattice")
    grouped = lattice.groupby(["cell_e", "cell_n"], observed=True)["incidents"].sum()
    cells = grouped.index.to_frame(index=False)
    return (cells["cell_e"].to_numpy(float) + 50.0, cells["cell_n"].to_numpy(float) + 50.0,
            grouped.to_numpy(float))
