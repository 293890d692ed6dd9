"""Why an import placed no incident in London, in the analyst's terms.

Both loaders call ``no_rows_placed`` when a file yields nothing usable, so the user never
gets an "import succeeded" with zero rows (and no caller can fall back to the shipped
data unnoticed). The hints are the table loader's: British National Grid metres in
longitude/latitude columns, swapped columns, degrees-minutes-seconds, a month written
``2019-8``, or a file from another force or place (named, with its distance from central
London). Only a sample of the file (the first few thousand rows) is looked at.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from workstation.errors import InputError

SAMPLE_ROWS = 5_000
CENTRAL_LONDON_BNG = (530_034.0, 180_381.0)  # Charing Cross, EPSG:27700 metres
_LON_RANGE = (-8.7, 2.0)
_LAT_RANGE = (49.8, 61.0)
_DMS = re.compile(r"\d\s*[°º]"                                   # 51°30'
                  r"|\d+\s*['′]\s*\d"                              # 30'26
                  r"|^\s*\d{1,3}[ :]\d{1,2}[ :]\d{1,2}(\.\d+)?\s*[NSEW]?\s*$"  # 51 30 26N
                  r"|^\s*\d+(\.\d+)?\s*[NSEWnsew]\s*$")            # 51.5N
_COMPASS = ("north", "north-east", "east", "south-east", "south", "south-west", "west",
            "north-west")


def _numbers(values: Sequence) -> np.ndarray:
    text = pd.Series(list(values), dtype=object).astype(str).str.strip()
    return pd.to_numeric(text.replace({"": None, "nan": None, "None": None}),
                         errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _share(mask: np.ndarray, valid: np.ndarray) -> float:
    total = int(valid.sum())
    return float((mask & valid).sum()) / total if total else 0.0


def _in(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    return (values >= bounds[0]) & (values <= bounds[1])


def where_is(easting_m: np.ndarray, northing_m: np.ndarray) -> str:
    """'about 262 km north-west of central London (53.48° N, 2.24° W)' for BNG points."""
    from pyproj import Transformer

    from workstation.domain import BNG, WGS84

    e, n = float(np.nanmedian(easting_m)), float(np.nanmedian(northing_m))
    de, dn = e - CENTRAL_LONDON_BNG[0], n - CENTRAL_LONDON_BNG[1]
    km = math.hypot(de, dn) / 1000.0
    bearing = (math.degrees(math.atan2(de, dn)) + 360.0) % 360.0
    direction = _COMPASS[int((bearing + 22.5) // 45) % 8]
    lon, lat = Transformer.from_crs(BNG, WGS84, always_xy=True).transform(e, n)
    ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
    return (f"about {km:,.0f} km {direction} of central London "
            f"({abs(lat):.2f}° {ns}, {abs(lon):.2f}° {ew})")


def _forces_text(forces: Sequence[str] | None) -> str:
    if forces is None:
        return ""
    counts = pd.Series([str(f).strip() for f in forces if str(f).strip()]).value_counts()
    if counts.empty:
        return ""
    return "; 'Falls within' says " + ", ".join(f"{k} ({v:,})" for k, v in counts.head(3).items())


def _reasons_text(reasons: Mapping[str, int], rows_total: int) -> str:
    parts = [f"{v:,} {k}" for k, v in sorted(reasons.items(), key=lambda kv: -kv[1]) if v]
    return f"{rows_total:,} rows, none placed" + (f": {', '.join(parts)}" if parts else "")


def no_rows_placed(path, *, rows_total: int, reasons: Mapping[str, int],
                   lon: Sequence | None = None, lat: Sequence | None = None,
                   lon_name: str = "Longitude", lat_name: str = "Latitude",
                   months: Sequence | None = None, month_name: str = "Month",
                   forces: Sequence[str] | None = None,
                   placed_outside: tuple[np.ndarray, np.ndarray] | None = None) -> InputError:
    """The ``InputError`` for an import with no row placed in London.

    ``reasons``: unplaced-reason counts; ``lon``/``lat``/``months``/``forces``: text
    samples of the file's columns; ``placed_outside``: BNG metres of rows that were placed
    but lie outside the 33 boroughs (police.uk keeps those)."""
    counts = _reasons_text(reasons, rows_total)
    where = f"'{lon_name}'/'{lat_name}'"
    top = max(reasons, key=reasons.get) if reasons and max(reasons.values()) > 0 else None
    if placed_outside is not None and len(placed_outside[0]):
        e, n = placed_outside
        return InputError(
            f"none of the {rows_total:,} rows lies in London: they are "
            f"{where_is(e, n)}{_forces_text(forces)}", path=path,
            expected="incidents in the 33 London boroughs (Metropolitan Police Service or "
            "City of London Police files)",
            hint="This workstation plans for London; import the Met's or the City's files")
    if top in ("invalid month", "invalid timestamp") and months is not None:
        bad = [str(m).strip() for m in months
               if not re.match(r"^\d{4}-(0[1-9]|1[0-2])$", str(m).strip())]
        example = f" (e.g. '{bad[0]}')" if bad and bad[0] else ""
        return InputError(f"no row could be placed ({counts}): the {month_name!r} column is "
                          f"not written as YYYY-MM{example}", path=path, column=month_name,
                          expected="months like 2019-08 (four-digit year, two-digit month)",
                          hint="Excel may have re-written the months; export them as text "
                          "YYYY-MM, or download the file again from data.police.uk")
    if lon is not None and lat is not None:
        a, b = _numbers(lon), _numbers(lat)
        has = np.isfinite(a) & np.isfinite(b)
        text = [str(v).strip() for v in list(lon) + list(lat) if str(v).strip()]
        dms = [t for t in text if _DMS.search(t)]
        if dms and len(dms) * 2 >= max(1, len(text) - int(has.sum()) * 2):
            return InputError(f"no row could be placed ({counts}): columns {where} are "
                              f"written as degrees-minutes-seconds (e.g. '{dms[0]}')", path=path,
                              column=lon_name, expected="decimal degrees, e.g. -0.1276 and "
                              "51.5072", hint="Convert the coordinates to decimal degrees "
                              "(degrees + minutes/60 + seconds/3600, west negative)")
        if has.any():
            wgs = _in(a, _LON_RANGE) & _in(b, _LAT_RANGE)
            swapped = _in(a, _LAT_RANGE) & _in(b, _LON_RANGE)
            bng = (_in(a, (0.0, 700_000.0)) & _in(b, (0.0, 1_300_000.0))
                   & ((np.abs(a) > 1000) | (np.abs(b) > 1000)))
            if _share(bng, has) > 0.5:
                return InputError(
                    f"no row could be placed ({counts}): columns {where} hold metres "
                    "(British National Grid), not degrees", path=path, column=lon_name,
                    expected="degrees of longitude/latitude",
                    hint="Import it as a table with easting/northing columns (e.g. "
                    f"mapping={{'easting': '{lon_name}', 'northing': '{lat_name}'}}), or "
                    "download the file again from data.police.uk")
            if _share(swapped, has) > 0.5:
                return InputError(
                    f"no row could be placed ({counts}): columns {where} look swapped: "
                    "latitudes are in the longitude column", path=path, column=lon_name,
                    expected="longitude -8..2 and latitude 49..61 for Great Britain",
                    hint="Swap the two columns' names, or import it as a table with "
                    f"mapping={{'longitude': '{lat_name}', 'latitude': '{lon_name}'}}")
            if _share(wgs, has) > 0.5:
                from pyproj import Transformer

                from workstation.domain import BNG, WGS84
                t = Transformer.from_crs(WGS84, BNG, always_xy=True)
                e, n = t.transform(a[has & wgs], b[has & wgs])
                return InputError(
                    f"no row could be placed ({counts}): the rows are {where_is(e, n)}"
                    f"{_forces_text(forces)}", path=path,
                    expected="incidents in the 33 London boroughs",
                    hint="This workstation plans for London; import the Met's or the City's "
                    "files")
            first = int(np.flatnonzero(has)[0])
            return InputError(
                f"no row could be placed ({counts}): coordinates in {where} are not in "
                f"Great Britain (e.g. {a[first]:g}, {b[first]:g})", path=path, column=lon_name,
                expected="WGS84 longitude -8..2 and latitude 49..61",
                hint="Check the coordinate columns and their system (degrees vs metres)")
        if text:
            return InputError(f"no row could be placed ({counts}): columns {where} hold no "
                              f"numbers (e.g. '{text[0]}')", path=path, column=lon_name,
                              expected="decimal degrees, e.g. -0.1276 and 51.5072")
        return InputError(f"no row could be placed ({counts}): no row has coordinates",
                          path=path, column=lon_name, expected="longitude and latitude values",
                          hint="Check the coordinate columns are filled in (police.uk leaves "
                          "them blank where no location could be published)")
    return InputError(f"no row could be placed ({counts})", path=path,
                      expected="rows with a valid date and coordinates in London")
