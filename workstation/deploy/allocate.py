"""Stage 3: roster and lending per day type, maximising harm-weighted demand answered in time.

Objective (a separable concave maximisation; e.g. Bertsimas & Tsitsiklis, *Introduction to
Linear Optimization*, sec. 1.3): the value of ``x`` officers on duty in unit u, shift s is
V_us(x) = sum over the shift's hours of harm(I) x share_I(x) + harm(S) x share_S(x), the
expected harm-weighted demand answered within its standard by the response model. Each V
is replaced by its concave envelope over whole officers and written as piecewise-linear
segments (slopes decreasing), so a linear programme fills them in order. Small stated
penalties are subtracted: ``ROSTER_MOVE_PENALTY`` per officer-hour moved away from the
home roster and, per officer lent, the value of the journey's officer-hours plus
``LENDING_PENALTY``. Static staffing is a feasible point, so the optimum is never below it
on the envelope; the plan is then checked on the exact model and static is kept for a day
where it is not better (``DayAllocation.status`` says so).

Constraints, per unit u, shift s (all exact in whole officers: HiGHS MIP via
scipy.optimize.milp, integer roster and lending):
  final[u, s] = own[u, s] - lent out + borrowed in;
  sum_s hours_s own[u, s] = sum_s hours_s static[u, s]   (officer-hours per day per unit,
                                                           hence London-wide, conserved);
  own[u, s] >= ceil(roster_minimum_share static[u, s])   (roster minimum, a scenario
                                                           field: default 75%);
  lent out[u, s] <= (1 - floor_share) own[u, s]          (each unit keeps its floor);
  final[u, s] >= required in every hour of s that static staffing covers
                                                          (no new under-staffed hour);
  final[u, s] >= the fewest officers whose I-grade share is within the scenario's cover
                 loss limit of static's                   (default 5 points).
Lending conserves officers in every shift (lent = borrowed London-wide).

Why not networkx min-cost flow: an officer lent for a shift covers all its hours, the
roster couples shifts and the value is concave; an LP/MIP expresses each exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from workstation.deploy.response import ResponseModel

# Penalties, as a share of the mean value of one officer-hour at static staffing: moving an
# officer-hour away from the home roster costs 1%; lending costs the journey's officer-hours
# at full value plus 1% per officer, so officers move only for a real gain.
ROSTER_MOVE_PENALTY = 0.01
LENDING_PENALTY = 0.01
# HiGHS MIP settings: stop within 0.1% of the optimum or after 5 s (the best plan so far is
# used and checked against static like any other).
MIP_GAP = 1e-3
MIP_TIME_LIMIT_S = 5.0


@dataclass(frozen=True)
class DayAllocation:
    own: np.ndarray          # (n_units, n_shifts) integer officers rostered from own strength
    lend: np.ndarray         # (n_units, n_units, n_shifts) integer officers lent i -> j
    final: np.ndarray        # (n_units, n_shifts)
    status: str


@dataclass(frozen=True)
class ShiftValues:
    """Harm-weighted demand answered in time for x = 0..top[u] officers, per unit and shift."""

    value: np.ndarray        # (n_units, n_shifts, X + 1), X = top.max()
    top: np.ndarray          # (n_units,) most officers valued (beyond: worth nothing more)

    def at(self, officers: np.ndarray) -> np.ndarray:
        x = np.clip(np.asarray(officers, dtype=np.int64), 0, self.value.shape[-1] - 1)
        return np.take_along_axis(self.value, x[..., None], axis=-1)[..., 0]


def shift_values(tables, d: int, top: np.ndarray) -> ShiftValues:
    """V_us(x) for one day type, from the response model's shares by officers on duty
    (``tables``: a ``requirement.ShareTables`` for the demand and scenario)."""
    demand, scenario = tables.demand, tables.scenario
    top = np.asarray(top, dtype=np.int64)
    harm = demand.harm_per_hour[:, d][..., None]
    harm_i = demand.harm_immediate_per_hour[:, d][..., None]
    hourly = 0.0
    for standard in scenario.standards:
        share = tables.share_grid(standard.grade, int(top.max()), d)
        hourly = hourly + (harm_i if standard.grade == "I" else harm - harm_i) * share
    value = np.stack([hourly[:, list(shift.hours)].sum(axis=1) for shift in scenario.shifts],
                     axis=1)
    return ShiftValues(value, top)


def _segments(value: np.ndarray, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """Concave envelope of ``value[start..stop]`` as (lengths, slopes), slopes decreasing."""
    xs = np.arange(start, stop + 1)
    hull = [0]
    for i in range(1, len(xs)):            # upper hull by a monotone chain
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            if (value[xs[b]] - value[xs[a]]) * (xs[i] - xs[a]) \
                    <= (value[xs[i]] - value[xs[a]]) * (xs[b] - xs[a]):
                hull.pop()
            else:
                break
        hull.append(i)
    points = xs[hull]
    lengths = np.diff(points).astype(float)
    slopes = np.diff(value[points]) / np.maximum(lengths, 1)
    return lengths, slopes


def allocate_day(*, values: ShiftValues, static: np.ndarray, shift_hours: list[tuple[int, ...]],
                 travel_minutes: np.ndarray, max_lending_minutes: float, floor_share: float,
                 roster_minimum_share: float, keep_at_least: np.ndarray | None = None,
                 reprofile: bool = True) -> DayAllocation:
    """Allocate one day type (see the module docstring). ``static`` is (n_units, n_shifts)
    officers; ``keep_at_least`` (n_units, n_shifts) is the floor of final officers that keeps
    static's covered hours covered; travel is (n, n) minutes."""
    lp = _build(values, static, shift_hours, travel_minutes, max_lending_minutes,
                floor_share, roster_minimum_share, keep_at_least, reprofile)
    # The relaxation is usually integral already (segments break at whole officers); the
    # MIP runs only when it is not.
    result = milp(lp.cost, constraints=lp.constraints, bounds=lp.bounds)
    how = "LP relaxation integral"
    if not _whole(lp, result):
        # Usually only lending is fractional, where a floor (lent <= 25% of own) binds:
        # fix the roster, make each floor a whole number of officers, solve again.
        result, how = _with_whole_floors(lp, result), "LP with the roster fixed"
    if not _whole(lp, result):
        result = milp(lp.cost, constraints=lp.constraints, bounds=lp.bounds,
                      integrality=lp.integrality,
                      options={"mip_rel_gap": MIP_GAP, "time_limit": MIP_TIME_LIMIT_S})
        how = "MIP"
    if result.x is None:        # no whole plan within the time limit: static stands
        n, n_shifts = static.shape
        return DayAllocation(static.astype(np.int64), np.zeros((n, n, n_shifts), np.int64),
                             static.astype(np.int64),
                             f"static kept: no whole-officer plan found ({result.message})")
    return _read(lp, result.x, values, static, f"{how}: {result.message}")


