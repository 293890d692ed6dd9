"""The default hotspot forecaster: a Poisson log-linear regression per grid cell.

Why a regression: the decayed-history + KDE blend (``accuracy.blend``) picks one half-life
and one bandwidth, so a cell is scored by one view of its past. Chronic places (a high
long-run rate) and flare-ups (a high recent rate) predict differently, and how much a
neighbourhood's rate tells about a cell depends on how much the cell itself has seen. A
Poisson GLM weighs these views by how well they predicted the next months in the past,
the same way crime-forecasting regressions do (e.g. Mohler et al. 2015 weight events by
age; Rosser et al. 2017 combine recency and space).

Features per cell, from every month up to the origin month (rates per month):
  log(c + 12 x decayed rate) at half-lives 3 and 12 months and with no decay,
  log(c + 12 x KDE of the 12-month-half-life rate) at sigma 200 and 500 m,
  1 if the cell never had an incident.
Target: incidents (or harm) per cell in the next ``horizon`` months, with offset
log(horizon), so exp(X b) is a forecast per month. The fit stacks FIT_FOLDS folds of
``horizon`` months ending at the origin (Newton's method with step halving and a tiny
ridge). The pseudo-count c (per year) is chosen on VALIDATION_FOLDS folds of
VALIDATION_MONTHS months that end before the origin, refitting the regression before
each fold, by hit rate at 5 % of the area. Nothing after the origin month is ever read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workstation.errors import InputError
from workstation.maps.counts import IncidentCounts, month_number
from workstation.maps.grid import Grid
from workstation.maps.kde import smooth

HALF_LIVES_MONTHS = (3.0, 12.0, float("inf"))
KDE_HALF_LIFE_MONTHS = 12.0
BANDWIDTHS_M = (200.0, 500.0)
FEATURE_NAMES = ("intercept", "log_rate_half_life_3", "log_rate_half_life_12", "log_rate_no_decay",
                 "log_kde200_half_life_12", "log_kde500_half_life_12", "no_history")
PSEUDO_COUNTS_PER_YEAR = (0.1, 0.3, 0.5, 1.0)
FALLBACK_PSEUDO_COUNT_PER_YEAR = 0.5   # when there are too few months to validate
FIT_FOLDS = 3
MIN_HISTORY_MONTHS = 6                 # a fold needs this much past to build its features
VALIDATION_MONTHS = 3
VALIDATION_FOLDS = 3
VALIDATION_FRACTION = 0.05
RIDGE = 1e-6                           # keeps Newton's Hessian invertible on collinear features


@dataclass(frozen=True, slots=True)
class GlmParams:
    """What was fitted, for the report: the pseudo-count chosen on validation and the
    regression's coefficients (in FEATURE_NAMES order)."""

    pseudo_count_per_year: float
    coefficients: tuple[float, ...]
    fold_months: int
    fit_folds: int
    validation_hit_rate: float = float("nan")

    def to_dict(self) -> dict:
        return {"model": "poisson_glm", "pseudo_count_per_year": self.pseudo_count_per_year,
                "coefficients": dict(zip(FEATURE_NAMES, self.coefficients)),
                "fold_months": self.fold_months, "fit_folds": self.fit_folds,
                "validation_hit_rate_5pct": self.validation_hit_rate}

    def describe(self) -> str:
        named = ", ".join(f"{n} {b:+.2f}" for n, b in zip(FEATURE_NAMES[1:], self.coefficients[1:]))
        return (f"Poisson regression on {self.fit_folds} folds of {self.fold_months} month(s), "
                f"pseudo-count {self.pseudo_count_per_year:g}/year; {named}")


