"""GeoPackage export: the plan and the analysis layers for GIS users and partners.

Written as GeoPackage 1.2 (GDAL ``VERSION=1.2``): nothing here needs 1.3/1.4, and GDAL 3.6
(Debian 12, common on partners' machines) warns that a 1.4 file "may only be partially
supported". Every table has a ``gpkg_contents.description`` (what, when, units, source)
and every map layer a QGIS default style in ``layer_styles`` (``exports/qgis_styles``).

Tables (all geometry EPSG:27700):

- ``boroughs`` (or ``bcus`` when the plan is by BCU): ONE feature per unit (simplified
  drawing boundary; BCUs simplified at 25 m like it) with residents (ONS mid-2019).
- ``borough_hours`` (or ``bcu_hours``): a GeoPackage *attributes* table (no geometry), one
  row per unit x day type x hour with that hour's plan figures. Join key ``unit_code`` (to
  ``boroughs.unit_code``). Kept apart because repeating each polygon 2,304 times was a
  third of the file; QGIS joins it in Layer Properties > Joins, or filter it by
  ``day_type = 'weekday' AND hour = 8`` first.
- ``hotspots``: hotspot polygons ranked by harm, counts suppressed in partner-safe mode.
- ``grid_cells``: the Gi* grid (z-score, p-value, hot/cold, incidents, harm, KDE). In a
  partner-safe file, cells with nothing left to show (count suppressed, not in a
  significant cluster) are left out, and the description says how many.
- ``flow_lines``: flow lines of one day type and hour, which ``day_type``/``hour`` say.
- ``incident_points`` (only with ``partner_safe=False``) or ``incident_cells``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workstation.deploy.plan import ShiftPlan
from workstation.domain import (BNG, CancelToken, DayType, ProgressFn, check_cancel,
                                no_progress)
from workstation.exports import qgis_styles as qs
from workstation.exports._common import check_target, output_path
from workstation.exports.layers import ReportLayers, gather_layers
from workstation.exports.partner_safe import (SUPPRESSED_SUFFIX, DisclosurePolicy,
                                              incidents_for_export)

GPKG_VERSION = "1.2"
JOIN_KEY = "unit_code"
UNIT_FIELDS = {
    "population_present": "population_present", "demand_per_hour": "demand_per_hour",
    "harm_per_hour": "harm_per_hour", "required": "required_officers",
    "static": "static_officers", "allocated": "allocated_officers",
    "share_within_standard": "share_within_standard",
    "static_share_within_standard": "static_share_within_standard",
}
PACK_SOURCE = ("London Deployment Workstation data pack (ONS boundaries and population, "
               "police.uk, TfL, 2011 Census; Open Government Licence v3.0)")


def _unit_geometry(pack, units: str):
    """One feature per unit with its residents (ONS mid-2019), EPSG:27700."""
    import geopandas as gpd

    residents = pack.table("population").set_index("gss_code")["residents_mid2019"]
    b = pack.table("boroughs_simplified")
    if units == "bcu":
        bcus = pack.table("bcus")
        by_bcu = (pd.DataFrame({"bcu_code": b["bcu_code"],
                                "residents": b["gss_code"].map(residents).to_numpy()})
                  .groupby("bcu_code")["residents"].sum(min_count=1))
        frame = gpd.GeoDataFrame({"unit_code": bcus["bcu_code"], "unit_name": bcus["bcu_name"],
                                  "residents": bcus["bcu_code"].map(by_bcu).to_numpy()},
                                 geometry=bcus.geometry.simplify(25.0), crs=BNG)
    else:
        frame = gpd.GeoDataFrame({"unit_code": b["gss_code"], "unit_name": b["name"],
                                  "bcu_code": b["bcu_code"],
                                  "residents": b["gss_code"].map(residents).to_numpy()},
                                 geometry=b.geometry, crs=BNG)
    return frame


def unit_hours_table(plan: ShiftPlan) -> pd.DataFrame:
    """One row per unit x day type x hour (no geometry): the plan's hourly figures.

    Join key ``unit_code`` (to the ``boroughs``/``bcus`` layer)."""
    hourly = plan.hourly.copy()
    hourly["day_type"] = hourly["day_type"].map(lambda d: str(getattr(d, "value", d)))
    hourly = hourly.rename(columns=UNIT_FIELDS)
    keep = ["unit_code", "day_type", "hour", *UNIT_FIELDS.values()]
    hourly = hourly.loc[:, keep]
    hourly.insert(2, "day_type_label", hourly["day_type"].map(lambda d: DayType(d).label))
    hourly["allocation_gap_officers"] = (hourly["allocated_officers"]
                                         - hourly["required_officers"])
    return hourly.sort_values(["unit_code", "day_type", "hour"]).reset_index(drop=True)


def unit_layer(plan: ShiftPlan, pack):
    """The planned units' polygons, one feature each."""
    shapes = _unit_geometry(pack, plan.scenario.units)
    planned = set(plan.hourly["unit_code"])
    return shapes[shapes["unit_code"].isin(planned)].sort_values("unit_code").reset_index(
        drop=True)