@dataclass(frozen=True)
class _Model:
    cost: np.ndarray
    constraints: list
    bounds: Bounds
    integrality: np.ndarray
    pairs: list[tuple[int, int]]
    n: int
    n_shifts: int
    floor_share: float
    shift_lengths: np.ndarray
    keep: np.ndarray          # (n_units, n_shifts) the least final officers allowed


def _whole(lp: _Model, result) -> bool:
    if result is None or result.x is None or result.status != 0:
        return False
    x = result.x[lp.integrality == 1]
    return bool(np.allclose(x, np.rint(x), atol=1e-6))


def _round_roster(own: np.ndarray, n_shifts: int, hours: np.ndarray) -> np.ndarray | None:
    """Whole officers per unit-shift with each unit's officer-hours kept (largest
    remainders), or None where shift lengths differ and no rounding keeps them."""
    own = own.reshape(-1, n_shifts)
    out = np.floor(own + 1e-9)
    for u in range(len(own)):
        short = int(round(float(own[u].sum() - out[u].sum())))
        out[u, np.argsort(-(own[u] - out[u]))[:short]] += 1
    if not np.allclose((out * hours).sum(axis=1), (own * hours).sum(axis=1), atol=1e-6):
        return None
    return out.ravel()


def _with_whole_floors(lp: _Model, result):
    """Re-solve with the LP's roster rounded to whole officers (keeping each unit's
    officer-hours) and fixed, and each lending floor rounded down to whole officers;
    ``None`` when that is not possible."""
    ns = lp.n * lp.n_shifts
    if result is None or result.x is None:
        return None
    own = _round_roster(result.x[:ns], lp.n_shifts, lp.shift_lengths)
    if own is None:
        return None
    lo, hi = lp.bounds.lb.copy(), lp.bounds.ub.copy()
    lo[:ns] = hi[:ns] = own
    (constraint,) = lp.constraints
    upper = constraint.ub.copy()
    lendable = (1.0 - lp.floor_share) * own           # floor rows are the third block
    upper[2 * ns:3 * ns] = np.floor(lendable + 1e-9) - lendable
    return milp(lp.cost, constraints=[LinearConstraint(constraint.A, constraint.lb, upper)],
                bounds=Bounds(lo, hi))


