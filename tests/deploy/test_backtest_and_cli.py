"""Backtest on held-out months, demand table validation and the stable CLI."""

import json

import pytest

from workstation.cli import main
from workstation.deploy.backtest import FIT_MONTHS, TEST_MONTHS, backtest
from workstation.deploy.demand import fitted_profile, load_demand_table
from workstation.deploy.scenario import DeploymentScenario
from workstation.domain import DayType
from workstation.errors import InputError


@pytest.fixture(scope="module")
def result(pack):
    # reduced configuration (two day types, a few draws) to keep the test under ~10 s
    return backtest(pack, DeploymentScenario(), day_types=(DayType.WEEKDAY, DayType.SATURDAY),
                    draws=6, stress=False, real_timing_default=False)


def test_backtest_scores_months_never_fitted(result):
    assert result.fit_months[1] < result.test_months[0]
    assert (FIT_MONTHS[1], TEST_MONTHS) == ("2021-12", ("2022-02", "2024-01"))
    assert "never used in fitting" in " ".join(result.notes)


def test_backtest_overlapping_windows_refused(pack):
    with pytest.raises(ValueError):
        backtest(pack, fit_months=("2019-01", "2022-06"), test_months=("2022-02", "2024-01"))


def test_plan_beats_static_out_of_sample(result):
    # the product's claim, measured: report whatever it is, but it must be better than static
    assert result.ratio > 1.0
    assert result.ratio == pytest.approx(result.served_plan / result.served_static)
    assert result.understaffed_hours_plan < result.understaffed_hours_static
    assert len(result.by_unit) == 32
    assert 0 < result.served_static < 1 and 0 < result.served_plan <= 1


def test_demand_table_errors_name_row_and_column(tmp_path):
    text = open(load_demand_table.__globals__["DEFAULT_DEMAND_TABLE"], encoding="utf-8").read()
    bad = text.replace("Robbery,met_major,night_economy,yes,0.50", "Robbery,met_major,night_economy,yes,1.50")
    path = tmp_path / "demand.csv"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_demand_table(path)
    assert info.value.column == "share_immediate" and info.value.row == 4


def test_profile_fitted_from_timestamps_when_an_import_has_them():
    # unit test: a CAD-like set of timestamps all at 02:xx on Saturdays
    import pandas as pd

    class Incidents:
        frame = pd.DataFrame({"occurred_at": pd.date_range("2023-01-07 02:10", periods=600,
                                                           freq="7D")})
    profile = fitted_profile(Incidents())
    assert profile is not None and profile.shape == (4, 24)
    assert profile[2].argmax() == 2
    class Few:
        frame = pd.DataFrame({"occurred_at": [pd.NaT] * 10})
    assert fitted_profile(Few()) is None


def test_cli_plan_json(capsys):
    assert main(["plan", "--day", "weekday", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    first = payload["units"][0]
    for key in ("required", "home", "final", "lent", "borrowed"):
        assert key in first
    assert payload["totals"]["units"] == 32
    assert {u["day_type"] for u in payload["units"]} == {"weekday"}


def test_cli_plan_writes_xlsx_and_refuses_bad_values(tmp_path, capsys):
    out = tmp_path / "plan.xlsx"
    assert main(["plan", "--day", "saturday", "--units", "bcu", "--out", str(out)]) == 0
    assert out.stat().st_size > 0
    assert main(["plan", "--officers", "-5"]) == 2
    assert "officers_on_duty" in capsys.readouterr().err
    assert main(["plan", "--shifts", "07-15,15-23"]) == 2
    assert main(["plan", "--out", str(tmp_path / "plan.docx")]) == 2


def test_mental_health_is_a_sixth_of_incidents_and_a_fifth_of_officer_time(pack):
    # seed report: 15-20% of incidents, about 20% of officer time
    import numpy as np
    from workstation.deploy.demand import DAY_TYPES, DAYS_PER_WEEK
    from workstation.deploy.recommend import demand_for
    from workstation.deploy.units import planning_units
    demand = demand_for(pack, DeploymentScenario(), planning_units(pack), all_day_types=True)
    types = load_demand_table()
    days = np.array([DAYS_PER_WEEK[d] for d in DAY_TYPES])
    per_type = (demand.by_type_per_hour.sum(axis=2) * days[None, :, None]).sum(axis=(0, 1))
    work = np.array([per_type[t] * (k.share_immediate + k.share_significant)
                     * k.officer_hours_per_incident for t, k in enumerate(types)])
    mh = [k.name for k in types].index("Mental health")
    assert 0.15 <= per_type[mh] / per_type.sum() <= 0.20
    assert 0.15 <= work[mh] / work.sum() <= 0.25
