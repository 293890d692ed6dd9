"""Stage 1 of the recommendation: demand per planning unit, day type and hour.

Population present comes from ``workstation.flows`` (reused when the caller holds one built
with the same assumptions); ``workstation.deploy.demand`` turns recorded crime, non-crime
incidents and collisions into graded, harm-weighted incidents per hour; BCUs sum their
boroughs.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from workstation.deploy.demand import DAY_TYPES, Demand, build_demand
from workstation.deploy.scenario import DeploymentScenario
from workstation.deploy.units import PlanningUnits

# Demand window: the latest 24 months in the pack (the backtest fits on earlier months).
DEMAND_FIRST_MONTH = "2022-02"
DEMAND_LAST_MONTH = "2024-01"


def _population_by_borough(pack, scenario: DeploymentScenario, population=None
                           ) -> tuple[tuple[str, ...], np.ndarray]:
    """Population present (n_boroughs, 4 day types, 24); a caller that already holds one
    (the app's session) passes it to save recomputing."""
    from workstation.flows.population import PopulationAssumptions, population_present
    if population is not None and not _population_matches(population, scenario):
        population = None          # built with other assumptions: recompute
    present = population if population is not None else population_present(
        pack, assumptions=PopulationAssumptions(tfl_year=scenario.tfl_year,
                                                include_visitors=scenario.include_visitors))
    return tuple(present.gss_codes), present.hourly()


def _harm_weights(scenario: DeploymentScenario):
    from workstation.maps.harm import load_harm_weights
    return load_harm_weights(scenario.extra.get("harm_weights_csv"))


def _population_matches(population, scenario: DeploymentScenario) -> bool:
    has_visitors = bool(np.any(population.components.get("day_visitors", 0)))
    year_text = f"TfL Annual Station Counts {scenario.tfl_year}"
    return has_visitors == scenario.include_visitors and any(year_text in b for b in population.basis)


def demand_for(pack, scenario: DeploymentScenario, units: PlanningUnits, *, incidents=None,
               crime_rates: pd.DataFrame | None = None, first_month: str = DEMAND_FIRST_MONTH,
               last_month: str = DEMAND_LAST_MONTH, all_day_types: bool = False,
               population=None, profiles=None) -> Demand:
    """Demand per planning unit (BCUs sum their boroughs). ``profiles`` (a
    ``demand.ProfileSpec``) perturbs time-of-day profiles (backtest stress tests); an
    import times demand only if the scenario allows it (``extra.fit_profiles_from_import``,
    set by the import dialog when the user agrees)."""
    if not scenario.extra.get("fit_profiles_from_import", True):
        incidents = None
    codes, present = _population_by_borough(pack, scenario, population)
    keep = [i for i, c in enumerate(codes) if any(c in m for m in units.members.values())]
    gss = tuple(codes[i] for i in keep)
    names = dict(zip(pack.table("boroughs")["gss_code"], pack.table("boroughs")["name"]))
    day_types = DAY_TYPES if all_day_types else scenario.day_types
    demand = build_demand(
        pack, population_present=present[keep], gss_codes=gss,
        names=tuple(names[c] for c in gss), day_types=day_types,
        harm_weights=_harm_weights(scenario),
        non_crime_multiplier=scenario.non_crime_multiplier,
        follow_population=scenario.demand_follows_population,
        demand_table=scenario.extra.get("demand_table_csv"), incidents=incidents,
        crime_rates=crime_rates, first_month=first_month, last_month=last_month,
        profiles=profiles)
    if units.kind != "borough":
        demand = demand.aggregate(units.members, dict(zip(units.codes, units.names)))
    return replace(demand, area_km2=units.area_km2)
