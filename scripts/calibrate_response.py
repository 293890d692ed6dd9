"""Refit the response model's two free parameters to the Met's published performance.

dispatch delay (minutes) -> I-grade share within 15 min under static staffing = 86.9%;
officer availability     -> S-grade share within 60 min under static staffing = 81.9%.
Both at the default scenario (890 officers per shift, static split by workload, which does
not depend on either parameter, so the fit is not circular). Alternating bisection; prints
the fitted values to copy into ``ResponseModel`` and ``DeploymentScenario`` defaults.

    PYTHONPATH=. .venv/bin/python scripts/calibrate_response.py
"""

from __future__ import annotations

from dataclasses import replace

from workstation.datapack import load_pack
from workstation.deploy.calibration import MET_I_WITHIN_15, MET_S_WITHIN_60, static_shares
from workstation.deploy.requirement import _patrol_units, requirement
from workstation.deploy.response import DEFAULT_RESPONSE
from workstation.deploy.scenario import DeploymentScenario
from workstation.deploy.strength import static_strength
from workstation.deploy.unit_demand import demand_for
from workstation.deploy.units import planning_units


def bisect(f, low: float, high: float, goal: float, increasing: bool, steps: int = 30) -> float:
    for _ in range(steps):
        mid = (low + high) / 2
        if (f(mid) < goal) == increasing:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def main() -> None:
    pack = load_pack()
    scenario = DeploymentScenario()
    units = planning_units(pack, kind=scenario.units, speed_kmh=scenario.blue_light_speed_kmh)
    demand = demand_for(pack, scenario, units, all_day_types=True)
    need = requirement(demand, scenario, patrol_units=_patrol_units(units, None))
    static, _ = static_strength(units, need, scenario)
    delay, availability = DEFAULT_RESPONSE.dispatch_delay_minutes, scenario.officer_availability
    for _ in range(3):
        delay = bisect(lambda x: static_shares(
            demand, static, replace(scenario, officer_availability=availability),
            replace(DEFAULT_RESPONSE, dispatch_delay_minutes=x))[0],
            1.0, 14.0, MET_I_WITHIN_15, increasing=False)
        availability = bisect(lambda a: static_shares(
            demand, static, replace(scenario, officer_availability=a),
            replace(DEFAULT_RESPONSE, dispatch_delay_minutes=delay))[1],
            0.2, 1.0, MET_S_WITHIN_60, increasing=True)
    shares = static_shares(demand, static, replace(scenario, officer_availability=availability),
                           replace(DEFAULT_RESPONSE, dispatch_delay_minutes=delay))
    print(f"dispatch_delay_minutes = {delay:.2f}; officer_availability = {availability:.3f}; "
          f"static I {shares[0]:.4f} (goal {MET_I_WITHIN_15}), S {shares[1]:.4f} "
          f"(goal {MET_S_WITHIN_60})")


if __name__ == "__main__":
    main()
