"""PAI / RRI arithmetic and the default forecaster against the naive baseline on real data."""

import numpy as np
import pytest

from workstation.maps.accuracy import evaluate, pai_rri, rolling_windows, selection_weights


def test_selection_shares_ties_fairly():
    inside = np.ones((1, 10), dtype=bool)
    score = np.array([[5, 3, 3, 3, 3, 0, 0, 0, 0, 0]], dtype=float)
    sel = selection_weights(score, inside, 0.3)  # 3 cells: the 5, then 2 of the four 3s
    assert sel.sum() == pytest.approx(3)
    assert sel[0, 0] == 1 and np.allclose(sel[0, 1:5], 0.5) and not sel[0, 5:].any()


def test_pai_and_rri_by_hand():
    inside = np.ones((2, 5), dtype=bool)
    inside[1, 4] = False  # outside London: never flagged, never counted
    score = np.arange(10, dtype=float).reshape(2, 5)
    test = np.zeros((2, 5))
    test[1, 3] = 3
    test[0, 0] = 1
    test[1, 4] = 50
    train = np.ones((2, 5))
    out = pai_rri(score, inside, test, train, fractions=(1 / 9,))[1 / 9]
    # top cell inside London is (1, 3): 3 of 4 test incidents on 1/9 of the area
    assert out["hit_rate"] == pytest.approx(0.75)
    assert out["pai"] == pytest.approx(0.75 * 9)
    assert out["rri"] == pytest.approx(0.75 / (1 / 9))


def test_rolling_windows_cover_the_data_newest_last():
    windows = rolling_windows("2019-01", "2024-08", train_months=12, test_months=6)
    assert windows[-1] == ("2023-03", "2024-02", "2024-03", "2024-08")
    assert windows[0][0] >= "2019-01" and len(windows) == 9
    assert all(a[3] < b[2] for a, b in zip(windows, windows[1:]))


@pytest.fixture(scope="module")
def latest_windows(lattice_counts, grid_100):
    """Three most recent rolling windows on the shipped lattice (naive and default only)."""
    windows = rolling_windows("2019-01", "2024-08")[-3:]
    return evaluate(lattice_counts, grid_100, windows=windows, methods=("naive", "default", "kde"))


def test_naive_baseline_is_as_strong_as_documented(latest_windows):
    mean = latest_windows.mean.set_index(["method", "area_share"])["pai"]
    assert 12 < mean["naive", 0.01] < 20
    assert 6.5 < mean["naive", 0.05] < 10
    assert mean["kde", 0.05] < mean["naive", 0.05]  # a plain sigma=100 m KDE loses to naive


def test_default_beats_naive_at_five_percent(latest_windows):
    mean = latest_windows.mean.set_index(["method", "area_share"])
    assert mean.loc[("default", 0.05), "pai"] > mean.loc[("naive", 0.05), "pai"]
    assert mean.loc[("default", 0.05), "hit_rate"] > mean.loc[("naive", 0.05), "hit_rate"]
    assert set(latest_windows.default_params) == {"2023-03", "2023-09", "2024-03"}
    rows = latest_windows.windows
    assert set(rows["method"]) == {"naive", "default", "kde"} and len(rows) == 3 * 3 * 3
