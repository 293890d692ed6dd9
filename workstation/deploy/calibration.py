"""Stage 4b: the model against published figures (seed report; HMICFRS PEEL 2018/19)."""

from __future__ import annotations

import numpy as np

from workstation.deploy.assess import cover
from workstation.deploy.demand import DAYS_PER_WEEK, Demand
from workstation.deploy.requirement import Requirement
from workstation.deploy.scenario import DeploymentScenario
from workstation.deploy.units import PlanningUnits

# Seed report calibration: one borough's emergency response teams were 139 officers in five
# teams on 9-hour shifts, answering about 10,000 I-grade and 14,400 S-grade calls in eight
# months.
SEED_BOROUGH_I_PER_YEAR = 10_000 * 12 / 8
SEED_BOROUGH_S_PER_YEAR = 14_400 * 12 / 8
SEED_BOROUGH_OFFICERS = 139


def calibration(demand: Demand, need: Requirement, units: PlanningUnits, static: np.ndarray,
                scenario: DeploymentScenario) -> dict:
    """Model versus the seed report's borough (139 ERT officers; I and S calls a year) and
    the Met's achieved performance (I 86.9% in 15 min, S 81.9% in 60, to Sep 2018)."""
    days = np.array([DAYS_PER_WEEK[d] for d in demand.day_types], dtype=float) * 365.25 / 7
    officers = np.broadcast_to(static[:, :1, None], demand.attended_per_hour.shape)
    weight_i = demand.immediate_per_hour * days[None, :, None]
    weight_s = (demand.attended_per_hour - demand.immediate_per_hour) * days[None, :, None]
    static_i = float((cover(officers, demand, scenario, "I") * weight_i).sum() / weight_i.sum())
    static_s = float((cover(officers, demand, scenario, "S") * weight_s).sum() / weight_s.sum())
    immediate = float((demand.immediate_per_hour.sum(axis=2) * days[None]).sum(axis=1).mean())
    attended = float((demand.attended_per_hour.sum(axis=2) * days[None]).sum(axis=1).mean())
    mean_required = float(need.required.mean())
    return {
        "model_mean_unit_I_per_year": round(immediate),
        "model_mean_unit_S_per_year": round(attended - immediate),
        "seed_borough_I_per_year": round(SEED_BOROUGH_I_PER_YEAR),
        "seed_borough_S_per_year": round(SEED_BOROUGH_S_PER_YEAR),
        "model_mean_required_on_duty": round(mean_required, 1),
        "seed_borough_team_size": round(SEED_BOROUGH_OFFICERS / 5, 1),
        "model_static_I_within_standard": round(static_i, 3),
        "met_achieved_I_within_standard": 0.869,
        "model_static_S_within_standard": round(static_s, 3),
        "met_achieved_S_within_standard": 0.819,
        "units": units.kind,
    }
