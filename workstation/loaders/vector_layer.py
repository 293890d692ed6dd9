"""Reference layers from any vector file GDAL reads (GeoPackage, Shapefile, GeoJSON,
FlatGeobuf ...), read with pyogrio and reprojected to EPSG:27700 for drawing.

Unlike ``boundaries.py`` (areas the app aggregates by, which need a code column), a
reference layer is only drawn: an analyst's beat map, OS Open Roads, MSOAs. So any geometry
kind is accepted and no column is required; a label column is guessed only to offer a default
the user can change. Every failure is an ``InputError`` naming the file (and layer), raised
before anything in the app changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from workstation.domain import BNG
from workstation.errors import InputError
from workstation.loaders.sniff import describe_binary

# Great Britain in EPSG:27700 with a margin: a file whose reprojected features fall outside
# this was almost certainly saved with the wrong CRS (e.g. BNG metres labelled as WGS84).
GB_EXTENT_M = (-100_000.0, -100_000.0, 800_000.0, 1_300_000.0)
# More vertices than this makes pan and zoom sluggish on a 2-core laptop; say so up front.
MAX_VERTICES = 5_000_000
KINDS = {"Polygon": "polygon", "MultiPolygon": "polygon", "LineString": "line",
         "MultiLineString": "line", "LinearRing": "line", "Point": "point", "MultiPoint": "point"}
LABEL_HINTS = ("name", "label", "title")
_ONS_NAME = re.compile(r"^[a-z]+\d{2}nm$")     # ONS names: msoa21nm, lad22nm ...


@dataclass(frozen=True, slots=True)
class VectorLayer:
    """A reference layer ready to draw: features in EPSG:27700 and what they are."""
    path: Path
    layer: str | None           # layer name inside a multi-layer file (GeoPackage)
    title: str
    kind: str                   # "polygon", "line" or "point" (the commonest kind)
    frame: gpd.GeoDataFrame     # EPSG:27700, valid geometries, no empty rows
    source_crs: str
    label_column: str | None    # a default label column, or None

    @property
    def n_features(self) -> int:
        return len(self.frame)


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError("file not found", path=path)
    if path.is_dir():
        if not any(path.glob("*.shp")) and path.suffix.lower() != ".gdb":
            raise InputError("is a folder with no Shapefile in it", path=path,
                             expected="a vector file (.gpkg, .shp, .geojson, .fgb)")
        return
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if not head.strip():
        raise InputError("file is empty", path=path, expected="a vector file (.gpkg, .shp, "
                         ".geojson, .fgb)")
    what = describe_binary(head)
    if what in ("a PNG image", "a JPEG image", "a PDF document", "a Parquet file",
                "an old Excel .xls workbook"):
        raise InputError(f"is {what}, not a vector file", path=path,
                         expected="GeoPackage, Shapefile, GeoJSON or FlatGeobuf")
    if path.suffix.lower() == ".shp":
        missing = [s for s in (".shx",) if not path.with_suffix(s).exists()
                   and not path.with_suffix(s.upper()).exists()]
        if missing:
            raise InputError(f"Shapefile is missing its {', '.join(missing)} index", path=path,
                             hint="Keep the .shp, .shx, .dbf and .prj files together")


def _gdal_reason(exc: Exception) -> str:
    """GDAL's first sentence, without the path it repeats."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text.split(";")[0].replace("'", "").strip()


