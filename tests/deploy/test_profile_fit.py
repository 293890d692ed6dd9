"""Profiles fitted from an import: only demand types it really holds, each with a minimum
count; police activity (stop and search) fits nothing; the plan's basis names the source."""

import numpy as np
import pandas as pd

from workstation.deploy.demand import MIN_TIMED_PER_TYPE, fit_profiles
from workstation.deploy.recommend import demand_for
from workstation.deploy.scenario import DeploymentScenario
from workstation.deploy.units import planning_units
from workstation.loaders.record_kind import activity_kind


class _Import:
    def __init__(self, frame, sources=("cad.csv",)):
        self.frame, self.sources = frame, sources


def _typed(kind, n, start):
    return pd.DataFrame({"occurred_at": pd.date_range(start, periods=n, freq="7D"),
                         "crime_type": kind})


def test_stop_and_search_fits_nothing(shared_data, pack):
    from workstation.loaders import import_incidents
    path = shared_data / "incidents" / "police_uk_2016-06_metropolitan_stop_and_search.csv"
    searches = import_incidents(path, boroughs=pack.table("boroughs"))
    assert activity_kind(pd.read_csv(path, nrows=1).columns) == "stop and search"
    fit = fit_profiles(searches)
    assert fit.profiles == {} and len(fit.refused) == 3
    assert all("police activity" in v for v in fit.refused.values())
    units = planning_units(pack)
    scenario = DeploymentScenario()
    with_searches = demand_for(pack, scenario, units, incidents=searches, all_day_types=True)
    plain = demand_for(pack, scenario, units, all_day_types=True)
    np.testing.assert_array_equal(with_searches.attended_per_hour, plain.attended_per_hour)
    assert "police activity, not demand" in " ".join(with_searches.basis)


def test_only_types_with_enough_timestamps_are_fitted(pack):
    frame = pd.concat([_typed("Robbery", MIN_TIMED_PER_TYPE + 100, "2023-01-07 02:10"),
                       _typed("Burglary", 100, "2023-01-02 18:00")], ignore_index=True)
    fit = fit_profiles(_Import(frame))
    assert fit.fitted == ("Robbery",) and fit.counts["Robbery"] == MIN_TIMED_PER_TYPE + 100
    assert "fewer than" in fit.refused["Burglary"]
    assert fit.profiles["Robbery"][2].argmax() == 2          # Saturday 02:00
    units = planning_units(pack)
    demand = demand_for(pack, DeploymentScenario(), units, incidents=_Import(frame),
                        all_day_types=True)
    assert "cad.csv" in " ".join(demand.basis) and "Robbery" in demand.profile_source
    robbery = demand.type_names.index("Robbery")
    theft = demand.type_names.index("Theft")
    plain = demand_for(pack, DeploymentScenario(), units, all_day_types=True)
    assert not np.allclose(demand.by_type_per_hour[..., robbery],
                           plain.by_type_per_hour[..., robbery])
    np.testing.assert_allclose(demand.by_type_per_hour[..., theft],
                               plain.by_type_per_hour[..., theft])     # untouched
