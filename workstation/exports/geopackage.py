"""GeoPackage export: the plan and the analysis layers for GIS users and partners.

Layers (all EPSG:27700):

- ``boroughs`` (or ``bcus`` when the plan is by BCU): LONG format, one feature per unit x
  day type x hour with that hour's metrics. Long rather than wide because GIS tools filter
  and animate by a field (``day_type = 'weekday' AND hour = 8``) far more easily than they
  pick one of ~650 columns; geometry is the simplified drawing boundary to keep the file
  small (boroughs_simplified; BCUs simplified at 25 m like it).
- ``hotspots``: hotspot polygons ranked by harm, counts suppressed in partner-safe mode.
- ``grid_cells``: the Gi* grid (z-score, p-value, hot/cold, incidents, harm), suppressed.
- ``flow_lines``: flow lines with their flow value.
- ``incident_points``: only with ``partner_safe=False`` and incidents given.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workstation.deploy.plan import ShiftPlan
from workstation.domain import (BNG, CancelToken, DayType, ProgressFn, check_cancel,
                                no_progress)
from workstation.exports._common import check_target, output_path
from workstation.exports.layers import ReportLayers, gather_layers
from workstation.exports.partner_safe import DisclosurePolicy, incidents_for_export

UNIT_FIELDS = {
    "population_present": "population_present", "demand_per_hour": "demand_per_hour",
    "harm_per_hour": "harm_per_hour", "required": "required_officers",
    "static": "static_officers", "allocated": "allocated_officers",
    "share_within_standard": "share_within_standard",
    "static_share_within_standard": "static_share_within_standard",
}


def _unit_geometry(pack, units: str):
    import geopandas as gpd

    if units == "bcu":
        bcus = pack.table("bcus")
        frame = gpd.GeoDataFrame({"unit_code": bcus["bcu_code"], "unit_name": bcus["bcu_name"]},
                                 geometry=bcus.geometry.simplify(25.0), crs=BNG)
    else:
        b = pack.table("boroughs_simplified")
        frame = gpd.GeoDataFrame({"unit_code": b["gss_code"], "unit_name": b["name"],
                                  "bcu_code": b["bcu_code"]}, geometry=b.geometry, crs=BNG)
    return frame


def unit_hours_layer(plan: ShiftPlan, pack):
    """One feature per unit x day type x hour: the plan's hourly table on unit polygons."""
    import geopandas as gpd

    hourly = plan.hourly.copy()
    hourly["day_type"] = hourly["day_type"].map(lambda d: str(getattr(d, "value", d)))
    hourly = hourly.rename(columns=UNIT_FIELDS)
    keep = ["unit_code", "day_type", "hour", *UNIT_FIELDS.values()]
    hourly = hourly.loc[:, keep]
    hourly["allocation_gap_officers"] = (hourly["allocated_officers"]
                                         - hourly["required_officers"])
    shapes = _unit_geometry(pack, plan.scenario.units)
    merged = shapes.merge(hourly, on="unit_code", how="inner")
    merged = merged.sort_values(["unit_code", "day_type", "hour"]).reset_index(drop=True)
    columns = [c for c in merged.columns if c != "geometry"] + ["geometry"]
    return gpd.GeoDataFrame(merged[columns], geometry="geometry", crs=BNG)


def _clean_layer(frame):
    """GPKG-friendly: plain column names, no object columns holding non-strings."""
    import geopandas as gpd

    out = frame.reset_index(drop=True).copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        if out[column].dtype == object:
            out[column] = out[column].map(lambda v: None if v is None else str(v))
    if out.crs is None:
        out = out.set_crs(BNG)
    kinds = set(out.geom_type.dropna())
    if kinds == {"Polygon", "MultiPolygon"}:
        # a GPKG layer has one geometry type: promote so what we write is what reads back
        from shapely.geometry import MultiPolygon
        out[out.geometry.name] = [MultiPolygon([g]) if g is not None and g.geom_type == "Polygon"
                                  else g for g in out.geometry]
    return gpd.GeoDataFrame(out, geometry=out.geometry.name, crs=out.crs).to_crs(BNG)


def geopackage_layers(*, pack, plan: ShiftPlan | None = None, layers: ReportLayers | None = None,
                      incidents: pd.DataFrame | None = None, partner_safe: bool = True,
                      threshold: int = 10, flow_hour: int = 8, hotspots=None,
                      safety=None) -> dict:
    """The layers ``write_geopackage`` writes, as GeoDataFrames (name -> frame)."""
    policy = DisclosurePolicy(partner_safe=partner_safe, threshold=threshold)
    day = (plan.scenario.day_types[0] if plan is not None and plan.scenario.day_types
           else DayType.WEEKDAY)
    if layers is None:
        layers = gather_layers(pack, day_type=day, flow_hour=flow_hour, policy=policy,
                               hotspots=hotspots)
    out: dict = {}
    if plan is not None:
        name = "bcus" if plan.scenario.units == "bcu" else "boroughs"
        out[name] = unit_hours_layer(plan, pack)
    if layers.hotspots is not None:
        out["hotspots"] = layers.hotspots
    if layers.grid_cells is not None:
        out["grid_cells"] = layers.grid_cells
    if layers.flow_lines is not None:
        out["flow_lines"] = layers.flow_lines
    if incidents is not None:
        exported = incidents_for_export(incidents, policy=policy)
        out["incident_points" if not policy.partner_safe else "incident_cells"] = exported
    if safety is not None:   # issue 20: a SafetyIndex adds safety_index_<level> (latest month)
        from workstation.exports.safety_index import safety_layers
        out.update(safety_layers(safety, pack))
    return {name: _clean_layer(frame) for name, frame in out.items()}


def write_geopackage(path: str | Path, *, pack, plan: ShiftPlan | None = None,
                     layers: ReportLayers | None = None, incidents: pd.DataFrame | None = None,
                     partner_safe: bool = True, threshold: int = 10, flow_hour: int = 8,
                     hotspots=None, progress: ProgressFn = no_progress,
                     cancel: CancelToken | None = None, safety=None) -> dict[str, int]:
    """Write the GeoPackage atomically; returns feature counts per layer.

    ``hotspots``: a ``workstation.maps`` HotspotResult to export instead of the default
    (Gi* on the pack's burglary, last 12 months); ignored when ``layers`` is given.
    """
    check_target(path)
    progress(0.05, "preparing layers")
    frames = geopackage_layers(pack=pack, plan=plan, layers=layers, incidents=incidents,
                               partner_safe=partner_safe, threshold=threshold,
                               flow_hour=flow_hour, hotspots=hotspots, safety=safety)
    path = Path(path)
    with output_path(path, suffix=".gpkg") as tmp:
        for index, (name, frame) in enumerate(frames.items()):
            check_cancel(cancel)
            progress(0.3 + 0.7 * index / max(len(frames), 1), f"writing layer {name}")
            frame.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
    progress(1.0, "GeoPackage written")
    return {name: int(len(frame)) for name, frame in frames.items()}
