"""Stage 2 of the recommendation: officers needed per unit, day type and hour.

Officers answering calls come from the response model (queue and travel) for each grade's
standard and target; officers on duty = officers answering / availability; hotspot patrol
and the visibility floor are added. A stricter "buffer" level is kept for reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workstation.deploy.demand import Demand
from workstation.deploy.erlang import officers_needed_with_travel, travel_points
from workstation.deploy.scenario import DeploymentScenario, ResponseStandard
from workstation.deploy.units import PlanningUnits
from workstation.errors import InputError

# A stricter target on which spare officers are placed (halfway from the target to 100%).
BUFFER_TARGET_GAP = 0.5


@dataclass(frozen=True)
class Requirement:
    """Officers needed per unit, day type and hour (n_units, n_day_types, 24), and its parts."""

    queue: np.ndarray        # officers on duty for the response standards
    patrol: np.ndarray       # hotspot patrol officers
    floor: np.ndarray        # visibility floor
    required: np.ndarray     # max(queue + patrol, floor)
    buffer: np.ndarray       # officers for the stricter (buffer) target, >= required


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


def travel_nodes(scenario: DeploymentScenario, standard_minutes: float):
    return travel_points(standard_minutes, scenario.travel_minutes_to_scene,
                         scenario.travel_time_shape)


def requirement(demand: Demand, scenario: DeploymentScenario, *, patrol_units: np.ndarray
                ) -> Requirement:
    service = demand.officer_hours_per_incident
    queue = np.zeros(demand.attended_per_hour.shape, dtype=np.int64)
    buffer = np.zeros_like(queue)
    for standard in scenario.standards:
        nodes = travel_nodes(scenario, standard.standard_minutes)
        rate = grade_load(demand, standard.grade)
        queue = np.maximum(queue, officers_needed_with_travel(
            rate, service, standard.standard_minutes, nodes, standard.target_share))
        stricter = standard.target_share + (1 - standard.target_share) * BUFFER_TARGET_GAP
        buffer = np.maximum(buffer, officers_needed_with_travel(
            rate, service, standard.standard_minutes, nodes, stricter))
    # officers on duty = officers answering calls / the share of time available for calls
    queue = np.ceil(queue / scenario.officer_availability - 1e-9).astype(np.int64)
    buffer = np.ceil(buffer / scenario.officer_availability - 1e-9).astype(np.int64)
    patrol = _patrol(demand, scenario, patrol_units)
    floor = np.full(queue.shape, int(scenario.visibility_floor_per_borough), dtype=np.int64)
    required = np.maximum(queue + patrol, floor)
    return Requirement(queue, patrol, floor, required, np.maximum(buffer + patrol, required))


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