def poisson_fit(X: np.ndarray, y: np.ndarray, offset: np.ndarray | None = None, *,
                ridge: float = RIDGE, max_iter: int = 50, tol: float = 1e-8,
                start: np.ndarray | None = None) -> np.ndarray:
    """Maximum-likelihood Poisson regression (log link) by Newton's method with step
    halving, so a poor start cannot diverge; the intercept is not penalised."""
    n, p = X.shape
    offset = np.zeros(n) if offset is None else offset
    penalty = np.full(p, ridge)
    penalty[0] = 0.0
    if start is None:
        beta = np.zeros(p)
        beta[0] = np.log(max(float(y.sum()), 1e-12) / float(np.exp(offset).sum()))
    else:
        beta = np.asarray(start, dtype=np.float64).copy()

    def loglik(b: np.ndarray) -> tuple[float, np.ndarray]:
        eta = X @ b + offset
        mu = np.exp(np.minimum(eta, 50.0))
        return float((y * eta - mu).sum() - 0.5 * (penalty * b * b).sum()), mu

    current, mu = loglik(beta)
    for _ in range(max_iter):
        gradient = X.T @ (y - mu) - penalty * beta
        hessian = (X * mu[:, None]).T @ X + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        t = 1.0
        while True:
            candidate, mu_candidate = loglik(beta + t * step)
            if candidate >= current or t < 1e-6:
                break
            t /= 2
        beta, current, mu = beta + t * step, candidate, mu_candidate
        if np.abs(t * step).max() < tol:
            break
    return beta


class CellHistory:
    """Incidents binned once per cell and month number, so the many origins a fit needs
    (fit folds x validation folds) reuse the same points; rates cached per origin."""

    def __init__(self, train: IncidentCounts, grid: Grid, value: str = "count"):
        if value not in ("count", "harm"):
            raise InputError(f"unknown forecast value {value!r}", expected="count or harm")
        row, col, ok = grid.cell_of(train.x_m, train.y_m)
        self.grid = grid
        self.inside = grid.inside
        self.flat = row[ok] * grid.shape[1] + col[ok]
        self.month = train.month_numbers()[ok]
        weights = train.count if value == "count" else train.harm
        self.weights = np.asarray(weights, dtype=np.float64)[ok]
        self.first = int(self.month.min()) if self.month.size else 0
        self._rates: dict[tuple[int, float], np.ndarray] = {}
        self._kde: dict[tuple[int, float], np.ndarray] = {}

    def _bin(self, w: np.ndarray) -> np.ndarray:
        n_rows, n_cols = self.grid.shape
        return np.bincount(self.flat, weights=w, minlength=n_rows * n_cols).reshape(n_rows, n_cols)

    def months_up_to(self, origin: int) -> int:
        return origin - self.first + 1

    def rate(self, origin: int, half_life_months: float) -> np.ndarray:
        """Decayed incidents per month per cell up to and including ``origin``."""
        key = (origin, half_life_months)
        if key not in self._rates:
            age = (origin - self.month).astype(np.float64)
            if np.isinf(half_life_months):
                w = (age >= 0).astype(np.float64)
            else:
                w = np.where(age >= 0, 0.5 ** (np.maximum(age, 0) / half_life_months), 0.0)
            ages = np.arange(self.months_up_to(origin), dtype=np.float64)
            norm = ages.size if np.isinf(half_life_months) else float((0.5 ** (ages / half_life_months)).sum())
            self._rates[key] = self._bin(self.weights * w) / max(norm, 1e-12)
        return self._rates[key]

    def kde_rate(self, origin: int, bandwidth_m: float) -> np.ndarray:
        key = (origin, bandwidth_m)
        if key not in self._kde:
            surface = self.rate(origin, KDE_HALF_LIFE_MONTHS)
            self._kde[key] = smooth(surface, self.grid.cell_m, bandwidth_m) * self.grid.cell_area_m2
        return self._kde[key]

    def features(self, origin: int, pseudo_count_per_year: float) -> np.ndarray:
        """Design matrix, one row per cell inside the area, columns in FEATURE_NAMES order."""
        inside = self.inside
        columns = [np.ones(int(inside.sum()))]
        columns += [np.log(pseudo_count_per_year + 12 * self.rate(origin, h)[inside]) for h in HALF_LIVES_MONTHS]
        columns += [np.log(pseudo_count_per_year + 12 * self.kde_rate(origin, b)[inside]) for b in BANDWIDTHS_M]
        columns.append((self.rate(origin, float("inf"))[inside] <= 0).astype(np.float64))
        return np.column_stack(columns)

    def target(self, origin: int, months: int) -> np.ndarray:
        """Incidents per inside cell in the ``months`` after ``origin``."""
        keep = (self.month > origin) & (self.month <= origin + months)
        return self._bin(np.where(keep, self.weights, 0.0))[self.inside]


