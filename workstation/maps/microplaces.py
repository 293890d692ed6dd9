"""Patrol-sized hotspots: Gi*-significant clusters split into ranked micro-places.

Why small: hot-spot policing works on micro-places (street segments, blocks: Sherman &
Weisburd 1995; Weisburd et al. 2004 found half of a city's crime on ~5 % of its street
segments), and the visits that deter are short, 10-15 minutes every so often (Koper
1995). At walking pace (~5 km/h) 10-15 minutes is about 1 km of street, a walk round
a place a few hundred metres across: we cap a micro-place at 0.2 km²
(20 cells of 100 m, a 450 x 450 m square) and never exceed 250,000 m².

How: Gi* (``gistar.find_hotspots``, harm, last 12 months) stays the significance test:
only significant hot cells can be part of a hotspot. The ranking uses the harm-weighted
*forecast* (``accuracy.blended_surface`` with the validated ``blend`` parameters:
exponentially decayed history blended with its KDE). Each Gi* cluster is split by
greedy seeded region growing on the forecast: the cluster's highest-forecast unused cell
seeds a micro-place, which grows through 8-connected cells of the same cluster in
descending forecast order, while the cell lies within ``SEED_RADIUS_M`` of the seed,
holds at least ``MIN_SHARE_OF_SEED`` of the seed's forecast and the place stays within
the area cap; then the next highest unused cell seeds the next place. So the highest-
value cells of a large cluster always end up at the core of the top micro-places, and a
small cluster stays whole. Places are ranked by forecast harm per month.

Each place is described for a briefing: ``name`` from the police.uk snap points inside
(pack table ``policeuk_gazetteer``), the nearest Underground station (``stations``), the
LSOA 2021 holding most of its forecast harm (``lsoa21_boundaries``) and its borough.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from workstation.domain import BNG, CancelToken, ProgressFn, check_cancel, no_progress
from workstation.errors import InputError
from workstation.maps.accuracy import BlendParams, blended_surface, fit_blend
from workstation.maps.counts import IncidentCounts, month_add, month_number, month_span
from workstation.maps.gistar import HotspotResult, find_hotspots
from workstation.maps.grid import Grid

MAX_AREA_M2 = 200_000.0          # 0.2 km²: the documented patrol cap (see module docstring)
HARD_AREA_LIMIT_M2 = 250_000.0   # never above this, whatever the caller asks
SEED_RADIUS_M = 300.0            # a place reaches at most 300 m from its seed cell's centre
MIN_SHARE_OF_SEED = 0.25         # cells below a quarter of the seed's forecast start their own place
GISTAR_WINDOW_MONTHS = 12        # significance on the latest year, the usual tasking horizon
NAMES_PER_HOTSPOT = 2            # "Oxford Street / Regent Street"
# police.uk labels some snap points with a kind of place rather than a street; a street
# name is more use on a briefing, so these only name a hotspot when no street is inside.
GENERIC_PLACE_NAMES = frozenset(n.casefold() for n in (
    "Supermarket", "Parking Area", "Shopping Area", "Petrol Station", "Nightclub",
    "Sports/Recreation Area", "Further/Higher Educational Building", "Hospital",
    "Police Station", "Conference/Exhibition Centre", "Theatre/Concert Hall", "Pedestrian Subway",
    "Bus/Coach Station", "Park/Open Space", "Theme/Adventure Park", "Airport/Airfield",
    "Prison", "Ferry Terminal", "Sports Ground", "Underground Station", "Station"))
TUBE_MODE = "LU"

HOTSPOT_COLUMNS = (
    "rank", "hotspot_id", "name", "gss_code", "borough", "boroughs", "lsoa21_code", "lsoa21_name",
    "nearest_station", "nearest_station_nlc", "nearest_station_distance_m", "n_cells", "area_m2",
    "forecast_incidents_per_month", "forecast_harm_per_month", "share_of_london_harm",
    "incidents", "harm", "incidents_per_month", "mean_z", "max_z", "cluster_id", "cluster_area_m2",
    "centre_x_m", "centre_y_m")


@dataclass(frozen=True, slots=True)
class PatrolHotspots:
    """Ranked micro-places (``hotspots``: GeoDataFrame, EPSG:27700, one row per place,
    columns ``HOTSPOT_COLUMNS`` + geometry; rank 1 = most forecast harm) and what they came
    from. ``monthly``: observed incidents and harm per hotspot and month (hotspot_id, month,
    incidents, harm) over the whole history, for sparklines."""

    hotspots: "pd.DataFrame"
    monthly: pd.DataFrame
    labels: np.ndarray                        # hotspot_id per grid cell, 0 = none
    forecast_incidents_per_month: np.ndarray  # per cell, NaN outside London
    forecast_harm_per_month: np.ndarray       # per cell, NaN outside London
    london_forecast_harm_per_month: float
    gistar: HotspotResult                     # the significance test (clusters = its hotspots)
    params: BlendParams                     # forecaster parameters (chosen on validation)
    grid: Grid
    gistar_months: tuple[str, str]
    history_months: tuple[str, str]
    horizon_months: int
    max_area_m2: float


def split_clusters(clusters: np.ndarray, value: np.ndarray, *, cell_m: float,
                   max_area_m2: float = MAX_AREA_M2, seed_radius_m: float = SEED_RADIUS_M,
                   min_share_of_seed: float = MIN_SHARE_OF_SEED,
                   cancel: CancelToken | None = None) -> tuple[np.ndarray, int]:
    """Split labelled clusters (0 = none) into micro-places by greedy seeded region growing
    on ``value`` (see module docstring). Returns (place label per cell, number of places);
    labels are numbered in seed order, i.e. by descending seed value."""
    if not 0 < max_area_m2 <= HARD_AREA_LIMIT_M2:
        raise InputError(f"micro-place area cap {max_area_m2:g} m² is out of range",
                         column="max_area_m2", expected=f"0 < cap <= {HARD_AREA_LIMIT_M2:,.0f} m²")
    max_cells = int(np.floor(max_area_m2 / (cell_m * cell_m) + 1e-9))
    if max_cells < 1:
        raise InputError(f"cells of {cell_m:g} m are larger than the {max_area_m2:g} m² cap",
                         column="cell_m", expected="a smaller grid cell")
    radius_cells2 = (seed_radius_m / cell_m) ** 2 + 1e-9
    n_rows, n_cols = clusters.shape
    vals = np.where(clusters > 0, np.nan_to_num(value, nan=0.0), -np.inf)
    places = np.zeros(clusters.shape, dtype=np.int32)
    rows, cols = np.nonzero(clusters > 0)
    order = np.argsort(-vals[rows, cols], kind="stable")
    n_places = 0
    for k, idx in enumerate(order):
        r0, c0 = int(rows[idx]), int(cols[idx])
        if places[r0, c0]:
            continue
        if k % 2048 == 0:
            check_cancel(cancel)
        n_places += 1
        cluster = clusters[r0, c0]
        floor_value = min_share_of_seed * vals[r0, c0]
        places[r0, c0] = n_places
        size = 1
        frontier: list[tuple[float, int, int]] = []
        queued = {(r0, c0)}

        def push(r: int, c: int) -> None:
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    rr, cc = r + dr, c + dc
                    if (0 <= rr < n_rows and 0 <= cc < n_cols and (rr, cc) not in queued
                            and clusters[rr, cc] == cluster and not places[rr, cc]
                            and (rr - r0) ** 2 + (cc - c0) ** 2 <= radius_cells2
                            and vals[rr, cc] >= floor_value):
                        queued.add((rr, cc))
                        heapq.heappush(frontier, (-vals[rr, cc], rr, cc))

        push(r0, c0)
        while frontier and size < max_cells:
            _, r, c = heapq.heappop(frontier)
            if places[r, c]:
                continue
            places[r, c] = n_places
            size += 1
            push(r, c)
    return places, n_places


def _name_places(labels: np.ndarray, grid: Grid, gazetteer: pd.DataFrame, n_places: int,
                 peak_xy: np.ndarray) -> tuple[list[str], list[int]]:
    """Commonest police.uk snap-point names inside each place (streets before generic
    place kinds); a place with no snap point inside takes the nearest one's name."""
    from scipy.spatial import cKDTree
    x = gazetteer["easting_m"].to_numpy(dtype=np.float64)
    y = gazetteer["northing_m"].to_numpy(dtype=np.float64)
    row, col, ok = grid.cell_of(x, y)
    lab = np.zeros(x.shape, dtype=np.int64)
    lab[ok] = labels[row[ok], col[ok]]
    inside = lab > 0
    names = gazetteer["name"].to_numpy(dtype=object)
    frame = pd.DataFrame({"label": lab[inside], "name": names[inside],
                          "incidents": gazetteer["incidents"].to_numpy()[inside]})
    frame["generic"] = frame["name"].map(lambda n: str(n).casefold() in GENERIC_PLACE_NAMES)
    frame = (frame.groupby(["label", "name"], sort=False)
             .agg(incidents=("incidents", "sum"), generic=("generic", "first")).reset_index())
    frame = frame.sort_values(["label", "generic", "incidents", "name"],
                              ascending=[True, True, False, True], kind="stable")
    top = frame.groupby("label", sort=True).head(NAMES_PER_HOTSPOT)
    # Drop a generic kind when a street already names the place
    top = top[~top["generic"] | ~top.groupby("label")["generic"].transform(lambda g: (~g).any())]
    joined = top.groupby("label", sort=True)["name"].agg(" / ".join)
    points = frame.groupby("label")["incidents"].size()
    out_names, out_points = [], []
    tree = None
    for label in range(1, n_places + 1):
        if label in joined.index:
            out_names.append(str(joined[label]))
            out_points.append(int(points[label]))
        else:
            if tree is None:
                tree = cKDTree(np.column_stack([x, y]))
            _, nearest = tree.query(peak_xy[label - 1])
            out_names.append(str(names[nearest]))
            out_points.append(0)
    return out_names, out_points


