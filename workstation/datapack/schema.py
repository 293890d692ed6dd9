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
    # --- basemap (build_basemap: drawing only, simplified 5 m) -----------------------
    TableSpec("basemap_water", ("name", "area_m2", "geometry"),
              "River Thames and tidal tributaries as water polygons (OS Open Data), EPSG:27700",
              geometry=True),
    TableSpec("basemap_parks", ("osm_id", "name", "area_m2", "geometry"),
              "OpenStreetMap leisure=park polygons (Jan 2021, ODbL, © OpenStreetMap "
              "contributors), EPSG:27700", geometry=True),
    TableSpec("basemap_roads", ("length_m", "geometry"),
              "DfT Major Road Network 2018 lines, geometry only (no names in the source), "
              "EPSG:27700", geometry=True),
    TableSpec("basemap_tube_links", ("station_a", "station_b", "length_m", "geometry"),
              "London Underground links between adjacent stations, EPSG:27700", geometry=True),
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
    # --- places (hotspot naming, LSOA outlines): build_gazetteer.py, build_lsoa.py -------
    TableSpec("policeuk_gazetteer",
              ("name", "easting_m", "northing_m", "incidents"),
              "police.uk snap points (street or place name without 'On or near ', BNG metres "
              "rounded to 1 m) with the number of shared police.uk rows on each"),
    TableSpec("lsoa21_boundaries",
              ("lsoa21_code", "lsoa21_name", "gss_code", "borough", "population_2021", "area_m2",
               "geometry"),
              "4,994 Census 2021 LSOAs in London, coverage-simplified 5 m, with borough and "
              "2021 usual residents; area_m2 from the full-resolution polygon", geometry=True),
]}

# --- Community Safety Index (issue 20; builder: build_safety.py) -----------------------
TABLES.update({spec.name: spec for spec in [
    TableSpec("safety_ward_crime",
              ("ward_code", "month", "minor_text", "offences"),
              "Met recorded offences per 2022 ward, month (YYYY-MM) and offence subgroup, the "
              "48 months the safety index uses (2021-03..2025-02); zero rows dropped"),
    TableSpec("safety_wards",
              ("ward_code", "ward_name", "gss_code", "residents_2021", "n_lsoa",
               "assignment_share_mean", "gla_population_2018_ward", "imd_score",
               "workplace_population_2011", "geometry"),
              "2022 wards with residents and IMD 2019 from the LSOAs assigned to them by matching "
              "LSOA and ward crime counts (see docs/method-safety-index.md); geometry = union of "
              "the assigned LSOA 2021 polygons (an approximation of the ward), EPSG:27700",
              geometry=True),
    TableSpec("safety_lsoa",
              ("lsoa21cd", "gss_code", "ward_code", "residents_2021", "assignment_share",
               "imd_score", "workplace_population_2011"),
              "LSOA 2021: borough, assigned 2022 ward (crime-count match), Census 2021 residents, "
              "IMD 2019 score (2011 LSOAs joined via the ONS 2011->2021 lookup), 2011 Census "
              "workplace population (its MSOA's, shared by residents)"),
    TableSpec("safety_lsoa_crime",
              ("lsoa21cd", "minor_text", "offences_12m"),
              "Met recorded offences per LSOA 2021 and subgroup, 12 months 2024-03..2025-02 "
              "(sexual offences are not published at LSOA level)"),
    TableSpec("safety_boroughs",
              ("gss_code", "name", "residents_2021", "imd_average_score"),
              "33 boroughs: Census 2021 residents (sum of LSOAs) and the IMD 2019 average score"),
    TableSpec("safety_pas",
              ("gss_code", "quarter_end", "measure", "proportion"),
              "MOPAC Public Attitude Survey by borough and quarter (end month YYYY-MM), "
              "2014-12..2023-12: share agreeing (0..1) per measure"),
    TableSpec("safety_collisions_lsoa_2022",
              ("lsoa21cd", "severity", "collisions", "casualties"),
              "STATS19 injury road collisions 2022 placed in LSOA 2021 polygons by coordinates"),
]})
