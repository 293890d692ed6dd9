"""The Poisson regression behind the default forecaster, on known truth (synthetic, unit
level) and on the shipped lattice."""

import numpy as np
import pytest

from workstation.errors import InputError
from workstation.maps.counts import IncidentCounts
from workstation.maps.glm_forecast import FEATURE_NAMES, CellHistory, glm_forecast, poisson_fit


def test_poisson_fit_recovers_known_coefficients():
    rng = np.random.default_rng(11)
    n = 40_000
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.normal(size=n), rng.random(n) < 0.3])
    truth = np.array([-1.0, 0.8, -0.4, 1.2])
    offset = np.log(rng.choice([1.0, 3.0, 6.0], size=n))
    y = rng.poisson(np.exp(X @ truth + offset))
    beta = poisson_fit(X, y, offset)
    assert beta == pytest.approx(truth, abs=0.04)


def test_poisson_fit_survives_a_bad_start():
    """Step halving: a start far from the optimum still converges to the same answer."""
    rng = np.random.default_rng(3)
    X = np.column_stack([np.ones(5_000), rng.normal(size=5_000)])
    y = rng.poisson(np.exp(0.5 + 0.7 * X[:, 1]))
    assert poisson_fit(X, y, start=np.array([8.0, -6.0])) == pytest.approx(poisson_fit(X, y), abs=1e-6)


def test_regression_learns_that_chronic_places_stay_hot(grid_100):
    """Synthetic truth on London's grid: 300 cells with a steady high rate, the rest with a
    low one. The fitted forecast ranks the chronic cells top and gives their rate per month."""
    rng = np.random.default_rng(7)
    inside_rows, inside_cols = np.nonzero(grid_100.inside)
    chronic = rng.choice(inside_rows.size, 300, replace=False)
    rate = np.full(inside_rows.size, 0.01)
    rate[chronic] = 2.0
    xs, ys, months = [], [], []
    for m in range(36):
        n = rng.poisson(rate)
        cells = np.repeat(np.arange(rate.size), n)
        xs.append(grid_100.x0_m + (inside_cols[cells] + 0.5) * grid_100.cell_m)
        ys.append(grid_100.y0_m + (inside_rows[cells] + 0.5) * grid_100.cell_m)
        months += [f"{2021 + m // 12}-{m % 12 + 1:02d}"] * int(n.sum())
    x, y = np.concatenate(xs), np.concatenate(ys)
    ones = np.ones(x.size)
    counts = IncidentCounts(x_m=x, y_m=y, count=ones, harm=ones, month=np.array(months, dtype="U7"),
                            crime_type=np.full(x.size, "Burglary"), gss_code=np.full(x.size, ""))
    surface, params = glm_forecast(counts, grid_100, last_month="2023-12", horizon_months=3)
    assert len(params.coefficients) == len(FEATURE_NAMES)
    top = np.argsort(-surface[grid_100.inside])[:300]
    assert len(set(top) & set(chronic)) >= 295
    assert np.median(surface[grid_100.inside][chronic]) == pytest.approx(2.0, rel=0.1)


def test_harm_and_count_forecasts_differ_on_real_data(lattice_counts, grid_100):
    history = lattice_counts.filter(months=("2022-01", "2024-08"))
    by_count, _ = glm_forecast(history, grid_100, last_month="2024-08", horizon_months=1)
    by_harm, _ = glm_forecast(history, grid_100, last_month="2024-08", horizon_months=1, value="harm")
    assert by_count.sum() > 0 and by_harm.sum() > by_count.sum()  # burglary weighs > 1 per incident
    with pytest.raises(InputError, match="unknown forecast value"):
        CellHistory(history, grid_100, "victims")


def test_too_little_history_is_a_clear_error(lattice_counts, grid_100):
    short = lattice_counts.filter(months=("2024-06", "2024-08"))
    with pytest.raises(InputError, match="months of incidents"):
        glm_forecast(short, grid_100, last_month="2024-08", horizon_months=6)