def _nearest_stations(stations: pd.DataFrame, xy: np.ndarray):
    from scipy.spatial import cKDTree
    tube = stations[stations["modes"].astype(str).str.split(",").map(lambda m: TUBE_MODE in m)]
    if tube.empty:
        raise InputError("the stations table has no Underground stations",
                         column="modes", expected=f"modes containing {TUBE_MODE}")
    tree = cKDTree(tube[["easting_m", "northing_m"]].to_numpy(dtype=np.float64))
    distance, index = tree.query(xy)
    return (tube["name"].to_numpy(dtype=object)[index], tube["nlc"].to_numpy()[index],
            np.round(distance, 0))


def _lsoa_of_places(lsoas, cell_x: np.ndarray, cell_y: np.ndarray, cell_label: np.ndarray,
                    cell_value: np.ndarray, n_places: int):
    """LSOA holding most of each place's forecast harm (by cell centre); cells whose
    centre is in no LSOA (the Thames) count for the nearest one."""
    geoms = lsoas.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    points = shapely.points(cell_x, cell_y)
    hit_point, hit_poly = tree.query(points, predicate="within")
    owner = np.full(points.shape, -1, dtype=np.int64)
    owner[hit_point] = hit_poly
    missing = np.nonzero(owner < 0)[0]
    if missing.size:
        pairs = tree.query_nearest(points[missing], all_matches=False)
        owner[missing[pairs[0]]] = pairs[1]
    frame = pd.DataFrame({"label": cell_label, "lsoa": owner, "value": np.maximum(cell_value, 0) + 1e-12})
    best = frame.groupby(["label", "lsoa"])["value"].sum().reset_index()
    best = best.sort_values(["label", "value"], ascending=[True, False]).drop_duplicates("label")
    idx = best.set_index("label")["lsoa"].reindex(range(1, n_places + 1)).to_numpy()
    return (lsoas["lsoa21_code"].to_numpy(dtype=object)[idx], lsoas["lsoa21_name"].to_numpy(dtype=object)[idx])


