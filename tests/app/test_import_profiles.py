"""Imports that fit time-of-day profiles must be demand: stop and search never does; a
real timestamped file offers its fit beside the default and the plan's basis names it."""

import gzip

import numpy as np
import pandas as pd
import pytest

from workstation.app.import_dialog import ImportDialog
from workstation.deploy.recommend import demand_for
from workstation.deploy.units import planning_units


def _import(qtbot, session, pool, path, confirm):
    dialog = ImportDialog(session, workers=pool, path=path)
    qtbot.addWidget(dialog)
    dialog.confirm_profiles = confirm
    task = dialog.start_import()
    with qtbot.waitSignals([task.sig_finished], timeout=120_000, raising=True, order="none"):
        pass
    return dialog


def test_stop_and_search_leaves_profiles_unchanged_and_says_why(qtbot, session, pool,
                                                                 shared_data, pack):
    asked = []
    path = shared_data / "incidents" / "police_uk_2016-06_metropolitan_stop_and_search.csv"
    dialog = _import(qtbot, session, pool, path, lambda *a: asked.append(a) or True)
    assert dialog.activity == "stop and search"
    assert asked == []                                   # nothing offered
    assert session.scenario.extra["fit_profiles_from_import"] is False
    assert "police activity, not demand" in " ".join(dialog.profile_fit.refused.values())
    units = planning_units(pack)
    with_import = demand_for(pack, session.scenario, units, incidents=session.incidents,
                             all_day_types=True)
    without = demand_for(pack, session.scenario, units, all_day_types=True)
    np.testing.assert_array_equal(with_import.attended_per_hour, without.attended_per_hour)
    assert with_import.profile_source == "assumed"


def test_timestamped_collisions_offer_their_fit_beside_the_default(qtbot, session, pool,
                                                                   shared_data, pack, tmp_path):
    raw = pd.read_csv(shared_data / "incidents" / "stats19_london_collisions_2022.csv.gz")
    table = pd.DataFrame({"reference": raw["accident_index"].astype(str),
                          "crime_type": "Road traffic collision",
                          "datetime": raw["date"] + " " + raw["time"],
                          "Latitude": raw["latitude"], "Longitude": raw["longitude"]})
    path = tmp_path / "rtc_2022.csv"
    table.to_csv(path, index=False)
    offered = []

    def agree(dialog, fit, rows):
        offered.append(rows)
        return True
    dialog = _import(qtbot, session, pool, path, agree)
    assert dialog.activity is None
    (rows,) = offered
    assert [r["demand_type"] for r in rows] == ["Road traffic collisions"]
    assert rows[0]["timed_incidents"] > 20_000
    assert len(rows[0]["fitted_weekday"]) == 24 and len(rows[0]["default_weekday"]) == 24
    assert session.scenario.extra["fit_profiles_from_import"] is True
    units = planning_units(pack)
    fitted = demand_for(pack, session.scenario, units, incidents=session.incidents,
                        all_day_types=True)
    assert "rtc_2022.csv" in " ".join(fitted.basis)
    assert "Road traffic collisions" in fitted.profile_source
    # declining keeps the defaults
    declined = session.scenario.with_changes(extra={"fit_profiles_from_import": False})
    plain = demand_for(pack, declined, units, incidents=session.incidents, all_day_types=True)
    assert plain.profile_source == "assumed"
