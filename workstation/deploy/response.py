"""Response time that depends on staffing and place: an Erlang C queue plus travel from the
nearest *available* officer (the square-root law).

For one unit-hour with ``c`` officers answering calls, incidents at ``rate_per_hour`` each
holding an officer for ``service_hours`` (load ``a``):

* an incident finds an officer free with probability 1 - C(c, a) (Erlang C). It is then
  sent the nearest free car. With ``n`` free cars spread over the unit's area ``A``, the
  expected distance to the nearest is ``k sqrt(A / n)`` (Kolesar & Blum 1973, "Square root
  laws for fire engine response distances"; Larson & Odoni, *Urban Operations Research*,
  1981, ch. 3: k = 0.63 for right-angle travel on a street grid). ``n`` is the mean number
  of free officers seen by an arrival that does not wait, c - a (1 - B(c - 1, a)) (the
  queue's idle servers; B is Erlang B), divided by the crew per car;
* an incident that waits (probability C) is taken by the next officer to clear a job,
  who is anywhere in the unit: distance ``k sqrt(A)``; its wait is exponential with rate
  c / service - rate;
* travel time = dispatch delay + distance / speed. Both parts vary (call handling, traffic);
  their sum is taken as gamma distributed with the sum's mean and variance.

The share within a standard ``T`` is (1 - C) P(travel <= T) + C P(wait + travel <= T). As
staffing grows, waits vanish and the nearest car comes ever closer, so the share rises to
the ceiling P(dispatch delay <= T): the best reachable at any staffing. All functions are
vectorised; shares are tabulated for every whole number of officers answering calls at
once (one Erlang B recurrence), so the allocation can value each extra officer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np
from scipy.special import gammainc

# Larson & Odoni (1981), ch. 3.3: E[D] = 0.6267 sqrt(A / n) for n units spread uniformly
# over area A with right-angle (street grid) travel; 0.5 for straight-line travel.
SQUARE_ROOT_LAW_RIGHT_ANGLE = 0.6267
# Coefficient of variation of the distance to the nearest of many random points (Rayleigh
# distribution in the plane): sqrt(4 / pi - 1).
NEAREST_DISTANCE_CV = float(np.sqrt(4.0 / np.pi - 1.0))
_NODES = 12    # Gauss-Legendre nodes for the wait-then-travel integral (< 0.1 pt error)


@dataclass(frozen=True, slots=True)
class ResponseModel:
    """Parameters of the queue-and-travel response model, with their sources.

    ``dispatch_delay_minutes`` is the one parameter fitted to response performance (see
    ``workstation.deploy.calibration`` and docs/method-deployment.md section 7).
    """

    # Call answered, graded, dispatched and the crew under way. FITTED: with it, static
    # staffing at the default 890 officers reproduces the Met's I-grade performance
    # (86.9% within 15 minutes, 12 months to Sep 2018; HMICFRS PEEL 2018/19).
    # scripts/calibrate_response.py refits it.
    dispatch_delay_minutes: float = 7.03
    # Spread of the dispatch delay (coefficient of variation). Assumption: 0.5, the spread
    # the earlier single travel distribution used (gamma shape 4).
    dispatch_delay_cv: float = 0.5
    # Blue-light driving speed on London roads. Assumption, the same 30 km/h the scenario
    # uses for lending journeys.
    speed_kmh: float = 30.0
    # Square-root law constant (Larson & Odoni 1981, ch. 3; right-angle metric).
    square_root_law_constant: float = SQUARE_ROOT_LAW_RIGHT_ANGLE
    # Officers per response car: I- and S-grade calls are attended double-crewed (the
    # demand table's officer-hours count both officers). Assumption.
    officers_per_car: float = 2.0

    def to_dict(self) -> dict:
        return asdict(self)

    def ceiling(self, standard_minutes: float) -> float:
        """Best share within ``standard_minutes`` at any staffing: P(delay <= standard)."""
        return float(_gamma_cdf(standard_minutes, self.dispatch_delay_minutes,
                                (self.dispatch_delay_cv * self.dispatch_delay_minutes) ** 2))

    def drive_minutes(self, area_km2: np.ndarray, cars: np.ndarray) -> np.ndarray:
        """Mean drive from the nearest of ``cars`` free cars spread over ``area_km2``."""
        distance_km = self.square_root_law_constant * np.sqrt(area_km2 / np.maximum(cars, 1.0))
        return distance_km / self.speed_kmh * 60.0


DEFAULT_RESPONSE = ResponseModel()


def _gamma_cdf(x, mean, var):
    """P(X <= x) for a gamma with this mean and variance (a point mass if var is 0)."""
    mean = np.asarray(mean, dtype=float)
    var = np.asarray(var, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        shape = mean ** 2 / var
        scale = var / mean
        out = gammainc(shape, np.asarray(x, dtype=float) / scale)
    return np.where(var > 0, out, (mean <= x).astype(float))


def _gamma_pdf(t, mean, var):
    from scipy.stats import gamma
    shape = mean ** 2 / var
    return gamma.pdf(t, a=shape, scale=var / mean)


@lru_cache(maxsize=8)
def _legendre(standard_minutes: float) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.legendre.leggauss(_NODES)
    return (x + 1.0) * standard_minutes / 2.0, w * standard_minutes / 2.0


def share_by_servers(rate_per_hour: np.ndarray, service_hours: np.ndarray,
                     area_km2: np.ndarray, standard_minutes: float, max_servers: int,
                     model: ResponseModel = DEFAULT_RESPONSE) -> np.ndarray:
    """Share of incidents reached within the standard for every whole number of officers
    answering calls, 0..``max_servers``: an array of shape ``rate.shape + (max_servers+1,)``.

    ``rate``, ``service`` and ``area`` broadcast together (e.g. (units, 24) and (units, 1)).
    """
    rate, service, area = np.broadcast_arrays(np.asarray(rate_per_hour, dtype=float),
                                              np.asarray(service_hours, dtype=float),
                                              np.asarray(area_km2, dtype=float))
    load = rate * service
    c = np.arange(max_servers + 1, dtype=float)
    # Erlang B for every c by its stable recurrence B(c) = a B(c-1) / (c + a B(c-1))
    b = np.empty(rate.shape + (max_servers + 1,))
    b[..., 0] = 1.0
    for k in range(1, max_servers + 1):
        prev = b[..., k - 1]
        b[..., k] = load * prev / (k + load * prev)
    a = load[..., None]
    stable = a < c
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        wait_prob = np.where(stable, np.clip(c * b / (c - a * (1.0 - b)), 0.0, 1.0), 1.0)
        b_before = np.concatenate([np.ones(rate.shape + (1,)), b[..., :-1]], axis=-1)
        idle = np.where(rate[..., None] > 0, c - a * (1.0 - b_before), c)
    delay = model.dispatch_delay_minutes
    delay_var = (model.dispatch_delay_cv * delay) ** 2
    # no wait: travel from the nearest free car
    drive = model.drive_minutes(area[..., None], idle / model.officers_per_car)
    reach_free = _gamma_cdf(standard_minutes, delay + drive,
                            delay_var + (NEAREST_DISTANCE_CV * drive) ** 2)
    # a wait: the next car to clear, anywhere in the unit, after an exponential wait
    drive_any = model.drive_minutes(area, np.ones_like(area))
    mean_any, var_any = delay + drive_any, delay_var + (NEAREST_DISTANCE_CV * drive_any) ** 2
    t, w = _legendre(float(standard_minutes))
    density = _gamma_pdf(t, mean_any[..., None], var_any[..., None]) * w     # (..., nodes)
    # rescale to the exact P(travel <= T) (quadrature error where the density is peaked)
    exact = _gamma_cdf(standard_minutes, mean_any, var_any)
    total = density.sum(axis=-1)
    density *= np.where(total > 0, exact / np.where(total > 0, total, 1.0), 0.0)[..., None]
    # P(wait <= T - t) = 1 - exp(-(c / service - rate)(T - t) / 60): the exponential is
    # g q^c with q = exp(-(T - t) / (60 service)), so one running product over c replaces
    # an exp per (cell, c, node), the plan's largest cost.
    budget_hours = (standard_minutes - t) / 60.0
    q = np.exp(-budget_hours / service[..., None])
    running = density * np.exp(np.minimum(rate[..., None] * budget_hours, 700.0))
    tail = np.empty(rate.shape + (max_servers + 1,))
    for k in range(max_servers + 1):
        tail[..., k] = running.sum(axis=-1)
        running = running * q
    reach_after_wait = np.clip(density.sum(axis=-1)[..., None] - tail, 0.0, 1.0)
    share = (1.0 - wait_prob) * reach_free + wait_prob * reach_after_wait
    share = np.where(stable, share, 0.0)
    share[..., 0] = 0.0
    return np.clip(share, 0.0, 1.0)


def share_at(table: np.ndarray, servers: np.ndarray) -> np.ndarray:
    """Share at fractional servers, linear between whole numbers of the table (so a
    fraction of an officer's time counts, and the value of officers is smooth)."""
    servers = np.clip(np.asarray(servers, dtype=float), 0.0, table.shape[-1] - 1.0)
    low = np.floor(servers + 1e-9).astype(np.int64)
    high = np.minimum(low + 1, table.shape[-1] - 1)
    frac = servers - low
    lo = np.take_along_axis(table, low[..., None], axis=-1)[..., 0]
    hi = np.take_along_axis(table, high[..., None], axis=-1)[..., 0]
    return lo + frac * (hi - lo)