def _read(path: Path, layer: str | None) -> tuple[gpd.GeoDataFrame, str | None]:
    import pyogrio

    # A gzipped GeoJSON (as open-data portals ship them) is read through GDAL's /vsigzip/.
    source = f"/vsigzip/{path}" if path.suffix.lower() == ".gz" else str(path)
    try:
        layers = pyogrio.list_layers(source)
    except Exception as exc:   # pyogrio.errors.DataSourceError and GDAL's own errors
        first = _gdal_reason(exc).replace(source, "").replace(str(path), "").strip() or "unknown"
        raise InputError(f"GDAL cannot open it as a vector file ({first})", path=path,
                         expected="GeoPackage, Shapefile, GeoJSON or FlatGeobuf") from exc
    names = [str(row[0]) for row in layers]
    with_geometry = [str(row[0]) for row in layers if row[1] is not None]
    if layer is None:
        if not with_geometry:
            raise InputError("has no layer with geometry", path=path,
                             expected="points, lines or polygons",
                             hint="A table without geometry cannot be drawn")
        layer = with_geometry[0] if len(names) > 1 else None
    elif layer not in names:
        raise InputError(f"has no layer '{layer}'", path=path, expected=", ".join(names))
    try:
        frame = gpd.read_file(source, layer=layer, engine="pyogrio")
    except Exception as exc:
        first = _gdal_reason(exc)
        raise InputError(f"cannot be read ({type(exc).__name__}: {first})", path=path,
                         hint="Open it in your GIS and save it again as a GeoPackage") from exc
    return frame, layer


def load_vector_layer(path: str | Path, *, layer: str | None = None,
                      title: str | None = None) -> VectorLayer:
    """Read ``path`` (one layer of it), reproject to EPSG:27700 and check it is drawable."""
    path = Path(path)
    _check_file(path)
    frame, layer = _read(path, layer)
    where = f"{path}" + (f" (layer {layer})" if layer else "")
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        raise InputError("has no geometry column", path=where, expected="points, lines or polygons")
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if frame.empty:
        raise InputError("has no features with geometry", path=where)
    if frame.crs is None:
        raise InputError("has no coordinate reference system", path=where,
                         expected="a CRS (a .prj beside a Shapefile, or the GeoPackage's SRS)",
                         hint="Save it again from your GIS with its CRS (e.g. EPSG:27700)")
    source_crs = frame.crs.to_string()
    try:
        frame = frame.to_crs(BNG)
    except Exception as exc:
        raise InputError(f"cannot be reprojected from {source_crs} to EPSG:27700 ({exc})",
                         path=where) from exc
    minx, miny, maxx, maxy = frame.total_bounds
    lo_x, lo_y, hi_x, hi_y = GB_EXTENT_M
    if not (np.all(np.isfinite([minx, miny, maxx, maxy])) and maxx > lo_x and minx < hi_x
            and maxy > lo_y and miny < hi_y):
        raise InputError(f"features fall outside Great Britain after reprojection from "
                         f"{source_crs}", path=where,
                         expected="coordinates in or near London",
                         hint="The file's CRS is probably wrong (e.g. metres labelled as degrees)")
    kinds = frame.geometry.geom_type.map(KINDS)
    if kinds.isna().any():
        other = sorted(set(frame.geometry.geom_type[kinds.isna()]))
        raise InputError(f"holds geometry types the map cannot draw: {', '.join(other)}",
                         path=where, expected="points, lines or polygons")
    vertices = int(shapely.get_num_coordinates(frame.geometry.values).sum())
    if vertices > MAX_VERTICES:
        raise InputError(f"has {vertices:,} vertices, too many to draw interactively",
                         path=where, expected=f"at most {MAX_VERTICES:,}",
                         hint="Simplify it in your GIS or clip it to the area you need")
    kind = str(kinds.value_counts().idxmax())
    if kind == "polygon":
        frame = frame.assign(geometry=shapely.make_valid(frame.geometry.values))
    columns = [str(c) for c in frame.columns if c != frame.geometry.name]
    texts = [c for c in columns if pd.api.types.is_string_dtype(frame[c])
             or frame[c].dtype == object]
    label = next((c for c in texts if any(h in c.lower() for h in LABEL_HINTS)), None)
    label = label or next((c for c in texts if _ONS_NAME.match(c.lower())), None)
    return VectorLayer(path=path.resolve(), layer=layer,
                       title=title or (layer or path.name.split(".")[0]), kind=kind,
                       frame=frame.reset_index(drop=True), source_crs=source_crs,
                       label_column=label)