def _fit_at(history: CellHistory, origin: int, horizon_months: int, pseudo: float,
            start: np.ndarray | None = None) -> GlmParams | None:
    """Fit on FIT_FOLDS folds of ``horizon_months`` ending at ``origin`` (all months <= origin)."""
    designs, targets = [], []
    for j in range(1, FIT_FOLDS + 1):
        fold_origin = origin - j * horizon_months
        if history.months_up_to(fold_origin) < MIN_HISTORY_MONTHS:
            break
        y = history.target(fold_origin, horizon_months)
        if y.sum() <= 0:
            continue
        designs.append(history.features(fold_origin, pseudo))
        targets.append(y)
    if not designs:
        return None
    X, y = np.vstack(designs), np.concatenate(targets)
    beta = poisson_fit(X, y, np.full(y.size, np.log(horizon_months)), start=start)
    return GlmParams(pseudo, tuple(float(b) for b in beta), horizon_months, len(designs))


def _score(history: CellHistory, origin: int, params: GlmParams) -> np.ndarray:
    return history.features(origin, params.pseudo_count_per_year) @ np.asarray(params.coefficients)


def fit_glm_on(history: CellHistory, *, last_month: str, horizon_months: int = 1,
               pseudo_counts: tuple[float, ...] = PSEUDO_COUNTS_PER_YEAR) -> GlmParams:
    """Choose the pseudo-count on validation folds before ``last_month``, then refit the
    regression on the folds ending at ``last_month``."""
    from workstation.maps.accuracy import top_share_hit_rates  # accuracy imports this module
    if history.month.size == 0:
        raise InputError("no training incidents to fit the forecast regression")
    if horizon_months < 1:
        raise InputError(f"forecast horizon {horizon_months} months", expected="at least 1 month")
    origin = month_number(last_month)
    scores: dict[float, list[float]] = {c: [] for c in pseudo_counts}
    for fold in range(1, VALIDATION_FOLDS + 1):
        validation_origin = origin - fold * VALIDATION_MONTHS
        actual = history.target(validation_origin, VALIDATION_MONTHS)
        if actual.sum() <= 0:
            continue
        start = None
        for c in pseudo_counts:
            fitted = _fit_at(history, validation_origin, horizon_months, c, start)
            if fitted is None:
                break
            start = np.asarray(fitted.coefficients)  # warm start: neighbouring c fit alike
            hit = top_share_hit_rates(_score(history, validation_origin, fitted), actual,
                                      (VALIDATION_FRACTION,))
            scores[c].append(float(hit[0]))
    validated = {c: float(np.mean(v)) for c, v in scores.items() if v}
    pseudo = max(validated, key=lambda c: (validated[c], c)) if validated else FALLBACK_PSEUDO_COUNT_PER_YEAR
    fitted = _fit_at(history, origin, horizon_months, pseudo)
    if fitted is None:
        raise InputError(f"need at least {MIN_HISTORY_MONTHS + horizon_months} months of incidents "
                         f"to fit the forecast regression")
    return GlmParams(fitted.pseudo_count_per_year, fitted.coefficients, fitted.fold_months,
                     fitted.fit_folds, validated.get(pseudo, float("nan")))


def glm_surface_on(history: CellHistory, params: GlmParams, *, last_month: str) -> np.ndarray:
    """Forecast per cell per month (incidents or harm, as the history holds); 0 outside."""
    out = np.zeros(history.grid.shape)
    out[history.inside] = np.exp(_score(history, month_number(last_month), params))
    return out


def glm_forecast(train: IncidentCounts, grid: Grid, *, last_month: str, horizon_months: int = 1,
                 value: str = "count", params: GlmParams | None = None) -> tuple[np.ndarray, GlmParams]:
    """Fit (unless ``params`` are given) on ``train`` up to ``last_month`` and forecast the
    next ``horizon_months``, per month."""
    history = CellHistory(train, grid, value)
    params = params or fit_glm_on(history, last_month=last_month, horizon_months=horizon_months)
    return glm_surface_on(history, params, last_month=last_month), params
