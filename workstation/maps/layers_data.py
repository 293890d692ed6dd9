"""Map-ready tables derived from the pack for one (day type, hour). Qt-free, cached by the
caller. These are display aggregations only (sums and filters), no modelling."""

from __future__ import annotations

from dataclasses import dataclass

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
        # One (station x hour) array per day type and direction, built once: an hour step
        # is then a column lookup (a MultiIndex .xs per step cost ~17 ms).
        nlc = self.stations["nlc"].to_numpy()
        self._arrays: dict[tuple[str, str], np.ndarray] = {}
        for (day, direction), part in grouped.groupby(level=["day_type", "direction"],
                                                      observed=True):
            table = part.droplevel(["day_type", "direction"]).unstack("hour", fill_value=0.0)
            table = table.reindex(index=nlc, columns=range(24), fill_value=0.0).fillna(0.0)
            self._arrays[(str(day), str(direction))] = table.to_numpy(float)
        self._names = self.stations["name"].to_numpy()
        self._x = self.stations["easting_m"].to_numpy(float)
        self._y = self.stations["northing_m"].to_numpy(float)
        self._cache: dict[tuple[str, int], StationHour] = {}

    def busiest_hour_total(self) -> float:
        """Largest entries + exits of any station in any hour (one size scale for the day)."""
        totals = [self._arrays[(d, "entry")] + self._arrays[(d, "exit")]
                  for d, direction in self._arrays if direction == "entry"
                  and (d, "exit") in self._arrays]
        return float(max((t.max() for t in totals), default=0.0))

    def at(self, day_type: DayType, hour: int) -> StationHour:
        key = (DayType(day_type).value, int(hour))
        if key not in self._cache:
            def pick(direction: str) -> np.ndarray:
                array = self._arrays.get((key[0], direction))
                return np.zeros(len(self._x)) if array is None else array[:, key[1]].copy()
            self._cache[key] = StationHour(self._names, self._x, self._y,
                                           pick("entry"), pick("exit"))
        return self._cache[key]


def band_covers(start_hour: np.ndarray, end_hour: np.ndarray, hour: int) -> np.ndarray:
    """Whether the clock hour [h, h+1) starts inside a band (bands may run past 24)."""
    h = float(hour)
    return ((start_hour <= h) & (h < end_hour)) | ((start_hour <= h + 24) & (h + 24 < end_hour))


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
# Plain arrays, not DataFrames: with pandas 3 every frame of borough codes is converted to
# Arrow strings, which was most of a first visit's cost per hour step.
@dataclass(frozen=True, slots=True)
class FlowTable:
    """Flows between places, largest first: origin and destination codes and the value."""
    origin: np.ndarray
    destination: np.ndarray
    value: np.ndarray

    def __len__(self) -> int:
        return len(self.value)

    @property
    def empty(self) -> bool:
        return len(self.value) == 0

    def frame(self, names: tuple[str, str, str] = ("origin", "destination", "flow")
              ) -> pd.DataFrame:
        return pd.DataFrame(dict(zip(names, (self.origin, self.destination, self.value))))


@dataclass(frozen=True, slots=True)
class LinesToDraw:
    """Straight lines between borough label points, each with a width class (quantiles of
    the drawn values) and whether it runs into the selected borough."""
    table: FlowTable             # the drawn rows
    bounds: list[float]          # width-class edges for the legend
    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    width_class: np.ndarray
    inbound: np.ndarray

    @property
    def empty(self) -> bool:
        return self.table.empty


def lines_to_draw(table: FlowTable, points: dict[str, tuple[float, float]], *,
                  selected: str | None, max_lines: int | None, n_widths: int,
                  keep_largest_unselected: int | None = None) -> LinesToDraw:
    """Choose the lines to draw from a flow table (largest first): both ends on the map,
    not within one borough, those touching ``selected`` (if any), at most ``max_lines``,
    and with nothing selected only the ``keep_largest_unselected`` largest."""
    from workstation.maps.classify import width_classes

    known = np.array(list(points), dtype=object)
    keep = (np.isin(table.origin, known) & np.isin(table.destination, known)
            & (table.origin != table.destination))
    if selected:
        keep &= (table.origin == selected) | (table.destination == selected)
    index = np.flatnonzero(keep)
    index = index[np.argsort(-table.value[index], kind="stable")]
    if not selected and keep_largest_unselected is not None:
        index = index[:keep_largest_unselected]
    if max_lines is not None:
        index = index[:max_lines]
    rows = FlowTable(table.origin[index], table.destination[index], table.value[index])
    classes, bounds = width_classes(rows.value, n_widths)
    xy0 = np.array([points[c] for c in rows.origin], dtype=float).reshape(-1, 2)
    xy1 = np.array([points[c] for c in rows.destination], dtype=float).reshape(-1, 2)
    inbound = (rows.destination == selected) if selected else np.zeros(len(rows), dtype=bool)
    return LinesToDraw(rows, bounds, xy0[:, 0], xy0[:, 1], xy1[:, 0], xy1[:, 1], classes,
                       np.asarray(inbound, dtype=bool))


