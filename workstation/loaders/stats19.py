"""STATS19 road collisions in the DfT layout: date, time and coordinates per collision.

Reads the official DfT collision file (``date`` DD/MM/YYYY, ``time`` HH:MM,
``location_easting_osgr``/``location_northing_osgr`` or ``longitude``/``latitude``) and
copies of it that keep those columns (e.g. the London 2022 extract, dates YYYY/MM/DD).
Each collision is placed in a London borough by its point (EPSG:27700), so any later
year's file can be scored by the real-timing backtest (``backtest --collisions FILE``).
Rows without a valid date, time or point are counted, never silently lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workstation.errors import InputError

DATE_FORMATS = ("%d/%m/%Y", "%Y/%m/%d", "%Y-%m-%d")


@dataclass(frozen=True)
class Collisions:
    """Placed collisions: gss_code, occurred_at (local clock time), easting_m, northing_m."""

    path: str
    frame: pd.DataFrame
    rows_total: int
    rows_without_time: int
    rows_without_point: int
    rows_outside_london: int

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted(int(y) for y in self.frame["occurred_at"].dt.year.unique()))

    def to_dict(self) -> dict:
        return {"path": Path(self.path).name, "rows_total": self.rows_total,
                "rows_placed": int(len(self.frame)), "rows_without_time": self.rows_without_time,
                "rows_without_point": self.rows_without_point,
                "rows_outside_london": self.rows_outside_london, "years": list(self.years)}


def _parse_dates(text: pd.Series) -> pd.Series:
    best = None
    for fmt in DATE_FORMATS:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        if best is None or parsed.notna().sum() > best.notna().sum():
            best = parsed
    return best


def read_collisions(path: str | Path, boroughs) -> Collisions:
    """Read a DfT-layout collision file; ``boroughs`` is a GeoDataFrame (gss_code,
    geometry, EPSG:27700), e.g. the pack's ``boroughs`` table."""
    import geopandas as gpd

    path = Path(path)
    if not path.is_file():
        raise InputError("collision file not found", path=path,
                         expected="a DfT STATS19 collision CSV (date, time, coordinates)")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", path=path, hint="Save it as CSV UTF-8") from None
    except (pd.errors.ParserError, OSError, EOFError) as exc:
        raise InputError(f"cannot read the file as CSV ({exc})", path=path) from None
    columns = {c.strip().casefold(): c for c in raw.columns}
    for needed in ("date", "time"):
        if needed not in columns:
            raise InputError(f"no '{needed}' column", path=path, row=1, column=needed,
                             expected="the DfT STATS19 layout: date, time and coordinates")
    has_osgr = {"location_easting_osgr", "location_northing_osgr"} <= set(columns)
    has_lonlat = {"longitude", "latitude"} <= set(columns)
    if not (has_osgr or has_lonlat):
        raise InputError("no coordinate columns", path=path, row=1,
                         expected="location_easting_osgr and location_northing_osgr, or "
                                  "longitude and latitude")
    dates = _parse_dates(raw[columns["date"]].str.strip())
    clock = raw[columns["time"]].str.strip().str.extract(r"^(\d{1,2}):(\d{2})(?::\d{2})?$")
    hours = pd.to_numeric(clock[0], errors="coerce")
    minutes = pd.to_numeric(clock[1], errors="coerce")
    timed = dates.notna() & hours.between(0, 23) & minutes.between(0, 59)
    if not timed.any():
        row = 0
        raise InputError(f"no row has a valid date and time (first row: "
                         f"'{raw[columns['date']].iloc[row]}' '{raw[columns['time']].iloc[row]}')",
                         path=path, row=2, column=columns["date"],
                         expected="date DD/MM/YYYY or YYYY/MM/DD and time HH:MM")
    occurred = dates + pd.to_timedelta(hours.fillna(0), unit="h") + pd.to_timedelta(
        minutes.fillna(0), unit="m")
    if has_osgr:
        x = pd.to_numeric(raw[columns["location_easting_osgr"]], errors="coerce")
        y = pd.to_numeric(raw[columns["location_northing_osgr"]], errors="coerce")
    if not has_osgr or x.isna().all():
        from pyproj import Transformer
        lon = pd.to_numeric(raw[columns["longitude"]], errors="coerce")
        lat = pd.to_numeric(raw[columns["latitude"]], errors="coerce")
        ok = lon.between(-9, 3) & lat.between(49, 61)
        to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
        ex, ny = to_bng.transform(lon.where(ok).to_numpy(), lat.where(ok).to_numpy())
        x, y = pd.Series(ex, index=raw.index), pd.Series(ny, index=raw.index)
    pointed = x.notna() & y.notna() & np.isfinite(x) & np.isfinite(y)
    keep = timed & pointed
    points = gpd.GeoDataFrame(
        {"occurred_at": occurred[keep].to_numpy(), "easting_m": x[keep].to_numpy(),
         "northing_m": y[keep].to_numpy()},
        geometry=gpd.points_from_xy(x[keep], y[keep]), crs="EPSG:27700")
    areas = gpd.GeoDataFrame(boroughs[["gss_code"]].copy(), geometry=boroughs.geometry,
                             crs=boroughs.crs or "EPSG:27700").to_crs("EPSG:27700")
    joined = gpd.sjoin(points, areas, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    inside = joined["gss_code"].notna()
    frame = (pd.DataFrame(joined.loc[inside, ["gss_code", "occurred_at", "easting_m",
                                              "northing_m"]])
             .astype({"gss_code": str}).reset_index(drop=True))
    return Collisions(str(path), frame, int(len(raw)), int((~timed).sum()),
                      int((timed & ~pointed).sum()), int((~inside).sum()))


def collisions_from_pack(pack) -> Collisions | None:
    """The pack's timed collisions (2022) as a ``Collisions``, or None if the pack has none."""
    if not pack.has("collisions_timed"):
        return None
    frame = pack.table("collisions_timed").copy()
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
    return Collisions("pack:collisions_timed", frame, int(len(frame)), 0, 0, 0)