def _build(values: ShiftValues, static: np.ndarray, shift_hours, travel_minutes,
           max_lending_minutes: float, floor_share: float, roster_minimum_share: float,
           keep_at_least, reprofile: bool) -> _Model:
    n, n_shifts = static.shape
    ns = n * n_shifts
    length = np.array([len(h) for h in shift_hours], dtype=float)
    reachable = (np.asarray(travel_minutes) <= max_lending_minutes) & ~np.eye(n, dtype=bool)
    lender, borrower = np.nonzero(reachable) if floor_share < 1.0 else (np.zeros(0, int),) * 2
    pairs = list(zip(lender.tolist(), borrower.tolist()))
    n_pairs = len(pairs)
    own_lo = (np.ceil(roster_minimum_share * static - 1e-9) if reprofile
              else static.astype(float))
    hours_day = (static * length[None, :]).sum(axis=1)
    own_hi = (np.floor((hours_day[:, None] - (own_lo * length).sum(axis=1)[:, None]
                        + own_lo * length) / length + 1e-9) if reprofile else own_lo)
    # per-officer-hour value at static, the unit of the penalties
    slope_static = (values.at(static + 1) - values.at(np.maximum(static - 1, 0))) / 2.0
    unit_value = max(float((slope_static / length[None, :]).mean()), 1e-9)
    # segments of each unit-shift's concave envelope, then one worth nothing more
    seg_len, seg_slope, seg_of = [], [], []
    for us in range(ns):
        u, s = divmod(us, n_shifts)
        lengths, slopes = _segments(values.value[u, s], 0, values.top[u])
        seg_len.append(np.append(lengths, np.inf))
        seg_slope.append(np.append(slopes, 0.0))
        seg_of.append(np.full(len(lengths) + 1, us))
    seg_len, seg_slope, seg_of = map(np.concatenate, (seg_len, seg_slope, seg_of))
    # variable layout: own (ns), lend (pairs x shifts), up (ns: officers moved in), segments
    own0, lend0 = 0, ns
    up0 = lend0 + n_pairs * n_shifts
    seg0 = up0 + ns
    n_vars = seg0 + len(seg_len)
    cost = np.zeros(n_vars)
    cost[up0:seg0] = ROSTER_MOVE_PENALTY * unit_value * np.tile(length, n)
    journey_hours = travel_minutes[lender, borrower] / 60.0 if n_pairs else np.zeros(0)
    cost[lend0:up0] = (unit_value * (journey_hours[:, None] + LENDING_PENALTY * length[None, :])
                       ).ravel()
    cost[seg0:] = -seg_slope
    lo, hi = np.zeros(n_vars), np.full(n_vars, np.inf)
    lo[own0:lend0], hi[own0:lend0] = own_lo.ravel(), own_hi.ravel()
    hi[seg0:] = seg_len
    # lending terms of final[u, s]: +1 per officer borrowed, -1 per officer lent
    lend_col = lend0 + np.arange(n_pairs * n_shifts)
    shift_of = np.tile(np.arange(n_shifts), n_pairs)
    out_row = np.repeat(lender, n_shifts) * n_shifts + shift_of
    in_row = np.repeat(borrower, n_shifts) * n_shifts + shift_of
    us = np.arange(ns)
    blocks = _Blocks(n_vars)
    # final = own - out + in  ==  sum of segments
    blocks.add(np.concatenate([seg_of, us, out_row, in_row]),
               np.concatenate([seg0 + np.arange(len(seg_len)), own0 + us, lend_col, lend_col]),
               np.concatenate([np.ones(len(seg_len)), -np.ones(ns), np.ones(len(lend_col)),
                               -np.ones(len(lend_col))]), np.zeros(ns), np.zeros(ns))
    # up >= own - static (officer-hours moved into a shift, penalised)
    blocks.add(np.concatenate([us, us]), np.concatenate([up0 + us, own0 + us]),
               np.concatenate([np.ones(ns), -np.ones(ns)]), -static.ravel().astype(float),
               np.full(ns, np.inf))
    # lent out <= (1 - floor_share) own
    blocks.add(np.concatenate([out_row, us]), np.concatenate([lend_col, own0 + us]),
               np.concatenate([np.ones(len(lend_col)), np.full(ns, -(1.0 - floor_share))]),
               np.full(ns, -np.inf), np.zeros(ns))
    # final >= the officers that keep static's covered hours covered
    keep = np.zeros(ns) if keep_at_least is None else keep_at_least.ravel().astype(float)
    blocks.add(np.concatenate([us, out_row, in_row]),
               np.concatenate([own0 + us, lend_col, lend_col]),
               np.concatenate([np.ones(ns), -np.ones(len(lend_col)), np.ones(len(lend_col))]),
               keep, np.full(ns, np.inf))
    if reprofile:      # officer-hours per day per unit as under static staffing
        blocks.add(np.repeat(np.arange(n), n_shifts), own0 + us, np.tile(length, n),
                   hours_day.astype(float), hours_day.astype(float))
    integrality = np.zeros(n_vars)
    integrality[own0:up0] = 1
    return _Model(cost, [blocks.constraint()], Bounds(lo, hi), integrality, pairs, n,
                  n_shifts, floor_share, length, keep.reshape(n, n_shifts))