def engine_flows(pack, *, day_type: DayType, hour: int, borough: str | None, min_flow: float,
                 mode: str | None, commuters) -> FlowTable:
    """Commuters at work at a clock hour (origin, destination, flow): the numbers of
    ``workstation.flows.flowlines.flow_lines`` (the mean of the hour's four quarter-hours of
    ``commuters.flow_at``, same borough and ``min_flow`` filters) without its line geometry
    and centroids, which the map does not use; building those took ~55 ms per hour step.
    ``tests/app/test_map.py`` checks the two agree."""
    mode = mode or ("all" if borough else "into")
    n = len(commuters.codes)
    flow = np.mean([commuters.flow_at(DayType(day_type), int(hour) * 4 + k) for k in range(4)],
                   axis=0)[:n, :n]
    codes = np.asarray(commuters.codes)
    keep = flow > 0
    if borough is not None:
        index = int(np.flatnonzero(codes == borough)[0]) if borough in codes else -1
        rows = np.zeros((n, 1), dtype=bool)
        cols = np.zeros((1, n), dtype=bool)
        if index >= 0:
            rows[index, 0] = True
            cols[0, index] = True
        keep &= {"into": cols, "out_of": rows, "all": rows | cols}[mode]
    keep &= flow >= min_flow
    origin, dest = np.nonzero(keep)
    values = flow[origin, dest]
    order = np.argsort(-values, kind="stable")
    codes = codes.astype(object)
    return FlowTable(codes[origin][order], codes[dest][order], values[order])


class TubeTrips:
    """NUMBAT 2019 Underground trips between boroughs, split by day type once, so that an
    hour step only masks the few hundred rows of that day (filtering the whole table per
    hour took ~60 ms)."""

    def __init__(self, pack):
        trips = pack.table("tube_borough_trips")
        trips = trips[(trips["source"] == TUBE_TRIPS_SOURCE)
                      & (trips["origin_gss"] != trips["destination_gss"])]
        day = trips["day_type"].astype(str).to_numpy()
        self._by_day = {}
        for value in np.unique(day):
            rows = trips[day == value]
            self._by_day[value] = (rows["origin_gss"].astype(str).to_numpy(dtype=object),
                                   rows["destination_gss"].astype(str).to_numpy(dtype=object),
                                   rows["start_hour"].to_numpy(float),
                                   rows["end_hour"].to_numpy(float),
                                   rows["trips"].to_numpy(float))

    def at(self, day_type: DayType, hour: int, *, min_trips_per_hour: float = 0.0
           ) -> FlowTable:
        """Trips per hour (origin, destination) in the band holding ``hour``, spread evenly
        over the band's hours, largest first."""
        arrays = self._by_day.get(DayType(day_type).value)
        if arrays is None:
            empty = np.array([], dtype=object)
            return FlowTable(empty, empty, np.array([], dtype=float))
        origin, dest, start, end, trips = arrays
        covers = band_covers(start, end, hour)
        per_hour = trips[covers] / (end[covers] - start[covers])
        keep = per_hour >= min_trips_per_hour
        order = np.argsort(-per_hour[keep], kind="stable")
        return FlowTable(origin[covers][keep][order], dest[covers][keep][order],
                         per_hour[keep][order])


def lattice_cell_centres(pack) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The shipped burglary lattice summed over months: cell centre easting, northing (m)
    and incidents per 100 m cell (the table stores the south-west corner)."""
    lattice = pack.table("burglary_lattice")
    grouped = lattice.groupby(["cell_e", "cell_n"], observed=True)["incidents"].sum()
    cells = grouped.index.to_frame(index=False)
    return (cells["cell_e"].to_numpy(float) + 50.0, cells["cell_n"].to_numpy(float) + 50.0,
            grouped.to_numpy(float))
