"""Stage 3a: static (home) strength per unit and shift, the baseline every plan is judged by.

Default: the London total per shift split in proportion to each unit's workload over a whole
week (officer-hours of attended incidents, every hour and day type weighted by its days),
the same in every shift: borough-by-borough planning "as if the city stood still", by
demand as a resource allocation formula does. (Splitting by officers *needed* would send
most officers to the largest outer boroughs, where the travel part of a 90% target needs
many cars, and starve the busiest central queues.) A strength CSV
(``workstation.loaders.strength``) overrides the units and shifts it names; the rest keep
the default split.
"""

from __future__ import annotations

import numpy as np

from workstation.deploy.demand import DAY_TYPES, DAYS_PER_WEEK, Demand
from workstation.deploy.requirement import Requirement
from workstation.deploy.scenario import DeploymentScenario
from workstation.deploy.units import PlanningUnits
from workstation.loaders.strength import read_strength_csv


def _largest_remainder(shares: np.ndarray, total: int) -> np.ndarray:
    raw = shares / shares.sum() * total if shares.sum() > 0 else np.full(len(shares), total / len(shares))
    out = np.floor(raw).astype(np.int64)
    for i in np.argsort(-(raw - out))[: total - int(out.sum())]:
        out[i] += 1
    return out


def default_strength(units: PlanningUnits, need: Requirement | Demand | np.ndarray,
                     scenario: DeploymentScenario) -> np.ndarray:
    """(n_units, n_shifts): ``officers_on_duty`` split by weekly workload (or by the given
    array, e.g. officers needed, for an older caller), equal in every shift."""
    if isinstance(need, Demand):
        per_hour = need.attended_per_hour * need.officer_hours_per_incident
    elif isinstance(need, Requirement):
        per_hour = need.workload
    else:
        per_hour = np.asarray(need, dtype=float)
    days = np.array([DAYS_PER_WEEK[d] for d in DAY_TYPES], dtype=float)
    weekly_need = (per_hour.sum(axis=2) * days[None, :]).sum(axis=1)
    per_unit = _largest_remainder(weekly_need.astype(float), int(scenario.officers_on_duty))
    return np.repeat(per_unit[:, None], len(scenario.shifts), axis=1)


def static_strength(units: PlanningUnits, need: Requirement | Demand | np.ndarray,
                    scenario: DeploymentScenario) -> tuple[np.ndarray, str]:
    """Officers on duty per unit and shift under static staffing, and how it was set.
    Pass the ``Demand`` or ``Requirement`` (split by workload); a plain array (the older
    call with officers needed) is split by its values."""
    strength = default_strength(units, need, scenario)
    basis = ("workload (officer-hours of attended incidents)"
             if isinstance(need, (Requirement, Demand)) else "officers needed")
    default_text = (f"{scenario.officers_on_duty} officers on duty per shift London-wide, "
                    f"split by each unit's share of the {basis} over a whole week, the "
                    "same in every shift and day")
    if not scenario.strength_csv:
        return strength, f"Home strength (static): {default_text}."
    shift_names = tuple(s.name for s in scenario.shifts)
    given = read_strength_csv(scenario.strength_csv, unit_codes=units.codes,
                              shift_names=shift_names, unit_kind=units.kind)
    for (code, shift), officers in given.officers.items():
        strength[units.index(code), shift_names.index(shift)] = officers
    named = given.unit_codes
    partial_shifts = [c for c in named
                      if sum((c, s) in given.officers for s in shift_names) < len(shift_names)]
    text = (f"Home strength: read from {given.path.name} for {len(named)} of "
            f"{len(units.codes)} units ({', '.join(units.name_of(c) for c in named)})")
    if partial_shifts:
        text += (f"; for {', '.join(units.name_of(c) for c in partial_shifts)} only some "
                 "shifts were given, the others use the default split")
    rest = len(units.codes) - len(named)
    text += (f"; the other {rest} use the default split ({default_text})." if rest else ".")
    return strength, text


def strength_given(units: PlanningUnits, scenario: DeploymentScenario) -> list[str]:
    """Codes of the units whose home strength the scenario's strength file names ([] when
    there is none): the plan states which were given and which kept the default."""
    if not scenario.strength_csv:
        return []
    return list(read_strength_csv(scenario.strength_csv, unit_codes=units.codes,
                                  shift_names=tuple(s.name for s in scenario.shifts),
                                  unit_kind=units.kind).unit_codes)
