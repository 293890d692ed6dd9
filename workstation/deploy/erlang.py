"""M/M/c (Erlang C) queueing: how many officers keep waits for a response within a standard.

Incidents arrive at ``rate_per_hour`` (Poisson) and each occupies an officer for an
exponential time with mean ``service_hours``. With ``c`` officers and offered load
``a = rate x service``, an incident waits with probability C(c, a) (Erlang C) and
P(wait > t) = C(c, a) exp(-(c/service - rate) t). Travel to scene is taken off the
standard before the wait is checked, so "within 15 minutes" means waiting at most
15 - travel minutes. All functions are vectorised over numpy arrays.
"""

from __future__ import annotations

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
    load = rate * service
    need = np.zeros(rate.shape, dtype=np.int64)
    todo = rate > 0
    # start just above the load: fewer servers can never be stable
    c = np.where(todo, np.floor(load).astype(np.int64) + 1, 0)
    while todo.any():
        ok = share_within(c, rate, service, wait_minutes) >= target_share
        done = todo & ok
        need[done] = c[done]
        todo &= ~ok
        c = np.where(todo, c + 1, c)
        if (c > max_officers).any():
            raise ValueError(f"more than {max_officers} officers needed in one unit-hour; "
                             "check the demand inputs")
    return need
