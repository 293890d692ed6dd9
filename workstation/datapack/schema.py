"""The contract of the data pack: one Parquet file per table, columns and meaning.

Builders (``workstation/datapack/build_*.py``) must write exactly these columns;
``DataPack`` validates them on load so a stale or hand-edited pack fails loudly.
Geometry tables are GeoParquet in EPSG:27700 (British National Grid metres).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TableSpec:
    name: str
    columns: tuple[str, ...]
    description: str
    geometry: bool = False

    @property
    def filename(self) -> str:
        return f"{self.name}.parquet"


TABLES: dict[str, TableSpec] = {spec.name: spec for spec in [
    # --- geography --------------------------------------------------------------
    TableSpec("boroughs",
              ("gss_code", "name", "bcu_code", "bcu_name", "inner_london", "area_m2", "geometry"),
              "33 London boroughs (32 + City of London), full-resolution boundaries, EPSG:27700",
              geometry=True),
    TableSpec("boroughs_simplified",
              ("gss_code", "name", "bcu_code", "bcu_name", "inner_london", "area_m2", "geometry"),
              "Same 33 boroughs, topology-preserving simplified boundaries for drawing",
              geometry=True),
    TableSpec("bcus",
              ("bcu_code", "bcu_name", "borough_codes", "geometry"),
              "The Met's 12 Basic Command Units (2019) + City of London Police, dissolved from boroughs",
              geometry=True),
    # --- census and population ---------------------------------------------------
    TableSpec("census_commuting",
              ("residence_code", "residence_name", "workplace_code", "workplace_name", "workers"),
              "2011 Census WU01EW usual residence -> workplace, rows touching London. Codes are GSS "
              "borough codes or pseudo-areas: EW_OUTSIDE_LONDON, HOME (mainly at/from home), "
              "NO_FIXED_PLACE, OFFSHORE, OUTSIDE_UK, SCOTLAND, NORTHERN_IRELAND"),
    TableSpec("population",
              ("gss_code", "name", "residents_2011", "residents_mid2019", "gla_population_2020",
               "gla_daytime_population", "gla_workday_population", "census_employed_residents",
               "census_workday_population"),
              "Residents (2011 census QS102EW, ONS mid-2019), GLA 2020 estimate, GLA daytime/workday "
              "population (c.2014), census employed residents and workday population (WU01EW)"),
    TableSpec("travel_to_work_mode",
              ("gss_code", "mode", "share"),
              "2011 Census method of travel to work by borough of residence, share 0..1"),
    # --- TfL -------------------------------------------------------------------------
    TableSpec("stations",
              ("nlc", "name", "modes", "easting_m", "northing_m", "gss_code"),
              "Counted stations (TfL NLC) with OS grid coordinates and the borough they stand in"),
    TableSpec("station_counts_qhr",
              ("year", "nlc", "day_type", "direction", "qhr", "count"),
              "TfL Annual Station Counts 2017-2021: entries/exits per station by day type "
              "(weekday=Mon-Thu, friday, saturday, sunday) and clock quarter-hour "
              "(qhr 0 = 00:00-00:15 ... 95 = 23:45-24:00); direction 'entry' or 'exit'"),
    TableSpec("tube_borough_trips",
              ("source", "day_type", "time_band", "start_hour", "end_hour",
               "origin_gss", "destination_gss", "trips"),
              "Underground trips between boroughs by time band: NUMBAT 2019 (all day types) and "
              "RODS 2017 (weekday); hours are clock hours, end may exceed 24 for bands past midnight"),
    TableSpec("tube_journey_purpose",
              ("source", "gss_code", "direction", "time_band", "purpose", "journeys"),
              "RODS 2017 weekday journeys by borough of entry/exit station, time band and purpose "
              "(e.g. Home to Work)"),
    # --- crime and incidents -------------------------------------------------------
    TableSpec("crime_borough_month",
              ("gss_code", "month", "major_text", "minor_text", "offences"),
              "Met recorded offences per borough, month (YYYY-MM) and Home Office offence "
              "group/subgroup, 2010-04..2024-01"),
    TableSpec("collisions_borough_hour",
              ("gss_code", "year", "month", "hour", "severity", "collisions"),
              "STATS19 road collisions per borough, year, month (1-12), hour of day and severity, "
              "2014-2023: the one incident type in the pack with a real hour of day"),
    TableSpec("collisions_timed",
              ("gss_code", "occurred_at", "easting_m", "northing_m"),
              "STATS19 injury road collisions in London, 2022, with true date and time, "
              "placed by point: the real-timing backtest's test year"),
    TableSpec("burglary_lattice",
              ("month", "crime_type", "cell_e", "cell_n", "gss_code", "incidents"),
              "police.uk street-level burglary 2019-01..2024-08 on the 100 m British National Grid "
              "lattice: cell_e/cell_n are the SW corner of the cell in metres"),
    TableSpec("burglary_unplaced",
              ("month", "reason", "rows"),
              "police.uk rows that could not be placed on the lattice, per month and reason"),
]}
