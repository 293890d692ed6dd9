"""Build the TfL tables: stations, station_counts_qhr, tube_borough_trips, tube_journey_purpose.

Sources (all under ``tfl/``, TfL open data, "Powered by TfL Open Data"):
- ``tfl_counts_byqhr_2017..2021``: Annual Station Counts by quarter-hour (sheet ByQhr,
  header on row 7; the 2020/2021 copies are CSVs of the same sheet). Columns start at
  05:00 (TfL's counting day); we convert to clock quarter-hours 0..95.
- ``london_stations_osgrid.csv`` (doogal list, OS grid metres) and ``tube_links/underground.shp``
  (line ends, WGS84) for station coordinates.
- ``numbat2019_*`` (2019 modelled Underground OD by time band) and ``rods2017_*`` (2017
  Rolling Origin & Destination Survey, weekday).

Stations are placed in boroughs with ``data/boroughs.parquet`` (written by ``build_geo``,
which runs first), so the TfL tables and the borough table always agree.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from workstation.datapack.io import write_table
from workstation.domain import BNG, QUARTER_HOURS_PER_DAY, DayType

COUNT_YEARS = (2017, 2018, 2019, 2020, 2021)
OSGRID_FILE = "tfl/london_stations_osgrid.csv"
LINKS_FILE = "tfl/tube_links/underground.shp"
NUMBAT_DEFS = "tfl/numbat2019_definitions.xlsx"
NUMBAT_OD = "tfl/numbat2019_od_lu_timeband_{code}.csv"
RODS_OD = "tfl/rods2017_od_matrix_by_timeband.xlsx"
RODS_PURPOSE = {"entry": "tfl/rods2017_journey_purpose_by_entry_station_timeband.xlsx",
                "exit": "tfl/rods2017_journey_purpose_by_exit_station_timeband.xlsx"}

OUTSIDE_LONDON = "OUTSIDE_LONDON"
# A station whose point falls just outside every borough polygon (the boundaries exclude
# the Thames below mean high water, and riverside/bridge stations sit on the edge) is given
# the nearest borough if it lies within this distance; beyond it the station is outside London.
NEAREST_BOROUGH_TOLERANCE_M = 300.0

# TfL's counting day starts at 05:00: column 0 is 05:00-05:15 = clock quarter-hour 20.
FIRST_COLUMN_CLOCK_QHR = 20

# TfL Rail became the Elizabeth line (EZL) in 2022; the 2020-21 files already use EZL.
MODE_ALIASES = {"TfLRail": "EZL"}
MODE_ORDER = ["LU", "LO", "DLR", "EZL", "TRM"]

# 2017's weekday is "MTF" (Monday-Friday; TfL split Friday out from 2018): stored as weekday.
DAY_CODES = {"MTF": DayType.WEEKDAY, "MTT": DayType.WEEKDAY, "FRI": DayType.FRIDAY,
             "SAT": DayType.SATURDAY, "SUN": DayType.SUNDAY}

# TfL names that normalisation alone cannot match to the doogal list (checked by hand).
NAME_ALIASES = {
    "bank and monument": "bank",
    "bank monument": "bank",
    "edgware road dis": "edgware road circle district hammersmith and city",
    "edgware road cir": "edgware road circle district hammersmith and city",
    "edgware road bak": "edgware road bakerloo",
    "hammersmith dis": "hammersmith district",
    "hammersmith h and c": "hammersmith met",
    "hammersmith handc": "hammersmith met",
    "heathrow terminals 123": "heathrow terminals 1 2 3",
    "heathrow terminals 2 and 3": "heathrow terminals 1 2 3",
    "crossharbour": "crossharbour and london arena",
    "cutty sark": "cutty sark for maritime greenwich",
    "paddington tfl": "paddington",
    "stratford international dlr": "stratford international",
}
# Suffixes TfL appends to tell modes apart within one station complex.
_MODE_SUFFIX = re.compile(r"\s+(lu|dlr|lo|nr|tfl|el|trams|tram)$")

# NUMBAT time bands (definitions workbook, sheet Timebands); hours past midnight run on.
NUMBAT_BANDS = {1: ("early", 3.0, 5.0), 2: ("morning", 5.0, 7.0), 3: ("am_peak", 7.0, 10.0),
                4: ("inter_peak", 10.0, 16.0), 5: ("pm_peak", 16.0, 19.0),
                6: ("evening", 19.0, 22.0), 7: ("late", 22.0, 24.5), 8: ("night", 24.5, 27.0)}
# RODS 2017 time bands (sheet headers "- 7am", "7am-10am", ... "10pm+"); RODS, like the
# counts, covers the 05:00-05:00 day, so Early starts at 05:00 and Late runs to 29:00.
RODS_BANDS = {"early": (5.0, 7.0), "am_peak": (7.0, 10.0), "midday": (10.0, 16.0),
              "pm_peak": (16.0, 19.0), "evening": (19.0, 22.0), "late": (22.0, 29.0)}
_RODS_BAND_LABELS = {"early": "early", "am peak": "am_peak", "midday": "midday",
                     "pm peak": "pm_peak", "evening": "evening", "late": "late"}

LICENCE = "TfL open data terms: Powered by TfL Open Data; station coordinates from doogal.co.uk"


def normalise_name(name: str) -> str:
    """Lower-case, '&' as 'and', no punctuation, TfL mode suffix removed, aliases applied."""
    text = str(name).lower().replace("&", " and ").replace("'", "").replace(".", "")
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    if text in NAME_ALIASES:
        return NAME_ALIASES[text]
    stripped = _MODE_SUFFIX.sub("", text)
    return NAME_ALIASES.get(stripped, stripped)


# --- station counts -----------------------------------------------------------------------

def read_counts_raw(source: Path, year: int) -> pd.DataFrame:
    """One year's ByQhr sheet as TfL published it (header on row 7)."""
    xlsx = source / f"tfl/tfl_counts_byqhr_{year}.xlsx"
    if xlsx.exists():
        frame = pd.read_excel(xlsx, sheet_name="ByQhr", header=6)
    else:
        frame = pd.read_csv(source / f"tfl/tfl_counts_byqhr_{year}.csv", header=6,
                            encoding="utf-8-sig")
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.dropna(subset=["NLC"]).drop_duplicates()
    frame["NLC"] = frame["NLC"].astype(int)
    frame["Mode"] = frame["Mode"].astype(str).str.strip().replace(MODE_ALIASES)
    for col in ("Station", "Coverage", "day", "dir"):
        frame[col] = frame[col].astype(str).str.strip()
    return frame


