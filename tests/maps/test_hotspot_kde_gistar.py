"""KDE and Gi* against brute force / esda, BH-FDR on known cases, a planted cluster found."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from workstation.domain import CancelToken, Cancelled
from workstation.maps.counts import IncidentCounts
from workstation.maps.gistar import benjamini_hochberg, find_hotspots, gi_star_z, label_by_borough
from workstation.maps.grid import Grid
from workstation.maps.kde import kde_surface


def synthetic_grid(n_rows=40, n_cols=50, cell_m=100.0, split_col=None, hole=False) -> Grid:
    index = np.zeros((n_rows, n_cols), dtype=np.int16)
    if split_col is not None:
        index[:, split_col:] = 1
    if hole:  # an irregular study area: a notch of cells outside London
        index[:8, :12] = -1
    return Grid(cell_m=cell_m, x0_m=500_000.0, y0_m=180_000.0, borough_index=index,
                borough_codes=("E09000001", "E09000002"), borough_names=("A", "B"))


def points(x, y, crime_type="Burglary", month="2024-01", count=None):
    n = len(x)
    count = np.ones(n) if count is None else np.asarray(count, dtype=float)
    return IncidentCounts(x_m=np.asarray(x, float), y_m=np.asarray(y, float), count=count,
                          harm=count * 2.0, month=np.full(n, month, dtype="U7"),
                          crime_type=np.full(n, crime_type).astype(str),
                          gss_code=np.full(n, "E09000001").astype(str))


@pytest.mark.parametrize("kernel, bandwidth_m", [("gaussian", 150.0), ("quartic", 450.0)])
def test_kde_equals_brute_force_at_cell_centres(kernel, bandwidth_m):
    grid = synthetic_grid(n_rows=25, n_cols=30)
    rng = np.random.default_rng(1)
    cols, rows = rng.integers(0, 30, 60), rng.integers(0, 25, 60)
    xc, yc = grid.centres()
    x, y = xc[cols], yc[rows]  # points on cell centres: binning is then exact
    w = rng.integers(1, 4, 60).astype(float)
    result = kde_surface(points(x, y, count=w), grid, bandwidth_m=bandwidth_m, kernel=kernel)
    gx, gy = np.meshgrid(xc, yc)
    d2 = (gx[..., None] - x) ** 2 + (gy[..., None] - y) ** 2
    if kernel == "gaussian":
        k = np.exp(-d2 / (2 * bandwidth_m ** 2)) / (2 * np.pi * bandwidth_m ** 2)
        reach = 4 * bandwidth_m + 1e-6  # the engine truncates at 4 sigma along each axis
        k[(np.abs(gx[..., None] - x) > reach) | (np.abs(gy[..., None] - y) > reach)] = 0.0
    else:
        k = np.where(d2 < bandwidth_m ** 2, 3 / (np.pi * bandwidth_m ** 2) * (1 - d2 / bandwidth_m ** 2) ** 2, 0)
    brute = (k * w).sum(axis=-1) * 1e6  # per km², one month
    assert_allclose(result.incidents_per_km2_per_month, brute, rtol=1e-6, atol=1e-6 * brute.max())
    assert_allclose(result.harm_per_km2_per_month, 2 * brute, rtol=1e-6, atol=2e-6 * brute.max())


def test_kde_conserves_mass_and_reports_per_month():
    grid = synthetic_grid()
    xc, yc = grid.centres()
    pts = points(np.full(24, xc[25]), np.full(24, yc[20]))
    res = kde_surface(pts, grid, bandwidth_m=200.0, n_months=12)
    total = np.nansum(res.incidents_per_km2_per_month) * grid.cell_area_m2 / 1e6
    assert total == pytest.approx(24 / 12, rel=1e-3)  # 2 incidents per month spread over the map


def test_kde_cancel():
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        kde_surface(points([500_050.0], [180_050.0]), synthetic_grid(), cancel=token)


def test_gi_star_matches_esda():
    esda = pytest.importorskip("esda")
    from libpysal.weights import DistanceBand
    grid = synthetic_grid(n_rows=14, n_cols=16, hole=True)
    rng = np.random.default_rng(7)
    values = rng.poisson(1.5, grid.shape).astype(float)
    values[9:12, 10:13] += 6  # some structure
    inside = grid.inside
    band_m = 250.0
    z = gi_star_z(values, inside, cell_m=grid.cell_m, band_m=band_m)
    rows, cols = np.nonzero(inside)
    xc, yc = grid.centres()
    coords = np.column_stack([xc[cols], yc[rows]])
    w = DistanceBand(coords, threshold=band_m, binary=True, silence_warnings=True)
    ref = esda.G_Local(values[rows, cols], w, transform="B", star=True, permutations=0)
    assert_allclose(z[rows, cols], ref.Zs, rtol=1e-9, atol=1e-9)
    assert np.isnan(z[~inside]).all()


def test_benjamini_hochberg_known_cases():
    p = np.array([0.001, 0.01, 0.02, 0.04, 0.3])
    assert benjamini_hochberg(p, 0.05).tolist() == [True, True, True, True, False]
    # step-up: the smallest p fails its own threshold (0.0125) but rank 3 passes, so 1-3 are discoveries
    p = np.array([0.022, 0.9, 0.02, 0.021, np.nan])
    assert benjamini_hochberg(p, 0.05).tolist() == [True, False, True, True, False]
    assert not benjamini_hochberg(np.array([0.02, 0.03, 0.04, 0.5]), 0.05).any()


def test_planted_cluster_is_found_and_noise_is_not():
    grid = synthetic_grid(n_rows=60, n_cols=80, split_col=40)
    rng = np.random.default_rng(42)
    x0, y0 = grid.x0_m, grid.y0_m
    bx = rng.uniform(x0, x0 + 8000, 3000)
    by = rng.uniform(y0, y0 + 6000, 3000)
    noise = find_hotspots(points(bx, by), grid, band_m=200.0)
    assert noise.hot.sum() <= 3  # FDR keeps pure noise (almost) clean
    cx, cy = x0 + 2050.0, y0 + 3050.0
    px = np.concatenate([bx, rng.normal(cx, 60, 150)])
    py = np.concatenate([by, rng.normal(cy, 60, 150)])
    result = find_hotspots(points(px, py), grid, band_m=200.0)
    top = result.hotspots.iloc[0]
    assert top.hotspot_id == 1 and top.gss_code == "E09000001"
    assert top.geometry.distance(__import__("shapely").Point(cx, cy)) == 0
    assert top.incidents >= 120 and top.harm == pytest.approx(2 * top.incidents)
    row, col, _ = grid.cell_of(np.array([cx]), np.array([cy]))
    assert result.labels[row[0], col[0]] == 1 and result.z_score[row[0], col[0]] > 5
    cells = result.cells_frame()
    assert cells.crs.to_epsg() == 27700 and int(cells["hot"].sum()) == int(result.hot.sum())


def test_hotspots_do_not_cross_borough_boundaries():
    grid = synthetic_grid(n_rows=10, n_cols=10, split_col=5)
    hot = np.zeros(grid.shape, dtype=bool)
    hot[4:6, 3:8] = True  # one blob straddling the boundary
    hot[0, 0] = hot[1, 1] = True  # diagonal neighbours join (8-connected)
    labels, n = label_by_borough(hot, grid.borough_index)
    assert n == 3
    assert len(np.unique(labels[4:6, 3:5])) == 1 and labels[4, 3] != labels[4, 6]
    assert labels[0, 0] == labels[1, 1] != 0
