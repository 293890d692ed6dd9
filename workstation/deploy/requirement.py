"""Stage 2 of the recommendation: officers needed per unit, day type and hour.

For each grade, the smallest number of officers on duty whose available share (officers
answering calls = on duty x availability) reaches the grade's target within its standard
in the queue-and-travel response model (``workstation.deploy.response``). Where a target
is above the model's ceiling (reachable at no staffing), the officers needed are those that
come within one point of the ceiling or beyond which one more officer adds less than 0.1
point, and every output says the target is not reachable; the target itself is never
changed. Hotspot patrol and the visibility floor are added.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workstation.deploy.demand import Demand
from workstation.deploy.response import (DEFAULT_RESPONSE, ResponseModel, share_at,
                                         share_by_servers)
from workstation.deploy.risk import CEILING_TOLERANCE
from workstation.deploy.scenario import DeploymentScenario, ResponseStandard
from workstation.deploy.units import PlanningUnits
from workstation.errors import InputError

# Officers answering calls searched per unit-hour before giving up (a data error then).
MAX_SERVERS = 2000
# For a target above the ceiling: officers are needed until one more adds less than this
# share of the grade's incidents (0.1 point).
SATURATION_POINTS = 0.001


@dataclass(frozen=True)
class Requirement:
    """Officers needed per unit, day type and hour (n_units, n_day_types, 24), and its parts."""

    queue: np.ndarray        # officers on duty for the response standards (max over grades)
    patrol: np.ndarray       # hotspot patrol officers
    floor: np.ndarray        # visibility floor
    required: np.ndarray     # max(queue + patrol, floor)
    by_grade: dict           # grade -> officers on duty for that grade's standard alone
    workload: np.ndarray     # officer-hours of attended incidents per hour (the load)


def grade_load(demand: Demand, grade: str) -> np.ndarray:
    """Incidents per hour a grade's queue sees. I-grade calls pre-empt lower grades
    (an officer on an S-grade job is diverted), so the I queue sees only I-grade load;
    lower grades wait behind everything, so they see all attended incidents (Green &
    Kolesar's approach for patrol-car allocation; Larson 1981, ch. 4)."""
    return demand.immediate_per_hour if grade == "I" else demand.attended_per_hour


def standard_for(scenario: DeploymentScenario, grade: str) -> ResponseStandard:
    for standard in scenario.standards:
        if standard.grade == grade:
            return standard
    raise InputError(f"scenario has no response standard for grade {grade}",
                     column="standards", expected="standards for grades I and S")


def area_of(demand: Demand) -> np.ndarray:
    if demand.area_km2 is None:
        raise ValueError("demand has no unit areas: build it with "
                         "workstation.deploy.unit_demand.demand_for")
    return np.asarray(demand.area_km2, dtype=float)


def goal_share(standard: ResponseStandard, response: ResponseModel) -> float:
    """The share officers are sized for: the target, or just under an unreachable ceiling."""
    return min(standard.target_share, response.ceiling(standard.standard_minutes)
               - CEILING_TOLERANCE)


class ShareTables:
    """Each grade's share within standard for every whole number of officers answering
    calls, per unit, day type and hour, for one demand: computed once per recommendation
    and widened when a caller needs more officers (the one cost that dominates a plan)."""

    def __init__(self, demand: Demand, scenario: DeploymentScenario,
                 response: ResponseModel | None = None, *, officers: int = 0):
        self.demand, self.scenario = demand, scenario
        self.response = response or DEFAULT_RESPONSE
        self._tables: dict[str, np.ndarray] = {}
        # first size: enough for ``officers`` on duty (tables are widened when needed)
        self._first = max(64, int(np.ceil(officers * scenario.officer_availability)) + 2)

    def table(self, grade: str, servers: int = 0) -> np.ndarray:
        """(n_units, n_day_types, 24, C + 1) with C >= ``servers``."""
        have = self._tables.get(grade)
        if have is None or have.shape[-1] - 1 < servers:
            top = max(int(servers), self._first,
                      0 if have is None else 2 * (have.shape[-1] - 1))
            if top > MAX_SERVERS:
                raise ValueError(f"more than {MAX_SERVERS} officers needed in one unit-hour; "
                                 "check the demand inputs")
            standard = standard_for(self.scenario, grade)
            have = share_by_servers(grade_load(self.demand, grade),
                                    self.demand.officer_hours_per_incident,
                                    area_of(self.demand)[:, None, None],
                                    standard.standard_minutes, top, self.response)
            self._tables[grade] = have
        return have

    def share(self, grade: str, officers: np.ndarray, d: int | slice = slice(None)
              ) -> np.ndarray:
        """Share at ``officers`` on duty (matching the demand's [:, d] cells)."""
        servers = np.asarray(officers, dtype=float) * self.scenario.officer_availability
        table = self.table(grade, int(np.ceil(servers.max())) + 1 if servers.size else 1)
        return share_at(table[:, d], np.broadcast_to(servers, table[:, d].shape[:-1]))


    def share_grid(self, grade: str, max_officers: int, d: int) -> np.ndarray:
        """(n_units, 24, max_officers + 1): share at 0, 1, ... officers on duty."""
        servers = np.arange(max_officers + 1) * self.scenario.officer_availability
        low = np.floor(servers + 1e-9).astype(np.int64)
        table = self.table(grade, int(low.max()) + 1)[:, d]
        return table[..., low] + (servers - low) * (table[..., low + 1] - table[..., low])


def servers_needed(tables: ShareTables, grade: str, goal: float, *,
                   saturate: bool = False) -> np.ndarray:
    """Fractional officers answering calls at which the share first reaches ``goal``
    (shares are linear between whole numbers); 0 where there is no demand. With
    ``saturate`` (a target above the ceiling) the search also stops where one more officer
    on duty adds less than ``SATURATION_POINTS`` of the grade's incidents: the ceiling is
    approached only as cars come infinitely close, so "within a point" of it could ask for
    thousands of officers in a large borough."""
    rate = grade_load(tables.demand, grade)
    need = np.zeros(rate.shape)
    todo = rate > 0
    top = 0
    per_officer = tables.scenario.officer_availability
    while todo.any():
        table = tables.table(grade, top)
        ok = table >= goal
        if saturate:
            gain = np.diff(table, axis=-1, append=table[..., -1:]) * per_officer
            ok |= (table > 0.5 * goal) & (gain < SATURATION_POINTS)
        found = todo & ok.any(axis=-1)
        first = np.argmax(ok, axis=-1)
        below = np.take_along_axis(table, np.maximum(first - 1, 0)[..., None], -1)[..., 0]
        at = np.take_along_axis(table, first[..., None], -1)[..., 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(at > below, (goal - below) / (at - below), 1.0)
        need[found] = (first - 1 + np.clip(frac, 0.0, 1.0))[found]
        todo &= ~found
        top = 2 * (table.shape[-1] - 1)
    return need


def requirement(demand: Demand, scenario: DeploymentScenario, *, patrol_units: np.ndarray,
                response: ResponseModel | None = None, tables: ShareTables | None = None
                ) -> Requirement:
    tables = tables or ShareTables(demand, scenario, response)
    by_grade = {}
    for standard in scenario.standards:
        ceiling = tables.response.ceiling(standard.standard_minutes)
        servers = servers_needed(tables, standard.grade, goal_share(standard, tables.response),
                                 saturate=standard.target_share > ceiling)
        # officers on duty = officers answering calls / the share of time free for calls
        by_grade[standard.grade] = np.ceil(servers / scenario.officer_availability
                                           - 1e-9).astype(np.int64)
    queue = np.maximum.reduce(list(by_grade.values()))
    patrol = _patrol(demand, scenario, patrol_units)
    floor = np.full(queue.shape, int(scenario.visibility_floor_per_borough), dtype=np.int64)
    required = np.maximum(queue + patrol, floor)
    workload = demand.attended_per_hour * demand.officer_hours_per_incident
    return Requirement(queue, patrol, floor, required, by_grade, workload)


def _patrol(demand: Demand, scenario: DeploymentScenario, patrol_units: np.ndarray) -> np.ndarray:
    """Officers on hotspot visits: visits per hour x (visit + travel) minutes / 60."""
    visits = float(scenario.hotspot_visits_per_hour)
    per_unit = visits * (scenario.patrol_minutes_per_hotspot_visit
                         + scenario.travel_minutes_to_scene) / 60.0
    return np.ceil(per_unit * patrol_units[:, None, None]
                   * np.ones(demand.attended_per_hour.shape)).astype(np.int64)


def _patrol_units(units: PlanningUnits, hotspots) -> np.ndarray:
    """1 for units that get hotspot patrols: all, or those holding a hotspot when given."""
    if hotspots is None:
        return np.ones(len(units.codes))
    frame = getattr(hotspots, "hotspots", hotspots)
    held = set(frame["gss_code"].astype(str)) if "gss_code" in frame else set()
    return np.array([1.0 if held & set(units.members[c]) else 0.0 for c in units.codes])