def _qhr_columns(frame: pd.DataFrame) -> list[str]:
    cols = [c for c in frame.columns if re.fullmatch(r"\d{4}-\d{4}", c)
            and c != "0500-0500"]
    if len(cols) != QUARTER_HOURS_PER_DAY or cols[0] != "0500-0515":
        raise ValueError(f"expected 96 quarter-hour columns from 0500-0515, got {len(cols)}")
    return cols


def station_counts_long(raw: pd.DataFrame, year: int) -> pd.DataFrame:
    """Long table (nlc, day_type, direction, qhr, count) for one year.

    TfL's Coverage column says whether a row is the station's entry/exit (which may span
    several modes, e.g. Bank's LU row includes DLR users) or boarding/alighting on one mode
    (which duplicates the entry/exit where both exist). Per NLC we keep the entry/exit rows
    when there are any, else sum the boarding/alighting rows (e.g. Richmond LU + LO).
    """
    qcols = _qhr_columns(raw)
    entry_exit = raw["Coverage"].str.lower().str.contains("entry / exit")
    has_entry_exit = raw.loc[entry_exit, "NLC"].unique()
    keep = entry_exit | ~raw["NLC"].isin(has_entry_exit)
    rows = raw.loc[keep]
    summed = rows.groupby(["NLC", "day", "dir"], sort=True)[qcols].sum()
    values = summed.to_numpy(dtype=np.float64)
    # Rotate TfL's 05:00-based columns onto the clock: column i is clock qhr (20 + i) % 96.
    clock = np.roll(values, FIRST_COLUMN_CLOCK_QHR, axis=1)
    index = summed.index.to_frame(index=False)
    n = len(index)
    out = pd.DataFrame({
        "year": np.full(n * QUARTER_HOURS_PER_DAY, year, dtype=np.int16),
        "nlc": np.repeat(index["NLC"].to_numpy(dtype=np.int32), QUARTER_HOURS_PER_DAY),
        "day_type": np.repeat(index["day"].map(lambda d: DAY_CODES[d].value).to_numpy(),
                              QUARTER_HOURS_PER_DAY),
        "direction": np.repeat(index["dir"].map({"IN": "entry", "OUT": "exit"}).to_numpy(),
                               QUARTER_HOURS_PER_DAY),
        "qhr": np.tile(np.arange(QUARTER_HOURS_PER_DAY, dtype=np.int16), n),
        "count": clock.reshape(-1).astype(np.float32),
    })
    if out["direction"].isna().any():
        raise ValueError(f"{year}: unexpected dir values {sorted(raw['dir'].unique())}")
    return out