def _clean_layer(frame):
    """GPKG-friendly: plain column names, no object columns holding non-strings."""
    import geopandas as gpd

    out = frame.reset_index(drop=True).copy()
    geometry = getattr(out, "_geometry_column_name", None)
    for column in out.columns:
        if column == geometry:
            continue
        if out[column].dtype == object:
            out[column] = out[column].map(lambda v: None if v is None else str(v))
    if geometry is None or not isinstance(out, gpd.GeoDataFrame):
        return pd.DataFrame(out)
    if out.crs is None:
        out = out.set_crs(BNG)
    kinds = set(out.geom_type.dropna())
    if kinds == {"Polygon", "MultiPolygon"}:
        # a GPKG layer has one geometry type: promote so what we write is what reads back
        from shapely.geometry import MultiPolygon
        out[out.geometry.name] = [MultiPolygon([g]) if g is not None and g.geom_type == "Polygon"
                                  else g for g in out.geometry]
    return gpd.GeoDataFrame(out, geometry=out.geometry.name, crs=out.crs).to_crs(BNG)


def _drop_fully_suppressed(frame, *, keep_if: tuple[str, ...] = ()):
    """Rows whose every count is suppressed and that carry no other finding are left out
    (partner-safe files only): a feature that says nothing only makes the file big.
    ``keep_if``: boolean/id columns that make a row worth keeping anyway (a Gi* cluster)."""
    flags = [c for c in frame.columns if str(c).endswith(SUPPRESSED_SUFFIX)]
    if not flags:
        return frame, 0
    empty = frame[flags].astype(bool).all(axis=1)
    for column in keep_if:
        if column in frame.columns:
            empty &= ~(pd.to_numeric(frame[column], errors="coerce").fillna(0) != 0)
    return frame[~empty].reset_index(drop=True), int(empty.sum())


@dataclass(frozen=True)
class GpkgTable:
    """One table to write: its frame, its ``gpkg_contents`` description and its style."""

    name: str
    frame: object
    description: str
    style: qs.LayerStyle | None = None


def _policy_text(policy: DisclosurePolicy) -> str:
    if not policy.partner_safe:
        return "NOT PARTNER-SAFE: incident-level data included; do not share outside the force."
    return (f"Partner-safe: counts below {policy.threshold} are blank (flag "
            f"<col>{SUPPRESSED_SUFFIX}).")


def _plan_tables(plan: ShiftPlan, pack) -> list[GpkgTable]:
    """The planned units' polygons and, in an attributes table apart, their hourly figures:
    repeating each polygon for every day type and hour was a third of the file."""
    unit = "bcu" if plan.scenario.units == "bcu" else "borough"
    name, hours = f"{unit}s", f"{unit}_hours"
    shapes = _clean_layer(unit_layer(plan, pack))
    days = ", ".join(f"{DayType(d).label} ({DayType(d).value})"
                     for d in plan.scenario.day_types)
    units_table = GpkgTable(name, shapes, (
        f"Planned {unit}s of shift plan '{plan.scenario.name}', one feature each "
        f"(simplified boundary, EPSG:27700) with residents (people, ONS mid-2019). "
        f"Hourly plan figures are in the attributes table {hours}, joined on "
        f"{JOIN_KEY}. Source: {PACK_SOURCE}."),
        qs.graduated_fill(name, "residents", shapes["residents"], qs.BLUES_9,
                          title="Residents (ONS mid-2019)", label_field="unit_name"))
    hours_table = GpkgTable(hours, _clean_layer(unit_hours_table(plan)), (
        f"Shift plan '{plan.scenario.name}' by {unit} x day type x clock hour "
        f"(day types {days}; weekday = Mon–Thu; hour 0-23 local time). Join key "
        f"{JOIN_KEY} = {name}.{JOIN_KEY}. Units: population_present people; "
        "demand_per_hour incidents per hour; harm_per_hour ONS Crime Severity Score per "
        "hour; *_officers officers on duty; share_within_standard 0-1 of harm-weighted "
        "demand reached within the response standard; allocation_gap_officers = "
        "allocated - required. Source: the workstation's deployment engine on the data "
        "pack."))
    return [units_table, hours_table]