class _Blocks:
    """Sparse constraint blocks lo <= A x <= hi, each block's rows numbered from 0."""

    def __init__(self, n_vars: int):
        self.n_vars = n_vars
        self.rows, self.cols, self.vals, self.lo, self.hi = [], [], [], [], []
        self.n_rows = 0

    def add(self, rows, cols, vals, lo, hi) -> None:
        self.rows.append(np.asarray(rows) + self.n_rows)
        self.cols.append(np.asarray(cols))
        self.vals.append(np.asarray(vals, dtype=float))
        self.lo.append(np.asarray(lo, dtype=float))
        self.hi.append(np.asarray(hi, dtype=float))
        self.n_rows += len(self.lo[-1])

    def constraint(self) -> LinearConstraint:
        a = coo_matrix((np.concatenate(self.vals),
                        (np.concatenate(self.rows), np.concatenate(self.cols))),
                       shape=(self.n_rows, self.n_vars)).tocsr()
        return LinearConstraint(a, np.concatenate(self.lo), np.concatenate(self.hi))


def _read(lp: _Model, x: np.ndarray, values: ShiftValues, static: np.ndarray, message: str
          ) -> DayAllocation:
    n, n_shifts = lp.n, lp.n_shifts
    own = np.rint(x[: n * n_shifts]).astype(np.int64).reshape(n, n_shifts)
    lend = np.zeros((n, n, n_shifts), dtype=np.int64)
    base = n * n_shifts
    for p, (i, j) in enumerate(lp.pairs):
        lend[i, j] = np.rint(x[base + p * n_shifts: base + (p + 1) * n_shifts])
    recalled = _recall_losing_loans(lend, own, values, lp.keep)
    final = own - lend.sum(axis=1) + lend.sum(axis=0)
    if recalled:
        message += f"; {recalled} officers lent at a loss on the exact model recalled"
    # the envelope can overstate a non-concave stretch: keep static if it is not better
    if values.at(final).sum() < values.at(static).sum():
        return DayAllocation(static.astype(np.int64), np.zeros_like(lend),
                             static.astype(np.int64),
                             "static kept: the plan was not better on the exact model")
    return DayAllocation(own, lend, final, message)


def _recall_losing_loans(lend: np.ndarray, own: np.ndarray, values: ShiftValues,
                         keep: np.ndarray) -> int:
    """Send lent officers home (in place) while that raises the exact value: the envelope
    prices a borrower inside a non-concave stretch (a queue not yet stable) at its chord,
    so a loan can lose on the exact model. Greedy, best recall first; a borrower never
    falls below ``keep``. Returns the officers recalled."""
    recalled = 0
    while True:
        final = own - lend.sum(axis=1) + lend.sum(axis=0)
        best_gain, best = 1e-9, None
        for i, j, s in zip(*np.nonzero(lend)):
            most = min(int(lend[i, j, s]), int(final[j, s] - keep[j, s]))
            if most <= 0:
                continue
            k = np.arange(1, most + 1)
            gain = (values.value[i, s, np.minimum(final[i, s] + k, values.value.shape[-1] - 1)]
                    - values.value[i, s, final[i, s]]
                    + values.value[j, s, final[j, s] - k] - values.value[j, s, final[j, s]])
            if gain.max() > best_gain:
                best_gain, best = float(gain.max()), (i, j, s, int(k[gain.argmax()]))
        if best is None:
            return recalled
        i, j, s, k = best
        lend[i, j, s] -= k
        recalled += k


