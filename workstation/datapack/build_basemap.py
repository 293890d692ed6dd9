"""Build the offline basemap tables: the Thames as water, OpenStreetMap parks, the DfT Major
Road Network and the Tube's links, all in EPSG:27700, clipped to London and simplified.

Sources (``../shared/data``, see ``basemap/SOURCES.txt`` and ``tfl/SOURCES.txt``):
- ``basemap/river_thames_simp.json.gz``: River Thames and tidal tributaries, OS Open Data
  water polygons (already simplified), WGS84. OGL v3.0.
- ``basemap/greater_london-osm_parks_2021.geojson.gz``: OpenStreetMap leisure=park polygons,
  Jan 2021, WGS84. ODbL 1.0: the shipped table is a derived database and stays ODbL, and every
  map that draws it says "© OpenStreetMap contributors".
- ``basemap/london-2018-MRN.shp``: DfT Major Road Network 2018, EPSG:27700, geometry only (the
  source has no .dbf, so no road names). OGL v3.0, contains OS data.
- ``tfl/tube_links/underground.shp``: the 410 Underground links between adjacent stations with
  both station names, WGS84 (no line names in the source).

Drawing tables only: simplified with a 5 m tolerance (a fifth of a pixel at 1:10,000 on a
96 dpi screen), so they are light enough to keep loaded; never use them for measurement.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from workstation.datapack.io import write_table
from workstation.domain import BNG

WATER_FILE = "basemap/river_thames_simp.json.gz"
PARKS_FILE = "basemap/greater_london-osm_parks_2021.geojson.gz"
ROADS_FILE = "basemap/london-2018-MRN.shp"
TUBE_LINKS_FILE = "tfl/tube_links/underground.shp"

SIMPLIFY_TOLERANCE_M = 5.0
# Keep what lies within this distance of London (the Thames runs out to the estuary).
CLIP_MARGIN_M = 2000.0
# Parks smaller than this (a pocket garden, ~30 m x 30 m) are sub-pixel at 1:25,000 and would
# only add weight; the named squares of the West End (e.g. Soho Square, 0.9 ha) stay.
MIN_PARK_AREA_M2 = 1000.0

OSM_ATTRIBUTION = "© OpenStreetMap contributors"
OS_ATTRIBUTION = "Contains OS data © Crown copyright and database right"
LICENCES = {
    "basemap_water": f"OGL v3.0; {OS_ATTRIBUTION} (OS Open Data water polygons)",
    "basemap_parks": f"ODbL 1.0; {OSM_ATTRIBUTION}",
    "basemap_roads": f"OGL v3.0; Department for Transport Major Road Network 2018; {OS_ATTRIBUTION}",
    "basemap_tube_links": "Powered by TfL Open Data (station-to-station links)",
}


def _read(path: Path) -> gpd.GeoDataFrame:
    name = str(path)
    if not path.exists():
        raise FileNotFoundError(f"basemap source {path} not found")
    frame = gpd.read_file(f"/vsigzip/{name}" if name.endswith(".gz") else name)
    if frame.crs is None:
        raise ValueError(f"{path}: no coordinate reference system")
    return frame.to_crs(BNG)


def _clip_area(out: Path) -> shapely.Geometry:
    boroughs = gpd.read_parquet(out / "boroughs_simplified.parquet")
    return shapely.buffer(shapely.union_all(boroughs.geometry.values), CLIP_MARGIN_M)


def _simplified(geoms: np.ndarray, area: shapely.Geometry) -> np.ndarray:
    clipped = shapely.intersection(geoms, area)
    simple = shapely.simplify(clipped, SIMPLIFY_TOLERANCE_M, preserve_topology=True)
    return shapely.set_precision(simple, 1.0)   # whole metres: smaller files, same drawing


def water(source: Path, area: shapely.Geometry) -> gpd.GeoDataFrame:
    raw = _read(source / WATER_FILE)
    raw = raw[shapely.intersects(raw.geometry.values, area)]
    merged = shapely.union_all(shapely.make_valid(raw.geometry.values))
    geoms = _simplified(np.array(list(shapely.get_parts(merged)), dtype=object), area)
    frame = gpd.GeoDataFrame({"name": "River Thames and tidal tributaries",
                              "geometry": geoms}, crs=BNG)
    frame = frame[~frame.geometry.is_empty & frame.geometry.area.gt(0)]
    frame["area_m2"] = frame.geometry.area.astype(float)
    return frame.sort_values("area_m2", ascending=False).reset_index(drop=True)


def parks(source: Path, area: shapely.Geometry) -> gpd.GeoDataFrame:
    raw = _read(source / PARKS_FILE)
    raw = raw[shapely.intersects(raw.geometry.values, area)]
    geoms = _simplified(shapely.make_valid(raw.geometry.values), area)
    frame = gpd.GeoDataFrame({"osm_id": raw["id"].astype(str).to_numpy(),
                              "name": raw["name"].fillna("").astype(str).to_numpy(),
                              "geometry": geoms}, crs=BNG)
    frame = frame[shapely.get_type_id(frame.geometry.values) >= 3]   # polygons only
    frame["area_m2"] = frame.geometry.area.astype(float)
    frame = frame[frame["area_m2"] >= MIN_PARK_AREA_M2]
    return frame.sort_values(["area_m2", "osm_id"], ascending=[False, True]).reset_index(drop=True)


def roads(source: Path, area: shapely.Geometry) -> gpd.GeoDataFrame:
    raw = _read(source / ROADS_FILE)
    geoms = _simplified(raw.geometry.values, area)
    frame = gpd.GeoDataFrame({"geometry": geoms}, crs=BNG)
    frame = frame[~frame.geometry.is_empty]
    frame["length_m"] = frame.geometry.length.astype(float)
    return frame[frame["length_m"] > 0].reset_index(drop=True)


def tube_links(source: Path) -> gpd.GeoDataFrame:
    raw = _read(source / TUBE_LINKS_FILE)
    for column in ("station_1_", "station_2_"):
        if column not in raw.columns:
            raise ValueError(f"{source / TUBE_LINKS_FILE}: expected column {column!r} "
                             f"(station name), found {list(raw.columns)}")
    geoms = shapely.set_precision(raw.geometry.values, 1.0)
    frame = gpd.GeoDataFrame({"station_a": raw["station_1_"].astype(str).to_numpy(),
                              "station_b": raw["station_2_"].astype(str).to_numpy(),
                              "geometry": geoms}, crs=BNG)
    frame["length_m"] = frame.geometry.length.astype(float)
    return frame.reset_index(drop=True)


def build(source: Path, out: Path) -> dict:
    area = _clip_area(out)
    entries = {}
    for name, frame, src in [("basemap_water", water(source, area), WATER_FILE),
                             ("basemap_parks", parks(source, area), PARKS_FILE),
                             ("basemap_roads", roads(source, area), ROADS_FILE),
                             ("basemap_tube_links", tube_links(source), TUBE_LINKS_FILE)]:
        entry = write_table(frame, out, name)
        entry["sources"] = [src]
        entry["licence"] = LICENCES[name]
        entry["coverage"] = {"crs": BNG, "simplify_tolerance_m": SIMPLIFY_TOLERANCE_M,
                             "clip": f"London boroughs + {CLIP_MARGIN_M:.0f} m"}
        entries[name] = entry
    return entries


def summary(out: Path) -> pd.DataFrame:
    """Rows and bytes per basemap table (for data/README.md)."""
    rows = []
    for name in LICENCES:
        path = out / f"{name}.parquet"
        rows.append({"table": name, "rows": len(gpd.read_parquet(path)),
                     "bytes": path.stat().st_size})
    return pd.DataFrame(rows)