def _hotspot_table(layers: ReportLayers, safe: str) -> GpkgTable:
    """The hotspot polygons; the description lists only the fields this layer has."""
    frame = _clean_layer(layers.hotspots)
    fields = [text for column, text in (
        ("name", "name: police.uk street names inside"),
        ("nearest_station", "nearest_station: nearest Tube station"),
        ("lsoa21_code", "lsoa21_code/lsoa21_name: the LSOA 2021 holding most of its harm"),
        ("area_m2", "area_m2 square metres"),
        ("incidents", "incidents: count over the Gi* window"),
        ("harm", "harm: ONS Crime Severity Score"),
        ("forecast_harm_per_month", "forecast_*_per_month: the forecast for the next "
                                    "month"),
        ("cluster_id", "cluster_id = grid_cells.hotspot_id of its Gi* cluster"))
        if column in frame.columns]
    return GpkgTable("hotspots", frame, (
        f"{layers.hotspot_title or 'Hotspots'}. Fields: {'; '.join(fields)}. {safe} "
        "Source: police.uk street-level crime via the data pack."),
        qs.rule_fill("hotspots", [("Hotspot (ranked by harm)", "TRUE",
                                   qs.HOTSPOT_COLOUR, 70)],
                     title="Hotspots", outline=qs.HOTSPOT_OUTLINE))


def _grid_cell_table(layers: ReportLayers, policy: DisclosurePolicy, safe: str) -> GpkgTable:
    """The Gi* grid; a partner-safe file leaves out cells with nothing left to show."""
    frame = _clean_layer(layers.grid_cells)
    dropped_text = ""
    if policy.partner_safe:
        frame, dropped = _drop_fully_suppressed(frame, keep_if=("hot", "cold",
                                                                "hotspot_id"))
        dropped_text = (f" {dropped:,} cells whose count is suppressed and that lie in no "
                        "significant hot or cold cluster are left out of this "
                        "partner-safe file (their rounded KDE value is all they held).")
    return GpkgTable("grid_cells", frame, (
        f"Grid cells of the hotspot analysis: {layers.hotspot_title or 'hotspots'}. "
        "incidents and harm are counts per cell over the period; z_score/p_value Getis-Ord "
        "Gi*; kde_* Gaussian KDE (200 m) per km² per month. "
        f"{safe}{dropped_text} Source: police.uk via the data pack."),
        qs.z_score_rules("grid_cells"))


def _flow_line_table(layers: ReportLayers) -> GpkgTable:
    """The flow lines of one day type and hour, which the fields day_type/hour repeat so a
    GIS user sees it without reading the description."""
    lines = layers.flow_lines.copy()
    day_value = layers.flow_day_type
    lines["day_type"] = day_value if day_value is not None else "whole day"
    lines["hour"] = pd.array([layers.flow_hour] * len(lines), dtype="Int64")
    frame = _clean_layer(lines)
    value = layers.flow_value_column if layers.flow_value_column in frame.columns \
        else "flow"
    when = (f"{DayType(day_value).label} ({day_value}) {layers.flow_hour:02d}:00-"
            f"{(layers.flow_hour + 1) % 24:02d}:00" if day_value is not None
            else "whole day (hour is empty)")
    return GpkgTable("flow_lines", frame, (
        f"{layers.flow_title}. One day type and hour: {when}, also in the fields "
        f"day_type and hour. {value}: people (commuters) per line. Source: 2011 Census "
        "WU01EW via the data pack, TfL timing."),
        qs.graduated_lines("flow_lines", value, frame[value] if value in frame.columns
                           else [], qs.FLOW_NEUTRAL_RGBA, title="Flow lines"))


def _incident_table(incidents: pd.DataFrame, policy: DisclosurePolicy,
                    safe: str) -> GpkgTable:
    """The imported incidents: counted per cell when partner-safe, else one point each."""
    exported = _clean_layer(incidents_for_export(incidents, policy=policy))
    if not policy.partner_safe:
        return GpkgTable("incident_points", exported, (
            "Imported incidents, one point each (EPSG:27700). " + safe
            + " Source: the analyst's imported incident file."))
    exported, dropped = _drop_fully_suppressed(exported)
    return GpkgTable("incident_cells", exported, (
        "Imported incidents counted per 250 m grid cell (EPSG:27700). "
        f"{safe} {dropped:,} cells with a suppressed count are left out of this "
        "partner-safe file. Source: the analyst's imported incident file."),
        qs.graduated_fill("incident_cells", "incidents", exported["incidents"],
                          qs.YLORRD_9, title="Incidents per cell"))


