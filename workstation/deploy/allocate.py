"""Shift allocation with cross-unit lending: one linear programme per day type.

Why an LP (scipy's HiGHS) rather than networkx min-cost flow: the objective couples hours
inside a shift (an officer lent for a shift covers all its hours, and the shortfall that
matters is hour by hour) and the roster step couples shifts; min-cost flow cannot express
either, an LP does both exactly and HiGHS solves this size (a few thousand variables) in
milliseconds. The LP is solved in continuous officers and rounded down on lending, which
keeps floors and conservation exact.

Variables, per unit u, shift s, hour h and allowed pair i->j:
  own[u, s]   officers of u rostered in shift s (equal officer-hours per day to static);
  lend[i->j, s] officers lent; short[u, h] and buffer[u, h] shortfalls.
Minimise sum w[u,h] (short[u,h] + BUFFER_WEIGHT buffer[u,h]) + travel cost, subject to
  final[u, s] = own[u, s] - out + in;   short >= required - final;
  buffer >= required_buffer - final;    out[u, s] <= (1 - floor) own[u, s];
  sum_s hours_s own[u, s] = sum_s hours_s static[u, s];  own >= ROSTER_MIN_SHARE static.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

# A roster cannot empty a shift: each shift keeps at least half its static strength.
ROSTER_MIN_SHARE = 0.5
# Shortfall against a stricter target (the buffer) counts a fifth of a real shortfall: it
# places spare officers where they raise cover most, without overriding real gaps.
BUFFER_WEIGHT = 0.2
# LP size above which HiGHS interior point replaces dual simplex (benchmarks/bench_plan.py).
IPM_ABOVE_VARIABLES = 20_000


@dataclass(frozen=True)
class DayAllocation:
    own: np.ndarray          # (n_units, n_shifts) integer officers rostered from own strength
    lend: np.ndarray         # (n_units, n_units, n_shifts) integer officers lent i -> j
    final: np.ndarray        # (n_units, n_shifts)
    status: str


def allocate_day(*, required: np.ndarray, required_buffer: np.ndarray, weight: np.ndarray,
                 static: np.ndarray, shift_hours: list[tuple[int, ...]],
                 travel_minutes: np.ndarray, max_lending_minutes: float, floor_share: float,
                 reprofile: bool = True) -> DayAllocation:
    """Allocate one day type. ``required``, ``required_buffer`` and ``weight`` are
    (n_units, 24); ``static`` is (n_units, n_shifts) officers; travel is (n, n) minutes."""
    n, n_shifts = static.shape
    shift_of_hour = np.empty(24, dtype=np.int64)
    for s, hours in enumerate(shift_hours):
        shift_of_hour[list(hours)] = s
    length = np.array([len(h) for h in shift_hours], dtype=float)
    reachable = (np.asarray(travel_minutes) <= max_lending_minutes) & ~np.eye(n, dtype=bool)
    pairs = (list(zip(*(index.tolist() for index in np.nonzero(reachable))))
             if floor_share < 1.0 else [])          # row-major: lender, then borrower
    n_pairs = len(pairs)
    # variable layout
    own0 = 0
    lend0 = own0 + n * n_shifts
    short0 = lend0 + n_pairs * n_shifts
    buf0 = short0 + n * 24
    n_vars = buf0 + n * 24

    def own_var(u: int, s: int) -> int:
        return own0 + u * n_shifts + s

    def lend_var(p: int, s: int) -> int:
        return lend0 + p * n_shifts + s

    mean_weight = float(weight[required > 0].mean()) if (required > 0).any() else 1.0
    cost = np.zeros(n_vars)
    cost[short0:buf0] = weight.ravel()
    cost[buf0:] = BUFFER_WEIGHT * weight.ravel()
    for p, (i, j) in enumerate(pairs):
        # an officer lent spends the journey not on duty where needed: travel as lost
        # officer-hours at the mean shortfall weight, plus a small cost on any move
        for s in range(n_shifts):
            cost[lend_var(p, s)] = mean_weight * (travel_minutes[i, j] / 60.0 + 0.01)

    rows, cols, vals, rhs = [], [], [], []
    r = 0

    def add(entries: list[tuple[int, float]], bound: float) -> None:
        nonlocal r
        for col, val in entries:
            rows.append(r)
            cols.append(col)
            vals.append(val)
        rhs.append(bound)
        r += 1

    out_of: list[list[int]] = [[] for _ in range(n)]
    into: list[list[int]] = [[] for _ in range(n)]
    for p, (i, j) in enumerate(pairs):       # one pass: O(pairs), not O(units x pairs)
        out_of[i].append(p)
        into[j].append(p)
    for u in range(n):
        for h in range(24):
            s = int(shift_of_hour[h])
            final_terms = [(own_var(u, s), -1.0)] + [(lend_var(p, s), 1.0) for p in out_of[u]] \
                + [(lend_var(p, s), -1.0) for p in into[u]]
            # -final - short <= -required
            add(final_terms + [(short0 + u * 24 + h, -1.0)], -float(required[u, h]))
            add(final_terms + [(buf0 + u * 24 + h, -1.0)], -float(required_buffer[u, h]))
        for s in range(n_shifts):
            if out_of[u]:
                add([(lend_var(p, s), 1.0) for p in out_of[u]]
                    + [(own_var(u, s), -(1.0 - floor_share))], 0.0)
    a_ub = coo_matrix((vals, (rows, cols)), shape=(r, n_vars)).tocsr()
    b_ub = np.asarray(rhs)

    bounds = [(0.0, None)] * n_vars
    a_eq = b_eq = None
    if reprofile:
        eq_rows, eq_cols, eq_vals = [], [], []
        for u in range(n):
            for s in range(n_shifts):
                eq_rows.append(u)
                eq_cols.append(own_var(u, s))
                eq_vals.append(length[s])
                bounds[own_var(u, s)] = (ROSTER_MIN_SHARE * static[u, s], None)
        a_eq = coo_matrix((eq_vals, (eq_rows, eq_cols)), shape=(n, n_vars)).tocsr()
        b_eq = (static * length[None, :]).sum(axis=1)
    else:
        for u in range(n):
            for s in range(n_shifts):
                bounds[own_var(u, s)] = (float(static[u, s]), float(static[u, s]))
    # Dual simplex is quickest on borough and BCU LPs (a few thousand variables); above
    # ~20k (fine units, e.g. MSOAs) interior point was 5-10x faster in the benchmark.
    method = "highs-ipm" if n_vars > IPM_ABOVE_VARIABLES else "highs"
    result = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds,
                     method=method)
    if result.status != 0:
        raise RuntimeError(f"allocation LP failed: {result.message}")
    x = result.x
    own_cont = x[own0:lend0].reshape(n, n_shifts)
    own = _round_roster(own_cont, static, length) if reprofile else static.astype(np.int64)
    lend = np.zeros((n, n, n_shifts), dtype=np.int64)
    for p, (i, j) in enumerate(pairs):
        for s in range(n_shifts):
            lend[i, j, s] = int(np.floor(x[lend_var(p, s)] + 1e-6))
    # rounding the roster may shave a unit below its lending floor: give back the excess
    for u in range(n):
        for s in range(n_shifts):
            allowed = int(np.floor((1.0 - floor_share) * own[u, s] + 1e-9))
            while lend[u, :, s].sum() > allowed:
                j = int(np.argmax(lend[u, :, s]))
                lend[u, j, s] -= 1
    final = own - lend.sum(axis=1) + lend.sum(axis=0)
    return DayAllocation(own, lend, final, result.message)


def _round_roster(own: np.ndarray, static: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Integer roster with the same officer-hours as static (exact for equal shift lengths)."""
    out = np.floor(own + 1e-9).astype(np.int64)
    for u in range(own.shape[0]):
        target_hours = float((static[u] * length).sum())
        remainder = own[u] - out[u]
        for s in np.argsort(-remainder):
            if (out[u] * length).sum() + length[s] <= target_hours + 1e-6:
                out[u, s] += 1
    return out


def plan_from_parts(units, demand_all, need_all, static: np.ndarray, scenario, *,
                    reprofile: bool = True) -> dict:
    """Allocation per requested day type (``DayType`` -> ``DayAllocation``); the backtest
    calls it with demand fitted on other months."""
    out = {}
    shift_hours = [s.hours for s in scenario.shifts]
    for day in scenario.day_types:
        d = demand_all.index(day)
        out[day] = allocate_day(
            required=need_all.required[:, d], required_buffer=need_all.buffer[:, d],
            weight=_shortfall_weight(demand_all, need_all, d), static=static,
            shift_hours=shift_hours, travel_minutes=units.travel_minutes,
            max_lending_minutes=scenario.max_lending_minutes,
            floor_share=scenario.floor_share, reprofile=reprofile)
    return out


def _shortfall_weight(demand, need, d: int) -> np.ndarray:
    """Harm at stake per officer short: harm per hour / officers needed, mean 1."""
    harm = demand.harm_per_hour[:, d]
    required = np.maximum(need.required[:, d], 1)
    per_officer = harm / required
    mean = per_officer.mean() if per_officer.mean() > 0 else 1.0
    return per_officer / mean + 1e-3
