"""Planning units (boroughs or the Met's BCUs) and the travel graph lending may use.

The City of London is policed by the City of London Police, not the Met, so it is not a
planning unit: the Met's plan covers the 32 boroughs (or 12 BCUs). Units are joined where
their boundaries touch; an edge's travel time is the centroid distance at a blue-light
speed. Lending is allowed between two units when the quickest path between them is within
the scenario's maximum travel time.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

CITY_OF_LONDON = "E09000001"
# Boundaries that meet only across the Thames still touch in the data; a 5 m tolerance
# joins units whose simplified edges do not quite meet.
TOUCH_TOLERANCE_M = 5.0


@dataclass(frozen=True)
class PlanningUnits:
    kind: str                                # "borough" or "bcu"
    codes: tuple[str, ...]
    names: tuple[str, ...]
    members: dict[str, tuple[str, ...]]      # unit code -> borough GSS codes
    graph: nx.Graph                          # edges carry travel_minutes and distance_m
    travel_minutes: np.ndarray               # (n, n) quickest path, inf where unreachable
    area_km2: np.ndarray | None = None       # (n,) land inside the boundary, EPSG:27700

    def index(self, code: str) -> int:
        return self.codes.index(code)

    def name_of(self, code: str) -> str:
        return self.names[self.codes.index(code)]


def planning_units(pack, *, kind: str = "borough", speed_kmh: float = 30.0) -> PlanningUnits:
    """Units with their adjacency graph and all-pairs travel minutes."""
    boroughs = pack.table("boroughs")
    boroughs = boroughs[boroughs["gss_code"] != CITY_OF_LONDON]
    if kind == "borough":
        frame = boroughs[["gss_code", "name", "geometry"]].rename(
            columns={"gss_code": "code"}).sort_values("code").reset_index(drop=True)
        members = {c: (c,) for c in frame["code"]}
    elif kind == "bcu":
        frame = boroughs.dissolve(by="bcu_code", aggfunc={"bcu_name": "first"}).reset_index()
        frame = frame.rename(columns={"bcu_code": "code", "bcu_name": "name"})[
            ["code", "name", "geometry"]].sort_values("code").reset_index(drop=True)
        members = {code: tuple(sorted(group["gss_code"]))
                   for code, group in boroughs.groupby("bcu_code")}
    else:
        raise ValueError(f"unknown planning unit kind {kind!r}")
    codes = tuple(frame["code"].astype(str))
    names = tuple(frame["name"].astype(str))
    centroids = frame.geometry.centroid
    graph = nx.Graph()
    for code, name in zip(codes, names):
        graph.add_node(code, name=name)
    geoms = frame.geometry.buffer(TOUCH_TOLERANCE_M).to_numpy()
    metres_per_minute = speed_kmh * 1000.0 / 60.0
    for i in range(len(codes)):
        for j in range(i + 1, len(codes)):
            if geoms[i].intersects(geoms[j]):
                distance = float(centroids.iloc[i].distance(centroids.iloc[j]))
                graph.add_edge(codes[i], codes[j], distance_m=distance,
                               travel_minutes=distance / metres_per_minute)
    n = len(codes)
    travel = np.full((n, n), np.inf)
    for source, lengths in nx.all_pairs_dijkstra_path_length(graph, weight="travel_minutes"):
        for target, minutes in lengths.items():
            travel[codes.index(source), codes.index(target)] = minutes
    area_km2 = (frame.geometry.area / 1e6).to_numpy(dtype=float)   # pack is EPSG:27700
    return PlanningUnits(kind, codes, names, members, graph, travel, area_km2)