def _safety_tables(safety, pack) -> list[GpkgTable]:
    """Issue 20: a SafetyIndex adds safety_index_<level> (latest month)."""
    from workstation.exports.safety_index import safety_layers
    return [GpkgTable(name, _clean_layer(frame), (
        "Community Safety Index (0-10, target 6, London reference 7) per area for the "
        "latest 12-month window, with each domain's score, weight and contribution "
        "(EPSG:27700). Method and weights: docs/method-safety-index.md. Sources: Met "
        "recorded crime by ward/LSOA, IMD 2019, MOPAC PAS, STATS19, the workstation's "
        "population-present model."))
        for name, frame in safety_layers(safety, pack).items()]


def geopackage_tables(*, pack, plan: ShiftPlan | None = None,
                      layers: ReportLayers | None = None,
                      incidents: pd.DataFrame | None = None, partner_safe: bool = True,
                      threshold: int = 10, flow_hour: int = 8,
                      hotspots=None, safety=None) -> list[GpkgTable]:
    """Every table ``write_geopackage`` writes, with description and style, in order."""
    policy = DisclosurePolicy(partner_safe=partner_safe, threshold=threshold)
    day = (plan.scenario.day_types[0] if plan is not None and plan.scenario.day_types
           else DayType.WEEKDAY)
    if layers is None:
        layers = gather_layers(pack, day_type=day, flow_hour=flow_hour, policy=policy,
                               hotspots=hotspots)
    safe = _policy_text(policy)
    out: list[GpkgTable] = []
    if plan is not None:
        out.extend(_plan_tables(plan, pack))
    if layers.hotspots is not None:
        out.append(_hotspot_table(layers, safe))
    if layers.grid_cells is not None:
        out.append(_grid_cell_table(layers, policy, safe))
    if layers.flow_lines is not None:
        out.append(_flow_line_table(layers))
    if incidents is not None:
        out.append(_incident_table(incidents, policy, safe))
    if safety is not None:
        out.extend(_safety_tables(safety, pack))
    return out


def geopackage_layers(*, pack, plan: ShiftPlan | None = None, layers: ReportLayers | None = None,
                      incidents: pd.DataFrame | None = None, partner_safe: bool = True,
                      threshold: int = 10, flow_hour: int = 8, hotspots=None,
                      safety=None) -> dict:
    """The tables ``write_geopackage`` writes, as frames (name -> frame)."""
    return {t.name: t.frame for t in geopackage_tables(
        pack=pack, plan=plan, layers=layers, incidents=incidents, partner_safe=partner_safe,
        threshold=threshold, flow_hour=flow_hour, hotspots=hotspots, safety=safety)}


def _write_table(path: Path, table: GpkgTable, *, first: bool) -> None:
    import pyogrio

    options = {"DESCRIPTION": table.description, "IDENTIFIER": table.name}
    pyogrio.write_dataframe(table.frame, path, layer=table.name, driver="GPKG",
                            dataset_options={"VERSION": GPKG_VERSION} if first else None,
                            layer_options=options)


def write_geopackage(path: str | Path, *, pack, plan: ShiftPlan | None = None,
                     layers: ReportLayers | None = None, incidents: pd.DataFrame | None = None,
                     partner_safe: bool = True, threshold: int = 10, flow_hour: int = 8,
                     hotspots=None, progress: ProgressFn = no_progress,
                     cancel: CancelToken | None = None, safety=None) -> dict[str, int]:
    """Write the GeoPackage (1.2, styles, descriptions) atomically; returns rows per table.

    ``hotspots``: a ``workstation.maps`` HotspotResult to export instead of the default
    (Gi* on the pack's burglary, last 12 months); ignored when ``layers`` is given.
    A cancel between tables removes the temp file: nothing is left at ``path``.
    """
    check_target(path)
    progress(0.05, "preparing layers")
    tables = geopackage_tables(pack=pack, plan=plan, layers=layers, incidents=incidents,
                               partner_safe=partner_safe, threshold=threshold,
                               flow_hour=flow_hour, hotspots=hotspots, safety=safety)
    check_cancel(cancel)
    path = Path(path)
    with output_path(path, suffix=".gpkg") as tmp:
        for index, table in enumerate(tables):
            check_cancel(cancel)
            progress(0.3 + 0.65 * index / max(len(tables), 1), f"writing layer {table.name}")
            _write_table(tmp, table, first=index == 0)
        check_cancel(cancel)
        progress(0.97, "writing QGIS styles")
        connection = sqlite3.connect(tmp)
        try:
            with connection:
                qs.write_styles(connection, [t.style for t in tables if t.style is not None])
        finally:
            connection.close()
    progress(1.0, "GeoPackage written")
    return {t.name: int(len(t.frame)) for t in tables}