def patrol_hotspots(counts: IncidentCounts, grid: Grid, *, pack=None,
                    months: tuple[str, str] | None = None, horizon_months: int = 1,
                    max_area_m2: float = MAX_AREA_M2, params: BlendParams | None = None,
                    band_m: float | None = None, fdr_alpha: float = 0.05,
                    top: int | None = None,
                    progress: ProgressFn = no_progress, cancel: CancelToken | None = None,
                    ) -> PatrolHotspots:
    """Ranked patrol-sized hotspots from ``counts`` (all crime types it holds, harm-weighted).

    ``months``: the Gi* window (default: the latest 12 months). The forecast uses every
    month up to the window's end (the ``blend`` forecaster, parameters fitted by
    rolling-origin validation on those months unless ``params`` is given) and is per
    month: ``horizon_months`` (1, 3 or 6) is the period the list is for and is recorded.
    ``top`` keeps only the best N places (all are labelled in ``labels`` otherwise).
    Needs pack tables ``policeuk_gazetteer``, ``stations`` and ``lsoa21_boundaries``.
    """
    if horizon_months not in (1, 3, 6):
        raise InputError(f"horizon {horizon_months} months is not offered", column="horizon_months",
                         expected="1, 3 or 6")
    if max_area_m2 > HARD_AREA_LIMIT_M2:
        raise InputError(f"micro-place area cap {max_area_m2:,.0f} m² is above the "
                         f"{HARD_AREA_LIMIT_M2:,.0f} m² limit", column="max_area_m2")
    span = counts.month_range()
    if span is None:
        raise InputError("no incidents with coordinates to find hotspots in")
    if months is None:
        months = (max(span[0], month_add(span[1], 1 - GISTAR_WINDOW_MONTHS)), span[1])
    if pack is None:
        from workstation.datapack import load_pack
        pack = load_pack()
    gazetteer = pack.table("policeuk_gazetteer")
    stations = pack.table("stations")
    lsoas = pack.table("lsoa21_boundaries")

    window = counts.filter(months=months)
    if len(window) == 0:
        raise InputError(f"no incidents in {months[0]}..{months[1]}", hint=f"the data cover {span[0]}..{span[1]}")
    progress(0.05, "Gi* significance")
    sig = find_hotspots(window, grid, band_m=band_m, value="harm", fdr_alpha=fdr_alpha,
                        n_months=month_span(*months), cancel=cancel)
    check_cancel(cancel)
    history = counts.filter(months=(span[0], months[1]))
    progress(0.25, "fitting the forecast")
    if params is None:
        params = fit_blend(history, grid, last_month=months[1])
    check_cancel(cancel)
    inside = grid.inside
    f_inc = blended_surface(history, grid, params, last_month=months[1], value="count")
    f_harm = blended_surface(history, grid, params, last_month=months[1], value="harm")
    f_inc[~inside] = np.nan
    f_harm[~inside] = np.nan
    london_harm = float(np.nansum(f_harm))
    progress(0.6, "splitting clusters into micro-places")
    places, n_places = split_clusters(sig.labels, f_harm, cell_m=grid.cell_m, max_area_m2=max_area_m2,
                                      cancel=cancel)
    check_cancel(cancel)
    progress(0.75, "describing hotspots")
    hotspots, labels = _describe(places, n_places, sig, f_inc, f_harm, london_harm, grid,
                                 gazetteer, stations, lsoas, top)
    monthly = _monthly(history, grid, labels)
    progress(1.0, "done")
    return PatrolHotspots(hotspots=hotspots, monthly=monthly, labels=labels,
                          forecast_incidents_per_month=f_inc, forecast_harm_per_month=f_harm,
                          london_forecast_harm_per_month=london_harm, gistar=sig, params=params,
                          grid=grid, gistar_months=tuple(months), history_months=(span[0], months[1]),
                          horizon_months=int(horizon_months), max_area_m2=float(max_area_m2))