def keep_covered(required_day: np.ndarray, static: np.ndarray,
                 shift_hours: list[tuple[int, ...]]) -> np.ndarray:
    """(n_units, n_shifts): the most officers needed in any hour static staffing covers,
    so the plan never leaves short an hour that static staffing does not."""
    out = np.zeros(static.shape, dtype=np.int64)
    for s, hours in enumerate(shift_hours):
        need = required_day[:, list(hours)]
        covered = need <= static[:, s:s + 1]
        out[:, s] = np.where(covered, need, 0).max(axis=1)
    return out


# Officers valued per unit-shift: CAP_FACTOR x its largest static shift + CAP_EXTRA.
CAP_FACTOR = 2.5
CAP_EXTRA = 20


def officer_cap(static: np.ndarray) -> np.ndarray:
    """(n_units,) most officers valued in one unit-shift. Officers beyond it add nothing in
    the objective: a stated truncation that keeps the programme small (in the N = 500-1500
    tests no unit-shift reaches 80% of it; the largest, Westminster at N = 500, 77%)."""
    return np.ceil(CAP_FACTOR * static.max(axis=1) + CAP_EXTRA).astype(np.int64)


def cover_floor(tables, d: int, static: np.ndarray, shift_hours: list[tuple[int, ...]],
                loss_limit_points: float, top: int) -> np.ndarray:
    """(n_units, n_shifts): the fewest officers whose I-grade share over the shift (weighted
    by I-grade incidents, as the plan table reports it) stays within ``loss_limit_points``
    of its share at static staffing; static itself where no fewer do."""
    share = tables.share_grid("I", int(top), d)                 # (n_units, 24, top + 1)
    weight = tables.demand.immediate_per_hour[:, d]               # (n_units, 24)
    out = np.zeros(static.shape, dtype=np.int64)
    rows = np.arange(static.shape[0])
    for s, hours in enumerate(shift_hours):
        w = weight[:, list(hours)]
        total = np.maximum(w.sum(axis=1, keepdims=True), 1e-12)
        shift_share = (share[:, list(hours), :] * (w / total)[..., None]).sum(axis=1)
        at_static = shift_share[rows, np.minimum(static[:, s], top)]
        ok = shift_share >= (at_static - loss_limit_points / 100.0 - 1e-12)[:, None]
        # more officers never lower the share, so the first whole number that is within
        # the limit starts the allowed range; static is always allowed
        out[:, s] = np.minimum(np.argmax(ok, axis=1), static[:, s])
    return out


def plan_from_parts(units, demand_all, need_all, static: np.ndarray, scenario, *,
                    reprofile: bool = True, response: ResponseModel | None = None,
                    tables=None) -> dict:
    """Allocation per requested day type (``DayType`` -> ``DayAllocation``); the backtest
    calls it with demand fitted on other months."""
    out = {}
    shift_hours = [s.hours for s in scenario.shifts]
    cap = officer_cap(static)
    if tables is None:
        from workstation.deploy.requirement import ShareTables
        tables = ShareTables(demand_all, scenario, response)
    for day in scenario.day_types:
        d = demand_all.index(day)
        keep = keep_covered(need_all.required[:, d], static, shift_hours)
        if scenario.cover_loss_limit_points < 100.0:
            keep = np.maximum(keep, cover_floor(tables, d, static, shift_hours,
                                                scenario.cover_loss_limit_points,
                                                int(cap.max())))
        out[day] = allocate_day(
            values=shift_values(tables, d, cap), static=static,
            shift_hours=shift_hours, travel_minutes=units.travel_minutes,
            max_lending_minutes=scenario.max_lending_minutes,
            floor_share=scenario.floor_share,
            roster_minimum_share=scenario.roster_minimum_share,
            keep_at_least=keep,
            reprofile=reprofile)
    return out
