"""PAI / RRI arithmetic and the default forecaster against the naive baseline on real data."""

import numpy as np
import pytest

from workstation.maps.accuracy import (evaluate, pai_rri, rolling_windows, selection_weights,
                                       top_share_hit_rates)


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


def test_fast_hit_rates_match_pai_rri_with_ties():
    rng = np.random.default_rng(5)
    inside = rng.random((40, 50)) > 0.2
    score = rng.integers(0, 6, size=(40, 50)).astype(float)  # many ties at every cut-off
    test = rng.poisson(1.0, size=(40, 50)).astype(float)
    slow = pai_rri(score, inside, test, np.ones_like(test))
    fast = top_share_hit_rates(score[inside], test[inside], (0.01, 0.02, 0.05))
    assert fast == pytest.approx([slow[f]["hit_rate"] for f in (0.01, 0.02, 0.05)])


@pytest.fixture(scope="module")
def rolling(lattice_counts, grid_100):
    """The 9 newest rolling 6-month test windows of the shipped lattice (2020-03..2024-08)."""
    return evaluate(lattice_counts, grid_100, test_months=6, methods=("naive", "default", "kde"))


def test_naive_baseline_is_as_strong_as_documented(rolling):
    latest = rolling.windows[rolling.windows["test_first"] >= "2023-03"]  # the three newest windows
    mean = latest.groupby(["method", "area_share"])["pai"].mean()
    assert 12 < mean["naive", 0.01] < 20
    assert 6.5 < mean["naive", 0.05] < 10
    assert mean["kde", 0.05] < mean["naive", 0.05]  # a plain sigma=100 m KDE loses to naive


@pytest.fixture(scope="module", params=[1, 3, 6], ids=lambda k: f"horizon{k}")
def bar_report(request, lattice_counts, grid_100, rolling):
    """The issue-16 bar at each horizon the user can pick: 9 newest rolling windows."""
    if request.param == 6:
        return rolling
    return evaluate(lattice_counts, grid_100, test_months=request.param, methods=("naive", "default"))


def test_default_beats_naive_by_8_percent_on_held_out_windows(bar_report):
    """Issue 16's bar: fitted on months before each test window only, the default's mean
    PAI at 5 % beats last year's counts by >= 8 % and wins in >= 8 of 9 windows, at a
    horizon of 1, 3 and 6 months."""
    k = bar_report.horizon_months
    assert len(bar_report.default_params) == 9
    bar = bar_report.beats_naive("default", 0.05)
    assert bar["windows"] == 9 and bar["windows_won"] >= 8
    assert bar["gain"] >= 0.08, bar
    mean = bar_report.mean.set_index(["method", "area_share"])
    for fraction in (0.01, 0.02, 0.05):
        assert mean.loc[("default", fraction), "pai"] > mean.loc[("naive", fraction), "pai"]
    rows = bar_report.windows
    # the default saw the whole history before each test, naive only the 12 months
    default_rows = rows[rows["method"] == "default"]
    assert (default_rows["history_first"] == "2019-01").all()
    assert (default_rows["train_last"] < default_rows["test_first"]).all()
    fitted = bar_report.default_params
    assert all(p.fold_months == k and 1 <= p.fit_folds <= 3 for p in fitted.values())
    assert fitted[max(fitted)].fit_folds == 3  # short early histories stack fewer folds
    payload = bar_report.to_dict()
    assert payload["horizon_months"] == k and len(payload["per_window"]) == 9
    assert set(payload["per_window"][0]["methods"]["default"]) == {"1%", "2%", "5%"}
    assert payload["default_params"][rows["test_first"].iloc[-1]]["model"] == "poisson_glm"


def test_six_month_windows_are_the_documented_ones(rolling):
    assert min(rolling.default_params) == "2020-03" and max(rolling.default_params) == "2024-03"
    assert set(rolling.windows["method"]) == {"naive", "default", "kde"} and len(rolling.windows) == 3 * 9 * 3


def test_default_never_sees_its_test_months(lattice_counts, grid_100):
    """Parameters fitted on the history before a test window do not change when the test
    months (and later ones) are added to the data: for the regression and for the blend."""
    from workstation.maps.accuracy import fit_blend
    from workstation.maps.glm_forecast import glm_forecast
    history = lattice_counts.filter(months=("2019-01", "2024-02"))
    surface, fitted = glm_forecast(history, grid_100, last_month="2024-02", horizon_months=6)
    blend = fit_blend(history, grid_100, last_month="2024-02")
    report = evaluate(lattice_counts, grid_100, windows=[("2023-03", "2024-02", "2024-03", "2024-08")],
                      methods=("default", "blend"))
    assert report.default_params["2024-03"] == fitted
    assert report.params["blend"]["2024-03"] == blend
    # and the surface from the full data, origin 2024-02, is the one from the history alone
    again, _ = glm_forecast(lattice_counts, grid_100, last_month="2024-02", params=fitted)
    assert np.array_equal(again, surface)
    # a forecast per month: London's total is close to the mean month of the last year
    last_year = lattice_counts.filter(months=("2023-03", "2024-02"))
    assert surface.sum() == pytest.approx(last_year.count.sum() / 12, rel=0.15)


def test_horizon_one_month_windows(lattice_counts, grid_100):
    """Horizon 1: one-month test windows, the newest first months held out in turn."""
    report = evaluate(lattice_counts, grid_100, test_months=1, n_windows=2, methods=("naive", "decay"))
    assert report.horizon_months == 1
    tested = report.windows[["test_first", "test_last"]].drop_duplicates()
    assert list(map(tuple, tested.to_numpy())) == [("2024-07", "2024-07"), ("2024-08", "2024-08")]
    assert report.params["decay"]["2024-08"].blend == 0  # decay alone: no KDE