def _describe(places, n_places, sig, f_inc, f_harm, london_harm, grid, gazetteer, stations, lsoas, top):
    import geopandas as gpd
    if n_places == 0:
        empty = gpd.GeoDataFrame({c: [] for c in HOTSPOT_COLUMNS}, geometry=[], crs=BNG)
        return empty, np.zeros(places.shape, dtype=np.int32)
    rows, cols = np.nonzero(places)
    lab = places[rows, cols]
    xs, ys = grid.centres()
    cx, cy = xs[cols], ys[rows]
    fh = f_harm[rows, cols]
    fi = f_inc[rows, cols]
    bidx = grid.borough_index[rows, cols]
    cells = pd.DataFrame({"label": lab, "fh": fh, "fi": fi, "inc": sig.incidents[rows, cols],
                          "harm": sig.harm[rows, cols], "z": sig.z_score[rows, cols],
                          "cluster": sig.labels[rows, cols], "wx": cx * np.maximum(fh, 1e-12),
                          "wy": cy * np.maximum(fh, 1e-12), "w": np.maximum(fh, 1e-12)})
    agg = cells.groupby("label", sort=True).agg(
        n_cells=("fh", "size"), forecast_harm_per_month=("fh", "sum"),
        forecast_incidents_per_month=("fi", "sum"), incidents=("inc", "sum"), harm=("harm", "sum"),
        mean_z=("z", "mean"), max_z=("z", "max"), cluster_id=("cluster", "first"),
        wx=("wx", "sum"), wy=("wy", "sum"), w=("w", "sum"))
    agg = agg.reindex(range(1, n_places + 1))
    # rank by forecast harm; keep the top N only if asked (labels of the rest set to 0)
    order = np.lexsort((-agg["forecast_incidents_per_month"].to_numpy(),
                        -agg["forecast_harm_per_month"].to_numpy()))
    keep_n = n_places if top is None else min(int(top), n_places)
    order = order[:keep_n]
    remap = np.zeros(n_places + 1, dtype=np.int32)
    remap[order + 1] = np.arange(1, keep_n + 1)
    labels = remap[places]
    agg = agg.iloc[order].reset_index()
    new_lab = remap[lab]
    kept = new_lab > 0
    rows, cols, new_lab, bidx_k = rows[kept], cols[kept], new_lab[kept], bidx[kept]
    n = keep_n
    centre = np.column_stack([agg["wx"] / agg["w"], agg["wy"] / agg["w"]])
    codes = np.asarray(grid.borough_codes, dtype=object)
    bnames = np.asarray(grid.borough_names, dtype=object)
    by_b = pd.DataFrame({"label": new_lab, "b": bidx_k}).value_counts().reset_index(name="k")
    by_b = by_b.sort_values(["label", "k", "b"], ascending=[True, False, True])
    main_b = by_b.drop_duplicates("label").set_index("label")["b"].reindex(range(1, n + 1)).to_numpy()
    touched = by_b.groupby("label")["b"].agg(lambda s: ";".join(codes[np.sort(s.to_numpy())]))
    cluster_cells = np.bincount(sig.labels[sig.labels > 0])
    peak_xy = centre
    names, _ = _name_places(labels, grid, gazetteer, n, peak_xy)
    st_name, st_nlc, st_dist = _nearest_stations(stations, centre)
    lsoa_code, lsoa_name = _lsoa_of_places(lsoas, xs[cols], ys[rows], new_lab,
                                          np.nan_to_num(f_harm[rows, cols]), n)
    order_cells = np.argsort(new_lab, kind="stable")
    boxes = grid.cell_polygons(rows[order_cells], cols[order_cells])
    starts = np.searchsorted(new_lab[order_cells], np.arange(1, n + 1))
    ends = np.append(starts[1:], new_lab.size)
    geoms = [shapely.coverage_union_all(boxes[a:b]) if b - a > 1 else boxes[a] for a, b in zip(starts, ends)]
    frame = pd.DataFrame({
        "rank": np.arange(1, n + 1), "hotspot_id": np.arange(1, n + 1), "name": names,
        "gss_code": codes[main_b], "borough": bnames[main_b],
        "boroughs": touched.reindex(range(1, n + 1)).to_numpy(),
        "lsoa21_code": lsoa_code, "lsoa21_name": lsoa_name,
        "nearest_station": st_name, "nearest_station_nlc": st_nlc,
        "nearest_station_distance_m": st_dist,
        "n_cells": agg["n_cells"].to_numpy(dtype=np.int64),
        "area_m2": agg["n_cells"].to_numpy(dtype=np.float64) * grid.cell_area_m2,
        "forecast_incidents_per_month": agg["forecast_incidents_per_month"].to_numpy(),
        "forecast_harm_per_month": agg["forecast_harm_per_month"].to_numpy(),
        "share_of_london_harm": agg["forecast_harm_per_month"].to_numpy() / london_harm if london_harm > 0
        else np.zeros(n),
        "incidents": agg["incidents"].to_numpy(), "harm": agg["harm"].to_numpy(),
        "incidents_per_month": agg["incidents"].to_numpy() / max(sig.n_months, 1),
        "mean_z": agg["mean_z"].to_numpy(), "max_z": agg["max_z"].to_numpy(),
        "cluster_id": agg["cluster_id"].to_numpy(dtype=np.int64),
        "cluster_area_m2": cluster_cells[agg["cluster_id"].to_numpy(dtype=np.int64)] * grid.cell_area_m2,
        "centre_x_m": np.round(centre[:, 0], 1), "centre_y_m": np.round(centre[:, 1], 1),
    })
    return gpd.GeoDataFrame(frame[list(HOTSPOT_COLUMNS)], geometry=geoms, crs=BNG), labels


def _monthly(history: IncidentCounts, grid: Grid, labels: np.ndarray) -> pd.DataFrame:
    """Observed incidents and harm per hotspot and month (every month of the history)."""
    row, col, ok = grid.cell_of(history.x_m, history.y_m)
    lab = np.zeros(len(history), dtype=np.int64)
    lab[ok] = labels[row[ok], col[ok]]
    keep = lab > 0
    months = history.months()
    n_ids = int(labels.max())
    if not months or n_ids == 0:
        return pd.DataFrame({"hotspot_id": [], "month": [], "incidents": [], "harm": []})
    first = month_number(months[0])
    n_months = month_span(months[0], months[-1])
    slot = (lab[keep] - 1) * n_months + (history.month_numbers()[keep] - first)
    size = n_ids * n_months
    incidents = np.bincount(slot, weights=history.count[keep], minlength=size)
    harm = np.bincount(slot, weights=history.harm[keep], minlength=size)
    all_months = [month_add(months[0], k) for k in range(n_months)]
    return pd.DataFrame({"hotspot_id": np.repeat(np.arange(1, n_ids + 1), n_months),
                         "month": np.tile(np.asarray(all_months, dtype=object), n_ids),
                         "incidents": incidents, "harm": harm})
