"""M/M/c (Erlang C) queueing: how many officers keep waits for a response within a standard.

Incidents arrive at ``rate_per_hour`` (Poisson) and each occupies an officer for an
exponential time with mean ``service_hours``. With ``c`` officers and offered load
``a = rate x service``, an incident waits with probability C(c, a) (Erlang C) and
P(wait > t) = C(c, a) exp(-(c/service - rate) t). Travel to scene is taken off the
standard before the wait is checked, so "within 15 minutes" means waiting at most
15 - travel minutes. All functions are vectorised over numpy arrays.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


def erlang_b(servers: np.ndarray | int, load: np.ndarray | float) -> np.ndarray:
    """Blocking probability by the stable recurrence B(k) = aB(k-1) / (k + aB(k-1))."""
    c = np.asarray(servers, dtype=np.int64)
    a = np.asarray(load, dtype=float)
    c, a = np.broadcast_arrays(c, a)
    b = np.ones(a.shape)
    top = int(c.max()) if c.size else 0
    for k in range(1, top + 1):
        step = a * b / (k + a * b)
        b = np.where(k <= c, step, b)
    return b


def erlang_c(servers: np.ndarray | int, load: np.ndarray | float) -> np.ndarray:
    """Probability an arrival waits; 1 where the queue is unstable (load >= servers)."""
    c = np.asarray(servers, dtype=float)
    a = np.asarray(load, dtype=float)
    b = erlang_b(servers, load)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = c * b / (c - a * (1.0 - b))
    stable = (a < c) & (c > 0)
    return np.where(stable, np.clip(p, 0.0, 1.0), 1.0)


def share_within(servers: np.ndarray | int, rate_per_hour: np.ndarray | float,
                 service_hours: np.ndarray | float, wait_minutes: np.ndarray | float) -> np.ndarray:
    """Share of incidents answered within ``wait_minutes`` of waiting (0 if unstable).

    With no incidents the share is 1 (nobody waits).
    """
    c = np.asarray(servers, dtype=float)
    rate = np.asarray(rate_per_hour, dtype=float)
    service = np.asarray(service_hours, dtype=float)
    load = rate * service
    p_wait = erlang_c(np.asarray(servers), load)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        drain_per_hour = c / service - rate
        tail = p_wait * np.exp(-drain_per_hour * np.asarray(wait_minutes, dtype=float) / 60.0)
    share = np.where(load < c, 1.0 - tail, 0.0)
    return np.where(rate <= 0, 1.0, np.clip(share, 0.0, 1.0))


def officers_needed(rate_per_hour: np.ndarray, service_hours: np.ndarray,
                    wait_minutes: float, target_share: float, *, max_officers: int = 2000
                    ) -> np.ndarray:
    """Smallest c with share_within(c) >= target, per cell (0 where there is no demand)."""
    rate = np.asarray(rate_per_hour, dtype=float)
    service = np.broadcast_to(np.asarray(service_hours, dtype=float), rate.shape)
    return _smallest_servers(
        rate, service, lambda c: share_within(c, rate, service, wait_minutes) >= target_share,
        max_officers)


def _smallest_servers(rate: np.ndarray, service: np.ndarray, meets_target, max_officers: int
                      ) -> np.ndarray:
    """Per cell, the smallest c for which ``meets_target(c)`` holds (0 where rate is 0),
    searching all cells at once upwards from just above the load."""
    load = rate * service
    need = np.zeros(rate.shape, dtype=np.int64)
    todo = rate > 0
    # start just above the load: fewer servers can never be stable
    c = np.where(todo, np.floor(load).astype(np.int64) + 1, 0)
    while todo.any():
        ok = meets_target(c)
        done = todo & ok
        need[done] = c[done]
        todo &= ~ok
        c = np.where(todo, c + 1, c)
        if (c > max_officers).any():
            raise ValueError(f"more than {max_officers} officers needed in one unit-hour; "
                             "check the demand inputs")
    return need


@lru_cache(maxsize=256)
def travel_points(standard_minutes: float, mean_minutes: float, shape: float,
                  nodes: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """Travel times in [0, standard] and their probability weights (Gauss-Legendre on the
    gamma density), so sum(weights) = P(travel <= standard).

    Travel to scene varies with distance and traffic; with a fixed time any standard longer
    than it looks always reachable. ``shape`` = 1 / CV^2; 0 means a fixed travel time.
    """
    if shape <= 0 or mean_minutes <= 0:
        fixed = float(max(mean_minutes, 0.0))
        return _read_only(np.array([fixed]), np.array([1.0 if fixed <= standard_minutes else 0.0]))
    from scipy.stats import gamma
    x, w = np.polynomial.legendre.leggauss(nodes)
    t = (x + 1.0) * standard_minutes / 2.0
    density = gamma.pdf(t, a=shape, scale=mean_minutes / shape)
    weights = w * density * standard_minutes / 2.0
    # rescale to the exact reachable share (quadrature error at the density's peak)
    exact = gamma.cdf(standard_minutes, a=shape, scale=mean_minutes / shape)
    return _read_only(t, weights * (exact / weights.sum()))


def _read_only(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Cached results are shared between callers: make them immutable."""
    for array in arrays:
        array.setflags(write=False)
    return arrays


def share_within_standard(servers, rate_per_hour, service_hours, standard_minutes: float,
                          travel: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """P(wait + travel <= standard) = sum_j weight_j P(wait <= standard - t_j)."""
    c = np.asarray(servers, dtype=float)
    rate = np.asarray(rate_per_hour, dtype=float)
    service = np.asarray(service_hours, dtype=float)
    load = rate * service
    p_wait = erlang_c(np.asarray(servers), load)           # once: it does not depend on t
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        drain_per_hour = c / service - rate
    stable = load < c
    total = np.zeros(np.broadcast(c, rate, service).shape)
    times, weights = travel
    for t, weight in zip(times, weights):
        budget = standard_minutes - t
        if budget < 0 or weight <= 0:
            continue
        with np.errstate(over="ignore", invalid="ignore"):
            tail = p_wait * np.exp(-drain_per_hour * budget / 60.0)
        total += weight * np.where(stable, np.clip(1.0 - tail, 0.0, 1.0), 0.0)
    return np.where(rate <= 0, float(np.sum(weights)), total)


def officers_needed_with_travel(rate_per_hour: np.ndarray, service_hours: np.ndarray,
                                standard_minutes: float, travel: tuple[np.ndarray, np.ndarray],
                                target_share: float, *, max_officers: int = 2000) -> np.ndarray:
    """Smallest c meeting the target counting travel; where travel alone makes the target
    unreachable, the smallest c within one point of the best reachable share."""
    rate = np.asarray(rate_per_hour, dtype=float)
    service = np.broadcast_to(np.asarray(service_hours, dtype=float), rate.shape)
    goal = min(target_share, float(np.sum(travel[1])) - 0.01)
    return _smallest_servers(
        rate, service,
        lambda c: share_within_standard(c, rate, service, standard_minutes, travel) >= goal,
        max_officers)