# --- stations -----------------------------------------------------------------------------

def _coordinate_sources(source: Path) -> tuple[dict[str, tuple[float, float]],
                                               dict[str, tuple[float, float]]]:
    """Name -> (easting, northing) from the doogal list, then from tube link ends."""
    doogal = pd.read_csv(source / OSGRID_FILE)
    primary = {normalise_name(r.Station): (float(r["OS X"]), float(r["OS Y"]))
               for _, r in doogal.iterrows()}
    links = gpd.read_file(source / LINKS_FILE).to_crs(BNG)
    secondary: dict[str, tuple[float, float]] = {}
    for _, link in links.iterrows():
        coords = list(link.geometry.coords)
        for name, (x, y) in ((link["station_1_"], coords[0]), (link["station_2_"], coords[-1])):
            secondary.setdefault(normalise_name(name), (float(x), float(y)))
    return primary, secondary


def build_stations(source: Path, raws: dict[int, pd.DataFrame],
                   boroughs: gpd.GeoDataFrame) -> pd.DataFrame:
    """Every NLC counted in any year: latest TfL name, modes, OS grid point, borough."""
    rows = pd.concat([raw[["NLC", "Station", "Mode"]].assign(year=year)
                      for year, raw in raws.items()])
    latest = rows.sort_values(["year", "NLC"]).groupby("NLC")["Station"].last()
    modes = rows.groupby("NLC")["Mode"].agg(
        lambda s: ",".join(m for m in MODE_ORDER if m in set(s))
        + "".join("," + m for m in sorted(set(s) - set(MODE_ORDER))))
    stations = pd.DataFrame({"nlc": latest.index.astype(np.int32), "name": latest.values,
                             "modes": modes.reindex(latest.index).str.strip(",").values})
    primary, secondary = _coordinate_sources(source)
    eastings, northings, missing = [], [], []
    for name in stations["name"]:
        key = normalise_name(name)
        point = primary.get(key) or secondary.get(key)
        if point is None:
            missing.append(name)
            point = (np.nan, np.nan)
        eastings.append(point[0])
        northings.append(point[1])
    if missing:
        raise ValueError(f"no coordinates for counted stations {missing}: add a NAME_ALIASES entry")
    stations["easting_m"] = np.asarray(eastings, dtype=np.float64)
    stations["northing_m"] = np.asarray(northings, dtype=np.float64)
    stations["gss_code"] = place_in_boroughs(stations["easting_m"].to_numpy(),
                                             stations["northing_m"].to_numpy(), boroughs)
    return stations.sort_values("nlc").reset_index(drop=True)


def place_in_boroughs(easting_m: np.ndarray, northing_m: np.ndarray,
                      boroughs: gpd.GeoDataFrame) -> np.ndarray:
    """Borough GSS code per point; nearest borough within tolerance; else OUTSIDE_LONDON."""
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(easting_m, northing_m), crs=BNG)
    joined = gpd.sjoin_nearest(points, boroughs[["gss_code", "geometry"]], how="left",
                               max_distance=NEAREST_BOROUGH_TOLERANCE_M, distance_col="d_m")
    joined = joined[~joined.index.duplicated(keep="first")].sort_index()
    return joined["gss_code"].fillna(OUTSIDE_LONDON).to_numpy(dtype=object)


# --- OD tables ----------------------------------------------------------------------------

def _station_lookup(stations: pd.DataFrame) -> tuple[dict[int, str], dict[str, str]]:
    by_nlc = dict(zip(stations["nlc"].astype(int), stations["gss_code"]))
    by_name = {normalise_name(n): g for n, g in zip(stations["name"], stations["gss_code"])}
    return by_nlc, by_name


def _resolve(codes: pd.Series, names: pd.Series, by_nlc: dict[int, str],
             by_name: dict[str, str]) -> pd.Series:
    """Borough for each station: by NLC/MNLC first, else by normalised name."""
    out = codes.map(by_nlc)
    fallback = names.map(lambda n: by_name.get(normalise_name(n)) if isinstance(n, str) else None)
    return out.fillna(fallback)


