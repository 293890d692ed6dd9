"""How well does a hotspot map from past months predict where next months' incidents fall?

Predictive Accuracy Index (Chainey, Tompson & Uhlig 2008): flag the top x % of London's
grid cells by forecast score; PAI = (share of test incidents in flagged cells) / x.
Recapture Rate Index (Levine 2008): RRI = (n_test/N_test) / (n_train/N_train) over the
same flagged cells: > 1 means the flagged cells held even more of the test than of the
training incidents. Cells tied at the cut-off share the remaining area equally (the
expected value under random tie-breaking), so coarse count forecasts are not flattered or
penalised by an arbitrary cell order.

Forecasts are made on rolling windows: test on the next h months (the horizon: 1, 3 or 6),
train on what came before. ``naive``, ``kde``, ``gistar`` and ``window12`` (the default
of issue 5) see the 12 months before the test; ``decay``, ``blend`` (the default until
the regression) and ``default`` see the whole history before the test months. ``decay``
is exponentially decayed counts (half-life chosen on validation folds that end before
the test months), ``blend`` those blended with their KDE, and ``default`` the Poisson
regression of ``glm_forecast`` fitted for the horizon. No parameter is ever chosen on
test months.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from workstation.domain import CancelToken, ProgressFn, check_cancel, no_progress
from workstation.errors import InputError
from workstation.maps.counts import IncidentCounts, month_add, month_number, month_span
from workstation.maps.gistar import gi_star_z
from workstation.maps.glm_forecast import GlmParams, glm_forecast
from workstation.maps.grid import Grid
from workstation.maps.kde import smooth

AREA_FRACTIONS = (0.01, 0.02, 0.05)
NAIVE_MONTHS = 12            # the standard "last year's counts" baseline
KDE_BANDWIDTH_M = 100.0      # plain Gaussian KDE benchmark (brief: sigma = 100 m)
METHODS = ("naive", "kde", "gistar", "window12", "decay", "blend", "default")
HORIZONS_MONTHS = (1, 3, 6)

# ``blend`` (the default before the regression, and still the surface the patrol
# micro-places rank): exponentially decayed history blended with its Gaussian KDE, every choice
# made by rolling-origin validation before the test months. Half-lives from "the last
# season" (4 months) to "all months equal" (inf); bandwidths one to three 100 m cells;
# blend 0 = decayed counts alone. Repeat and near-repeat victimisation (Johnson & Bowers
# 2004) motivates recency weighting and local smoothing; operational forecasters weight
# past events by their age too (e.g. Mohler et al. 2015; Rosser et al. 2017). Per window
# every parameter is chosen on validation folds before the test months. The *design* (this grid; 3 folds of 3 months rather than 2 of 6, which did
# 0.4 points worse) was compared on the same 9 windows during development, so the
# reported gain carries a small optimistic bias: see docs/method-hotspots.md.
HALF_LIVES_MONTHS = (4.0, 6.0, 9.0, 12.0, 18.0, 24.0, float("inf"))
BANDWIDTHS_M = (100.0, 200.0, 300.0)
BLENDS = (0.25, 0.5, 0.75)
VALIDATION_MONTHS = 3
VALIDATION_FOLDS = 3
# The issue-5 default, kept as the ``window12`` candidate: 12-month window only.
WINDOW12_HALF_LIVES_MONTHS = (3.0, 6.0, 12.0, float("inf"))
WINDOW12_BANDWIDTHS_M = (100.0, 200.0, 400.0)
WINDOW12_BLENDS = (0.1, 0.25, 0.5, 0.75)
WINDOW12_FOLDS = 2
# Validation objective: hit rate at 5 % of area (the yardstick). Selecting on mean
# PAI over 1/2/5 % lost more often at 5 %: the top 1 % of 3-month folds is too noisy to steer by.
VALIDATION_FRACTIONS = (0.05,)


def selection_weights(score: np.ndarray, inside: np.ndarray, fraction: float) -> np.ndarray:
    """Per-cell share of being flagged (1, 0, or equal shares for ties at the cut-off)."""
    if not 0 < fraction <= 1:
        raise InputError(f"area fraction {fraction} is out of range", expected="0 < fraction <= 1")
    s = np.where(inside, np.nan_to_num(score, nan=-np.inf), -np.inf)
    n_inside = int(inside.sum())
    k = int(round(fraction * n_inside))
    flat = s.reshape(-1)
    weights = np.zeros(flat.shape, dtype=np.float64)
    if k <= 0:
        return weights.reshape(s.shape)
    kth = np.partition(flat, flat.size - k)[flat.size - k]  # k-th largest value
    above = flat > kth
    tied = (flat == kth) & np.isfinite(flat) if np.isfinite(kth) else (flat == kth) & inside.reshape(-1)
    weights[above] = 1.0
    remaining = k - int(above.sum())
    if tied.any() and remaining > 0:
        weights[tied] = remaining / int(tied.sum())
    return weights.reshape(s.shape)


def pai_rri(score: np.ndarray, inside: np.ndarray, test: np.ndarray, train: np.ndarray,
            fractions: tuple[float, ...] = AREA_FRACTIONS) -> dict[float, dict[str, float]]:
    """Hit rate, PAI and RRI of one forecast at each area fraction (cells inside London only)."""
    n_test = float(test[inside].sum())
    n_train = float(train[inside].sum())
    out: dict[float, dict[str, float]] = {}
    for fraction in fractions:
        sel = selection_weights(score, inside, fraction)
        area_share = float(sel.sum()) / int(inside.sum())
        hit = float((sel * test).sum()) / n_test if n_test > 0 else float("nan")
        train_share = float((sel * train).sum()) / n_train if n_train > 0 else float("nan")
        out[fraction] = {"hit_rate": hit, "pai": hit / area_share if area_share > 0 else float("nan"),
                         "rri": hit / train_share if train_share > 0 else float("nan")}
    return out


# --------------------------------------------------------------------------- forecasters


def _month_ages(train: IncidentCounts, last_month: str) -> np.ndarray:
    """Age in months of each point relative to ``last_month`` (0 = the last training month);
    from the integer month numbers (a unique over a million strings costs ~10x more)."""
    if len(train) == 0:
        return np.zeros(0, dtype=np.float64)
    return (month_number(last_month) - train.month_numbers()).astype(np.float64)


def recency_counts(train: IncidentCounts, grid: Grid, *, last_month: str, half_life_months: float,
                   ages: np.ndarray | None = None) -> np.ndarray:
    """Counts per cell with each month weighted 0.5 ** (age / half-life) (inf = plain counts)."""
    ages = _month_ages(train, last_month) if ages is None else ages
    decay = np.ones(ages.shape) if np.isinf(half_life_months) else 0.5 ** (ages / half_life_months)
    return grid.bin(train.x_m, train.y_m, train.count * decay)


def naive_forecast(train: IncidentCounts, grid: Grid, *, last_month: str) -> np.ndarray:
    """Incidents per cell over the last 12 training months."""
    recent = train.filter(months=(month_add(last_month, 1 - NAIVE_MONTHS), last_month))
    return grid.bin(recent.x_m, recent.y_m, recent.count)


def kde_forecast(train: IncidentCounts, grid: Grid, *, last_month: str,
                 bandwidth_m: float = KDE_BANDWIDTH_M) -> np.ndarray:
    return smooth(grid.bin(train.x_m, train.y_m, train.count), grid.cell_m, bandwidth_m)


def gistar_forecast(train: IncidentCounts, grid: Grid, *, last_month: str) -> np.ndarray:
    """Gi* z of training counts (band = two cells): the hotspot map itself as a forecast."""
    values = grid.bin(train.x_m, train.y_m, train.count)
    return gi_star_z(values, grid.inside, cell_m=grid.cell_m, band_m=2 * grid.cell_m)


@dataclass(frozen=True, slots=True)
class BlendParams:
    half_life_months: float
    bandwidth_m: float      # 0 when blend is 0 (decayed counts alone)
    blend: float            # weight of the smoothed surface (0 = counts only)
    validation_hit_rate: float = float("nan")  # mean over folds at VALIDATION_FRACTIONS

    def to_dict(self) -> dict:
        return {"model": "decay_kde_blend",
                "half_life_months": None if np.isinf(self.half_life_months) else self.half_life_months,
                "bandwidth_m": self.bandwidth_m, "blend": self.blend,
                "validation_hit_rate_5pct": self.validation_hit_rate}

    def describe(self) -> str:
        decay = "no decay" if np.isinf(self.half_life_months) else f"half-life {self.half_life_months:g} months"
        smoothing = f"KDE {self.bandwidth_m:g} m, blend {self.blend:g}" if self.blend > 0 else "no KDE"
        return f"{decay}, {smoothing}"


def _blend_scores(train: IncidentCounts, grid: Grid, last_month: str,
                  half_lives=HALF_LIVES_MONTHS, bandwidths=BANDWIDTHS_M, blends=BLENDS,
                  include_counts: bool = True):
    """Yield (params, score) for every candidate; each FFT is shared across blend weights."""
    ages = _month_ages(train, last_month)
    for h in half_lives:
        counts = recency_counts(train, grid, last_month=last_month, half_life_months=h, ages=ages)
        if include_counts:
            yield BlendParams(h, 0.0, 0.0), counts
        for b in bandwidths:
            smoothed = smooth(counts, grid.cell_m, b) * grid.cell_area_m2  # expected count per cell
            for beta in blends:
                yield BlendParams(h, b, beta), (1 - beta) * counts + beta * smoothed


def top_share_hit_rates(score_in: np.ndarray, actual_in: np.ndarray,
                        fractions: tuple[float, ...] = AREA_FRACTIONS) -> np.ndarray:
    """Hit rate at each area fraction for 1-D arrays of cells inside London: the same numbers
    as ``pai_rri`` (ties at the cut-off share the remaining area), from one partial sort for
    all fractions instead of a full-grid partition per fraction: the validation loop scores
    ~100 candidates per window, and this is its cost."""
    n = score_in.size
    total = float(actual_in.sum())
    ks = [int(round(f * n)) for f in fractions]
    k_max = max(ks)
    if total <= 0 or k_max <= 0:
        return np.full(len(fractions), np.nan)
    top = np.argpartition(score_in, n - k_max)[n - k_max:]
    top = top[np.argsort(-score_in[top], kind="stable")]
    top_score, top_actual = score_in[top], actual_in[top]
    hits = np.empty(len(fractions))
    for i, k in enumerate(ks):
        if k <= 0:
            hits[i] = 0.0
            continue
        kth = top_score[k - 1]
        above = top_score[:k] > kth
        n_above = int(above.sum())
        tied = score_in == kth
        share = (k - n_above) / int(tied.sum())
        hits[i] = (float(top_actual[:k][above].sum()) + share * float(actual_in[tied].sum())) / total
    return hits


def fit_blend(train: IncidentCounts, grid: Grid, *, last_month: str,
                validation_months: int = VALIDATION_MONTHS, folds: int = VALIDATION_FOLDS,
                fractions: tuple[float, ...] = VALIDATION_FRACTIONS,
                half_lives=HALF_LIVES_MONTHS, bandwidths=BANDWIDTHS_M, blends=BLENDS,
                include_counts: bool = True) -> BlendParams:
    """Pick the candidate with the best mean hit rate at ``fractions`` of the area over
    ``folds`` rolling origins inside ``train``: fit on its months before the fold,
    validate on the fold's ``validation_months``, then step back. Only ``train`` is seen
    (the caller passes months before the test)."""
    inside = grid.inside
    first = train.month_range()
    if first is None:
        raise InputError("no training incidents to fit the blend forecaster")
    totals: dict[BlendParams, list[float]] = {}
    for fold in range(folds):
        val_last = month_add(last_month, -fold * validation_months)
        val_first = month_add(val_last, 1 - validation_months)
        fit_last = month_add(val_first, -1)
        if month_span(first[0], fit_last) < validation_months:
            break
        fit = train.filter(months=(first[0], fit_last))
        val = train.filter(months=(val_first, val_last))
        actual_in = grid.bin(val.x_m, val.y_m, val.count)[inside]
        if actual_in.sum() <= 0:
            continue
        for params, score in _blend_scores(fit, grid, fit_last, half_lives, bandwidths, blends,
                                           include_counts):
            hits = top_share_hit_rates(score[inside], actual_in, fractions)
            totals.setdefault(params, []).append(float(hits.mean()))
    if not totals:  # too few months to validate: a middle-of-the-road choice
        return BlendParams(12.0, 200.0, 0.5) if bandwidths else BlendParams(12.0, 0.0, 0.0)
    best = max(totals, key=lambda p: (np.mean(totals[p]), -p.blend))
    return BlendParams(best.half_life_months, best.bandwidth_m, best.blend, float(np.mean(totals[best])))


def blended_surface(values_counts: IncidentCounts, grid: Grid, params: BlendParams, *,
                    last_month: str, value: str = "count") -> np.ndarray:
    """The forecaster's surface per cell: decayed totals of ``count`` or ``harm``, blended
    with their KDE, divided by the decay weights of the months covered, so the result is
    a forecast *per month* (incidents or harm per cell per month)."""
    train = values_counts
    ages = _month_ages(train, last_month)
    h = params.half_life_months
    decay = np.ones(ages.shape) if np.isinf(h) else 0.5 ** (ages / h)
    weights = train.count if value == "count" else train.harm
    totals = grid.bin(train.x_m, train.y_m, weights * decay)
    if params.blend > 0:
        smoothed = smooth(totals, grid.cell_m, params.bandwidth_m) * grid.cell_area_m2
        totals = (1 - params.blend) * totals + params.blend * smoothed
    span = train.month_range()
    if span is None:
        return totals
    n = month_span(span[0], last_month)
    month_ages = np.arange(n, dtype=np.float64)
    month_weight = float(n if np.isinf(h) else (0.5 ** (month_ages / h)).sum())
    return totals / month_weight


def blend_forecast(train: IncidentCounts, grid: Grid, *, last_month: str, horizon_months: int = 6,
                   params: BlendParams | None = None) -> tuple[np.ndarray, BlendParams]:
    """Decayed history blended with its KDE: parameters fitted on ``train`` (the whole
    history before the test months), then applied to all of it. Validated on 3-month
    folds whatever the horizon (``horizon_months`` is accepted for a uniform call)."""
    params = params or fit_blend(train, grid, last_month=last_month)
    return blended_surface(train, grid, params, last_month=last_month), params


def decay_forecast(train: IncidentCounts, grid: Grid, *, last_month: str,
                   horizon_months: int = 6) -> tuple[np.ndarray, BlendParams]:
    """Exponentially decayed counts alone (no KDE), half-life chosen on validation."""
    params = fit_blend(train, grid, last_month=last_month, bandwidths=())
    return blended_surface(train, grid, params, last_month=last_month), params


def window12_forecast(train: IncidentCounts, grid: Grid, *, last_month: str,
                      horizon_months: int = 6) -> tuple[np.ndarray, BlendParams]:
    """The issue-5 default: the same family on the 12-month training window only."""
    params = fit_blend(train, grid, last_month=last_month, folds=WINDOW12_FOLDS,
                         half_lives=WINDOW12_HALF_LIVES_MONTHS, bandwidths=WINDOW12_BANDWIDTHS_M,
                         blends=WINDOW12_BLENDS, include_counts=False)
    return blended_surface(train, grid, params, last_month=last_month), params


FORECASTERS: dict[str, Callable[..., np.ndarray]] = {
    "naive": naive_forecast, "kde": kde_forecast, "gistar": gistar_forecast,
}


# --------------------------------------------------------------------------- evaluation


def default_forecast(train: IncidentCounts, grid: Grid, *, last_month: str,
                     horizon_months: int = 6) -> tuple[np.ndarray, GlmParams]:
    """The shipped forecaster: the Poisson regression fitted for this horizon."""
    return glm_forecast(train, grid, last_month=last_month, horizon_months=horizon_months)


ForecastParams = BlendParams | GlmParams
HISTORY_METHODS = ("decay", "blend", "default")   # see every month before the test, not just 12
FITTED = {"default": default_forecast, "blend": blend_forecast, "decay": decay_forecast,
          "window12": window12_forecast}
N_WINDOWS = 9  # newest rolling windows evaluated per horizon (the 9-window bar)


@dataclass(frozen=True, slots=True)
class AccuracyReport:
    """``windows``: one row per method, window and area share (hit_rate, pai, rri);
    ``mean``: per method and area share, averaged over windows. ``params``: the fitted
    parameters of each validated method per window (keyed by test_first)."""

    windows: pd.DataFrame
    mean: pd.DataFrame
    default_params: dict[str, ForecastParams] = field(default_factory=dict)  # by test_start
    params: dict[str, dict[str, ForecastParams]] = field(default_factory=dict)  # method -> test_start ->
    horizon_months: int = 6

    def beats_naive(self, method: str = "default", fraction: float = 0.05) -> dict:
        """Mean PAI gain over naive and windows won at one area share: the issue-16 bar."""
        per = self.windows[self.windows["area_share"] == fraction].pivot_table(
            index="test_first", columns="method", values="pai")
        if method not in per or "naive" not in per:
            return {}
        return {"area_share": fraction, "pai_mean": float(per[method].mean()),
                "naive_pai_mean": float(per["naive"].mean()),
                "gain": float(per[method].mean() / per["naive"].mean() - 1),
                "windows_won": int((per[method] > per["naive"]).sum()), "windows": int(len(per))}

    def to_dict(self) -> dict:
        def pct(f: float) -> str:
            return f"{round(f * 100):d}%"

        mean = {}
        for row in self.mean.itertuples():
            mean.setdefault(row.method, {})[pct(row.area_share)] = {
                "hit_rate": row.hit_rate, "pai": row.pai, "rri": row.rri}
        windows = [{k: (pct(v) if k == "area_share" else v) for k, v in r.items()}
                   for r in self.windows.to_dict(orient="records")]
        per_window: dict[str, dict] = {}
        for r in self.windows.itertuples():
            entry = per_window.setdefault(r.test_first, {"test_first": r.test_first, "test_last": r.test_last,
                                                         "methods": {}})
            entry["methods"].setdefault(r.method, {})[pct(r.area_share)] = {"pai": r.pai, "rri": r.rri}
        params = {k: v.to_dict() for k, v in self.default_params.items()}
        return {"horizon_months": self.horizon_months, "mean": mean,
                "default_vs_naive_5pct": self.beats_naive(), "per_window": list(per_window.values()),
                "windows": windows, "default_params": params,
                "params": {m: {k: v.to_dict() for k, v in d.items()} for m, d in self.params.items()}}


def rolling_windows(first_month: str, last_month: str, *, train_months: int = 12,
                    test_months: int = 6) -> list[tuple[str, str, str, str]]:
    """(train_first, train_last, test_first, test_last) stepping by ``test_months``, newest last,
    over every full window between first_month and last_month."""
    windows = []
    test_last = last_month
    while True:
        test_first = month_add(test_last, 1 - test_months)
        train_last = month_add(test_first, -1)
        train_first = month_add(train_last, 1 - train_months)
        if train_first < first_month:
            break
        windows.append((train_first, train_last, test_first, test_last))
        test_last = month_add(test_first, -1)
    return windows[::-1]


def evaluate(counts: IncidentCounts, grid: Grid, *,
             windows: list[tuple[str, str, str, str]] | None = None,
             train_months: int = 12, test_months: int = 6, n_windows: int | None = N_WINDOWS,
             history_months: int | None = None,
             methods: tuple[str, ...] = METHODS, fractions: tuple[float, ...] = AREA_FRACTIONS,
             progress: ProgressFn = no_progress, cancel: CancelToken | None = None) -> AccuracyReport:
    """PAI/RRI for every method on every window (default: the ``n_windows`` newest rolling
    windows of ``test_months``, the horizon). ``decay`` and ``default`` see every month
    before the test (or the last ``history_months``); the rest the ``train_months`` before
    it. RRI always compares with the ``train_months`` window, so it means the same for all."""
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise InputError(f"unknown forecast method(s) {unknown}", expected=", ".join(METHODS))
    span = counts.month_range()
    if span is None:
        raise InputError("no incidents to evaluate")
    if windows is None:
        windows = rolling_windows(span[0], span[1], train_months=train_months, test_months=test_months)
        if n_windows is not None:
            windows = windows[-n_windows:]
    if not windows:
        raise InputError("not enough months for one training and test window",
                         hint=f"need {train_months + test_months} months of incidents")
    inside = grid.inside
    rows = []
    params: dict[str, dict[str, ForecastParams]] = {}
    for w, (train_first, train_last, test_first, test_last) in enumerate(windows):
        check_cancel(cancel)
        train = counts.filter(months=(train_first, train_last))
        history_first = span[0] if history_months is None else max(
            span[0], month_add(train_last, 1 - history_months))
        history = counts.filter(months=(history_first, train_last))
        test = counts.filter(months=(test_first, test_last))
        train_grid = grid.bin(train.x_m, train.y_m, train.count)
        test_grid = grid.bin(test.x_m, test.y_m, test.count)
        for method in methods:
            check_cancel(cancel)
            if method in FITTED:
                seen = history if method in HISTORY_METHODS else train
                score, fitted = FITTED[method](seen, grid, last_month=train_last,
                                               horizon_months=month_span(test_first, test_last))
                params.setdefault(method, {})[test_first] = fitted
            else:
                score = FORECASTERS[method](train, grid, last_month=train_last)
            for fraction, metrics in pai_rri(score, inside, test_grid, train_grid, fractions).items():
                rows.append({"method": method, "train_first": train_first, "train_last": train_last,
                             "history_first": history_first if method in HISTORY_METHODS else train_first,
                             "test_first": test_first, "test_last": test_last,
                             "area_share": fraction, **metrics})
        progress((w + 1) / len(windows), f"window {w + 1} of {len(windows)}")
    frame = pd.DataFrame(rows)
    mean = (frame.groupby(["method", "area_share"], sort=False)[["hit_rate", "pai", "rri"]]
            .mean().reset_index())
    return AccuracyReport(windows=frame, mean=mean, default_params=params.get("default", {}),
                          params=params, horizon_months=month_span(windows[0][2], windows[0][3]))
