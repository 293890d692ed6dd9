"""Load area boundaries (beats, wards, sectors, boroughs) from any format GDAL reads
(GeoJSON, GeoPackage, Shapefile...) via pyogrio, reprojected to EPSG:27700.

The result always has ``code``, ``name`` and ``geometry`` columns so the app can draw and
aggregate by them without knowing the source's naming (ONS ``LAD22CD``, GLA ``gss_code``,
a force's ``WARD_ID``...).
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import shapely

from workstation.domain import BNG
from workstation.errors import InputError
from workstation.loaders.sniff import describe_binary

# Normalised names, most specific first; ONS-style "<prefix><yy>cd"/"nm" handled by pattern.
CODE_NAMES = ("gss_code", "code", "area_code", "ward_code", "beat_code", "id", "fid_code")
NAME_NAMES = ("name", "area_name", "borough", "ward_name", "ward", "beat_name", "label")
_ONS_CODE = re.compile(r"^[a-z]+\d{2}cd$")
_ONS_NAME = re.compile(r"^[a-z]+\d{2}nm$")
SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb", ".gml", ".kml")


def _normalise(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def detect_code_name(columns: list[str]) -> tuple[str | None, str | None]:
    """The columns that hold each area's code and name, or None."""
    norm = {_normalise(c): c for c in columns if c != "geometry"}
    code = next((norm[n] for n in CODE_NAMES if n in norm), None)
    code = code or next((c for n, c in norm.items() if _ONS_CODE.match(n)), None)
    name = next((norm[n] for n in NAME_NAMES if n in norm and norm[n] != code), None)
    name = name or next((c for n, c in norm.items() if _ONS_NAME.match(n)), None)
    return code, name


def load_boundaries(path: str | Path, *, code_column: str | None = None,
                    name_column: str | None = None, layer: str | int | None = None
                    ) -> gpd.GeoDataFrame:
    """Polygons with ``code``, ``name``, ``geometry`` (EPSG:27700, valid geometries)."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=path)
    if path.is_file():
        with open(path, "rb") as handle:
            head = handle.read(4096)
        if not head.strip():
            raise InputError("file is empty", path=path, expected="a boundary file")
        what = describe_binary(head)
        suffix = path.suffix.lower()
        if what in ("a PNG image", "a JPEG image", "a PDF document") or suffix not in SUFFIXES:
            raise InputError(f"unsupported boundary file{f' ({what})' if what else ''}",
                             path=path, expected="GeoJSON, GeoPackage or Shapefile (.shp)")
    try:
        frame = gpd.read_file(path, layer=layer) if layer is not None else gpd.read_file(path)
    except Exception as exc:  # pyogrio raises DataSourceError, DataLayerError, ...
        raise InputError(f"cannot be read as a boundary file ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''})", path=path,
                         expected="GeoJSON, GeoPackage or Shapefile",
                         hint="For a Shapefile keep the .shp, .shx, .dbf and .prj together") from exc
    if frame.empty:
        raise InputError("boundary file has no features", path=path)
    if frame.crs is None:
        raise InputError("boundary file has no coordinate reference system", path=path,
                         expected="a CRS (a .prj beside a Shapefile, or crs in the GeoJSON)",
                         hint="Save it again from your GIS with its CRS (EPSG:27700 or 4326)")
    kinds = set(frame.geometry.geom_type.dropna())
    if not kinds or not kinds <= {"Polygon", "MultiPolygon"}:
        raise InputError(f"boundary file holds {sorted(kinds) or 'no geometries'}, not polygons",
                         path=path, expected="Polygon or MultiPolygon areas")
    columns = [str(c) for c in frame.columns]
    for given, label in ((code_column, "code"), (name_column, "name")):
        if given is not None and given not in columns:
            raise InputError(f"{label} column '{given}' is not in the file", path=path,
                             column=given, expected=", ".join(c for c in columns
                                                              if c != "geometry"))
    code_auto, name_auto = detect_code_name(columns)
    code_col = code_column or code_auto
    name_col = name_column or name_auto
    if code_col is None:
        raise InputError("no code column found", path=path,
                         expected="a column like gss_code, code or LAD22CD",
                         hint="Name it with code_column=")
    codes = frame[code_col].astype(str).str.strip()
    dupes = sorted(codes[codes.duplicated()].unique())
    if dupes:
        raise InputError(f"codes are not unique ({', '.join(dupes[:5])})", path=path,
                         column=code_col, hint="Dissolve the areas by code first")
    names = frame[name_col].astype(str).str.strip() if name_col else codes
    geometry = shapely.make_valid(frame.to_crs(BNG).geometry.values)
    return gpd.GeoDataFrame({"code": codes.to_numpy(), "name": names.to_numpy()},
                            geometry=geometry, crs=BNG)