def numbat_borough_trips(source: Path, stations: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """NUMBAT 2019 station OD by time band, summed to borough x borough per day type."""
    defs = pd.read_excel(source / NUMBAT_DEFS, sheet_name="Stations").dropna(subset=["MNLC"])
    complexes = pd.read_excel(source / NUMBAT_DEFS, sheet_name="StationComplexes").dropna(
        subset=["MNLC", "ComplexNLC"])
    names = dict(zip(defs["MNLC"].astype(int), defs["StationName"].astype(str)))
    by_nlc, by_name = _station_lookup(stations)
    # A station in a complex (e.g. Tower Hill in the Aldgate complex) may be counted under
    # its own NLC; otherwise the complex's master NLC places it.
    complex_of = dict(zip(complexes["MNLC"].astype(int), complexes["ComplexNLC"].astype(int)))
    frames, unplaced = [], {}
    for day in DayType:
        od = pd.read_csv(source / NUMBAT_OD.format(code=day.tfl_code.lower()))
        mnlcs = pd.Series(pd.unique(pd.concat([od["mode_mnlc_o"], od["mode_mnlc_d"]])))
        gss = _resolve(mnlcs, mnlcs.map(names), by_nlc, by_name)
        gss = gss.fillna(mnlcs.map(complex_of).map(by_nlc))
        lookup = dict(zip(mnlcs, gss))
        origin = od["mode_mnlc_o"].map(lookup)
        dest = od["mode_mnlc_d"].map(lookup)
        band_cols = [c for c in od.columns if c.isdigit()]
        lost = od.loc[origin.isna() | dest.isna(), band_cols].to_numpy().sum()
        unplaced[day.value] = float(lost)
        long = od.assign(origin_gss=origin, destination_gss=dest).dropna(
            subset=["origin_gss", "destination_gss"]).melt(
            id_vars=["origin_gss", "destination_gss"], value_vars=band_cols,
            var_name="band", value_name="trips")
        grouped = long.groupby(["origin_gss", "destination_gss", "band"], as_index=False)["trips"].sum()
        band = grouped["band"].astype(int).map(NUMBAT_BANDS)
        grouped["time_band"] = band.map(lambda b: b[0])
        grouped["start_hour"] = band.map(lambda b: b[1])
        grouped["end_hour"] = band.map(lambda b: b[2])
        grouped["day_type"] = day.value
        grouped["source"] = "numbat2019"
        frames.append(grouped)
    return pd.concat(frames, ignore_index=True), unplaced


def rods_borough_trips(source: Path, stations: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """RODS 2017 weekday station OD by time band, summed to borough x borough."""
    raw = pd.read_excel(source / RODS_OD, sheet_name="matrix", header=None, skiprows=4)
    raw = raw.iloc[:, :10]
    raw.columns = ["from_nlc", "from_name", "to_nlc", "to_name", *RODS_BANDS]
    raw = raw[pd.to_numeric(raw["from_nlc"], errors="coerce").notna()].copy()
    raw["from_nlc"] = raw["from_nlc"].astype(int)
    raw["to_nlc"] = raw["to_nlc"].astype(int)
    by_nlc, by_name = _station_lookup(stations)
    raw["origin_gss"] = _resolve(raw["from_nlc"], raw["from_name"].astype(str).str.strip(),
                                 by_nlc, by_name)
    raw["destination_gss"] = _resolve(raw["to_nlc"], raw["to_name"].astype(str).str.strip(),
                                      by_nlc, by_name)
    bands = list(RODS_BANDS)
    lost = float(raw.loc[raw["origin_gss"].isna() | raw["destination_gss"].isna(), bands]
                 .to_numpy(dtype=float).sum())
    long = raw.dropna(subset=["origin_gss", "destination_gss"]).melt(
        id_vars=["origin_gss", "destination_gss"], value_vars=bands, var_name="time_band",
        value_name="trips")
    long["trips"] = long["trips"].astype(float)
    grouped = long.groupby(["origin_gss", "destination_gss", "time_band"], as_index=False)["trips"].sum()
    grouped["start_hour"] = grouped["time_band"].map(lambda b: RODS_BANDS[b][0])
    grouped["end_hour"] = grouped["time_band"].map(lambda b: RODS_BANDS[b][1])
    grouped["day_type"] = DayType.WEEKDAY.value
    grouped["source"] = "rods2017"
    return grouped, lost


def rods_journey_purpose(source: Path, stations: pd.DataFrame) -> pd.DataFrame:
    """RODS 2017 weekday journeys by station, band and purpose, summed to borough.

    Purposes keep TfL's three groups: "Home to Work", "Work to Home", "Origin: <purpose>",
    "Destination: <purpose>", plus "All" (total all modes).
    """
    by_nlc, by_name = _station_lookup(stations)
    frames = []
    for direction, path in RODS_PURPOSE.items():
        raw = pd.read_excel(source / path, sheet_name="journey purpose", header=None)
        head = raw.iloc[4:6].ffill(axis=1)
        labels = []
        for col in range(raw.shape[1]):
            group = str(head.iloc[0, col]).strip()
            item = str(raw.iloc[5, col]).strip()
            if col < 3:
                labels.append(["nlc", "station", "time_band"][col])
            elif group.lower().startswith("total"):
                labels.append("All")
            elif group.lower().startswith("home to"):
                labels.append("Home to Work")
            elif group.lower().startswith("work to"):
                labels.append("Work to Home")
            elif group.lower().startswith("origin"):
                labels.append(f"Origin: {item}")
            else:
                labels.append(f"Destination: {item}")
        body = raw.iloc[6:].copy()
        body.columns = labels
        body = body[pd.to_numeric(body["nlc"], errors="coerce").notna()]
        body["time_band"] = body["time_band"].astype(str).str.strip().str.lower().map(_RODS_BAND_LABELS)
        body = body.dropna(subset=["time_band"])  # drops "Total day"
        body["gss_code"] = _resolve(body["nlc"].astype(int), body["station"].astype(str).str.strip(),
                                    by_nlc, by_name)
        body = body.dropna(subset=["gss_code"])
        purposes = labels[3:]
        long = body.melt(id_vars=["gss_code", "time_band"], value_vars=purposes,
                         var_name="purpose", value_name="journeys")
        long["journeys"] = pd.to_numeric(long["journeys"], errors="coerce").fillna(0.0)
        grouped = long.groupby(["gss_code", "time_band", "purpose"], as_index=False, sort=True)[
            "journeys"].sum()
        grouped["direction"] = direction
        frames.append(grouped)
    out = pd.concat(frames, ignore_index=True)
    out["source"] = "rods2017"
    return out


# --- entry point ----------------------------------------------------------------------------

def build(source: Path, out: Path) -> dict:
    boroughs_path = out / "boroughs.parquet"
    if not boroughs_path.exists():
        raise FileNotFoundError(f"{boroughs_path} missing: build part build_geo first")
    boroughs = gpd.read_parquet(boroughs_path).to_crs(BNG)

    raws = {year: read_counts_raw(source, year) for year in COUNT_YEARS}
    stations = build_stations(source, raws, boroughs)
    placed = set(stations["nlc"])
    counts = pd.concat([station_counts_long(raw, year) for year, raw in raws.items()],
                       ignore_index=True)
    counts = counts[counts["nlc"].isin(placed)].sort_values(
        ["year", "nlc", "day_type", "direction", "qhr"]).reset_index(drop=True)

    numbat, numbat_lost = numbat_borough_trips(source, stations)
    rods, rods_lost = rods_borough_trips(source, stations)
    trips = pd.concat([numbat, rods], ignore_index=True).sort_values(
        ["source", "day_type", "start_hour", "origin_gss", "destination_gss"]).reset_index(drop=True)
    trips["trips"] = trips["trips"].astype(np.float64)
    purpose = rods_journey_purpose(source, stations)

    outside = stations.loc[stations["gss_code"] == OUTSIDE_LONDON, "name"].tolist()
    count_files = [f"tfl/tfl_counts_byqhr_{y}.{'xlsx' if y <= 2019 else 'csv'}" for y in COUNT_YEARS]
    specs = {
        "stations": (stations, count_files + [OSGRID_FILE, LINKS_FILE, "boundaries (boroughs table)"],
                     {"stations": len(stations), "outside_london": outside}),
        "station_counts_qhr": (counts, count_files,
                               {"years": list(COUNT_YEARS),
                                "note": "2017 weekday is Mon-Fri (MTF); no Friday in 2017; "
                                        "entry/exit rows preferred over boarding/alighting"}),
        "tube_borough_trips": (trips, [NUMBAT_DEFS, NUMBAT_OD.format(code="{mtt,fri,sat,sun}"), RODS_OD],
                               {"numbat_unplaced_trips": numbat_lost,
                                "rods_unplaced_trips": rods_lost}),
        "tube_journey_purpose": (purpose, list(RODS_PURPOSE.values()), {"day_type": "weekday"}),
    }
    entries = {}
    for name, (frame, sources, coverage) in specs.items():
        entry = write_table(frame, out, name)
        entry["sources"] = sources
        entry["licence"] = LICENCE
        entry["coverage"] = coverage
        entries[name] = entry
    return entries
