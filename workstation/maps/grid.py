"""A regular British National Grid raster over London, tagged with boroughs.

Hotspot maths runs on arrays (binning, FFT convolution, labelling), so the study area is a
raster: ``borough_index[row, col]`` is the position of the cell's borough in
``borough_codes`` (canonical gss_code order) or -1 outside London. A cell belongs to the
borough containing its centre, which clips the grid to the borough boundaries at the
resolution of one cell. Polygons are only built when a result is exported or drawn.
Row 0 is the southernmost row; cell (r, c) spans x0+c*cell..x0+(c+1)*cell.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import shapely

from workstation.domain import BNG, CancelToken, ProgressFn, check_cancel, no_progress
from workstation.errors import InputError


@dataclass(frozen=True, slots=True)
class Grid:
    cell_m: float
    x0_m: float              # west edge of column 0
    y0_m: float              # south edge of row 0
    borough_index: np.ndarray  # (n_rows, n_cols) int16, -1 outside London
    borough_codes: tuple[str, ...]
    borough_names: tuple[str, ...]

    @property
    def shape(self) -> tuple[int, int]:
        return self.borough_index.shape  # type: ignore[return-value]

    @property
    def inside(self) -> np.ndarray:
        """Boolean mask of cells inside London: the study area for statistics and accuracy."""
        return self.borough_index >= 0

    @property
    def n_inside(self) -> int:
        return int(self.inside.sum())

    @property
    def cell_area_m2(self) -> float:
        return self.cell_m * self.cell_m

    @property
    def area_inside_m2(self) -> float:
        return self.n_inside * self.cell_area_m2

    def restricted_to(self, gss_codes) -> "Grid":
        """The same grid with only these boroughs' cells inside: the study area (and the area
        shares of PAI/RRI) for a borough-level analysis."""
        wanted = list(gss_codes)
        unknown = sorted(set(wanted) - set(self.borough_codes))
        if unknown:
            raise InputError(f"unknown borough GSS code(s) {', '.join(unknown)}",
                             expected="E09 codes of London boroughs, e.g. E09000033")
        keep = np.array([code in wanted for code in self.borough_codes] + [False])
        index = np.where(keep[self.borough_index], self.borough_index, -1).astype(self.borough_index.dtype)
        return replace(self, borough_index=index)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """1-D cell-centre coordinates: x per column, y per row."""
        n_rows, n_cols = self.shape
        return (self.x0_m + (np.arange(n_cols) + 0.5) * self.cell_m,
                self.y0_m + (np.arange(n_rows) + 0.5) * self.cell_m)

    def cell_of(self, x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row, column and an in-grid flag for each point."""
        col = np.floor((np.asarray(x_m) - self.x0_m) / self.cell_m).astype(np.int64)
        row = np.floor((np.asarray(y_m) - self.y0_m) / self.cell_m).astype(np.int64)
        n_rows, n_cols = self.shape
        ok = (row >= 0) & (row < n_rows) & (col >= 0) & (col < n_cols)
        return row, col, ok

    def bin(self, x_m: np.ndarray, y_m: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Sum of weights per cell (points off the grid are dropped)."""
        return self.bin_many(x_m, y_m, weights)[0]

    def bin_many(self, x_m: np.ndarray, y_m: np.ndarray, *weights: np.ndarray | None) -> list[np.ndarray]:
        """Several per-cell sums of the same points, locating each point only once."""
        row, col, ok = self.cell_of(x_m, y_m)
        n_rows, n_cols = self.shape
        flat = row[ok] * n_cols + col[ok]
        out = []
        for w in weights or (None,):
            wk = None if w is None else np.asarray(w, dtype=np.float64)[ok]
            out.append(np.bincount(flat, weights=wk, minlength=n_rows * n_cols)
                       .astype(np.float64).reshape(n_rows, n_cols))
        return out

    def cell_polygons(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Square polygons (shapely array) for the given cells; built only on demand."""
        x = self.x0_m + np.asarray(cols) * self.cell_m
        y = self.y0_m + np.asarray(rows) * self.cell_m
        return shapely.box(x, y, x + self.cell_m, y + self.cell_m)

    def to_geodataframe(self, columns: dict[str, np.ndarray] | None = None,
                        mask: np.ndarray | None = None):
        """Cells (inside London, or ``mask``) as a GeoDataFrame in EPSG:27700 with the given
        per-cell arrays as columns: the export/drawing boundary, kept out of the hot path."""
        import geopandas as gpd
        mask = self.inside if mask is None else (mask & self.inside)
        rows, cols = np.nonzero(mask)
        index = self.borough_index[rows, cols]
        data = {"row": rows, "col": cols,
                "gss_code": np.asarray(self.borough_codes, dtype=object)[index]}
        for name, values in (columns or {}).items():
            data[name] = np.asarray(values)[rows, cols]
        return gpd.GeoDataFrame(data, geometry=self.cell_polygons(rows, cols), crs=BNG)


def build_grid(boroughs, *, cell_m: float = 150.0, progress: ProgressFn = no_progress,
               cancel: CancelToken | None = None) -> Grid:
    """Rasterise the borough polygons (EPSG:27700 GeoDataFrame with gss_code, name).

    The grid origin is snapped to multiples of ``cell_m`` so a 100 m grid lines up with
    the pack's 100 m lattice and with OS grid squares.
    """
    if not (10.0 <= cell_m <= 5000.0):
        raise InputError(f"cell size {cell_m} m is out of range", column="cell_m",
                         expected="10 to 5000 metres")
    if boroughs.crs is not None and boroughs.crs.to_epsg() != 27700:
        boroughs = boroughs.to_crs(BNG)
    ordered = boroughs.sort_values("gss_code").reset_index(drop=True)
    minx, miny, maxx, maxy = ordered.total_bounds
    x0 = np.floor(minx / cell_m) * cell_m
    y0 = np.floor(miny / cell_m) * cell_m
    n_cols = int(np.ceil((maxx - x0) / cell_m))
    n_rows = int(np.ceil((maxy - y0) / cell_m))
    index = np.full((n_rows, n_cols), -1, dtype=np.int16)
    xs = x0 + (np.arange(n_cols) + 0.5) * cell_m
    ys = y0 + (np.arange(n_rows) + 0.5) * cell_m
    geoms = ordered.geometry.to_numpy()
    for k, geom in enumerate(geoms):
        check_cancel(cancel)
        bx0, by0, bx1, by1 = geom.bounds
        c0, c1 = np.searchsorted(xs, [bx0, bx1])
        r0, r1 = np.searchsorted(ys, [by0, by1])
        if c1 <= c0 or r1 <= r0:
            continue
        gx, gy = np.meshgrid(xs[c0:c1], ys[r0:r1])
        shapely.prepare(geom)
        hit = shapely.contains_xy(geom, gx, gy)
        block = index[r0:r1, c0:c1]
        block[hit & (block < 0)] = k
        progress((k + 1) / len(geoms), "rasterising boroughs")
    names = tuple(ordered["name"].astype(str)) if "name" in ordered.columns else tuple(
        ordered["gss_code"].astype(str))
    return Grid(cell_m=float(cell_m), x0_m=float(x0), y0_m=float(y0), borough_index=index,
                borough_codes=tuple(ordered["gss_code"].astype(str)), borough_names=names)
