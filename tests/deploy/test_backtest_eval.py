"""The evaluation: baselines at equal officer-hours, bootstrap with a fixed seed, stress
perturbations, counts files for later windows, the real-timing collision score and the
CLI's JSON. Reduced configurations (one day type, few draws) on real data."""

import json

import numpy as np
import pytest

from workstation.cli import main
from workstation.deploy.backtest import STRESS, backtest, shift_rule
from workstation.deploy.demand import (DAY_TYPES, DAYS_PER_WEEK, NOMINAL, ProfileSpec,
                                       ROBUST_MIXTURE, _shift_arrivals)
from workstation.deploy.recommend import demand_for
from workstation.deploy.scenario import DeploymentScenario
from workstation.deploy.units import planning_units
from workstation.domain import DayType
from workstation.errors import InputError

WEEKDAY = (DayType.WEEKDAY,)
WARD_FILE = "police_counts/mps_ward_crime_2010-04_2025-02.csv.gz"


@pytest.fixture(scope="module")
def small(pack):
    return backtest(pack, day_types=WEEKDAY, draws=12, seed=7, real_timing_default=False)


def test_baselines_ratios_and_intervals(small):
    served = small.served
    assert set(small.baselines) == {"static", "shift_rule", "roster_only"}
    for name, base in small.baselines.items():
        assert base["ratio"] == pytest.approx(served["plan"] / served[name], abs=1e-3)
        lo, hi = base["ci95"]
        assert lo <= hi and 0.8 < lo < 1.5
    assert small.lending_marginal == small.baselines["roster_only"]["ratio"]
    assert small.ratio == pytest.approx(small.baselines["static"]["ratio"], abs=1e-3)
    assert set(small.stress) == set(STRESS)


def test_bootstrap_is_fixed_by_its_seed(pack, small):
    again = backtest(pack, day_types=WEEKDAY, draws=12, seed=7, stress=False,
                     real_timing_default=False)
    other = backtest(pack, day_types=WEEKDAY, draws=12, seed=8, stress=False,
                     real_timing_default=False)
    assert again.baselines["static"]["ci95"] == small.baselines["static"]["ci95"]
    assert other.baselines["static"]["ci95"] != small.baselines["static"]["ci95"]
    assert again.bootstrap == {"draws": 12, "seed": 7, "unit": "test months",
                               "ratio_ci95": small.baselines["static"]["ci95"]}


def test_shift_rule_keeps_each_units_officer_hours_and_follows_workload(pack):
    scenario = DeploymentScenario()
    units = planning_units(pack, kind="borough")
    demand = demand_for(pack, scenario, units, all_day_types=True)
    static = np.full((len(units.codes), 3), 30)
    rule = shift_rule(static, demand, scenario)
    for day in DAY_TYPES:
        assert (rule[day].sum(axis=1) == 90).all()
    # nights are quieter than lates in every borough's workload
    assert (rule[DayType.WEEKDAY][:, 2] < rule[DayType.WEEKDAY][:, 1]).all()
    # the rule obeys the plan's roster minimum (75% of 30 -> 23), and binds somewhere
    assert min(int(rule[day].min()) for day in DAY_TYPES) == 23
    loose = shift_rule(static, demand, scenario.with_changes(roster_minimum_share=0.0))
    assert min(int(loose[day].min()) for day in DAY_TYPES) < 23
    for day in DAY_TYPES:
        assert (loose[day].sum(axis=1) == 90).all()


def test_stress_perturbations_move_crime_timing_and_keep_volume(pack):
    scenario = DeploymentScenario()
    units = planning_units(pack, kind="borough")
    crime = lambda spec: demand_for(pack, scenario, units, all_day_types=True,  # noqa: E731
                                    profiles=spec)
    nominal, later, flat_all = crime(NOMINAL), crime(ProfileSpec(shift_hours=2)), crime(
        ProfileSpec(flat_all=True))
    t = nominal.type_names.index("Robbery")
    days = np.array([DAYS_PER_WEEK[d] for d in DAY_TYPES], dtype=float)
    week = lambda a: (a.sum(axis=2) * days).sum(axis=1)   # noqa: E731
    a, b = nominal.by_type_per_hour[..., t], later.by_type_per_hour[..., t]
    np.testing.assert_allclose(week(a), week(b), rtol=1e-9)           # volume kept
    np.testing.assert_allclose(b[:, 0, 5:23], a[:, 0, 3:21], rtol=1e-9)  # 2 h later
    flat = flat_all.attended_per_hour
    np.testing.assert_allclose(flat[:, 0], flat[:, 0, :1].repeat(24, axis=1), rtol=1e-9)
    # +2 h carries Saturday 23:00 into Sunday 01:00
    shape = np.zeros((1, 4, 24))
    shape[0, 2, 23] = 1.0
    moved = _shift_arrivals(shape, 2)
    assert moved[0, 3, 1] == pytest.approx(1.0) and moved[0, 2].sum() == 0
    # the planning mixture is a weighted blur of shifted arrivals: volume kept
    mixed = crime(ROBUST_MIXTURE).by_type_per_hour[..., t]
    np.testing.assert_allclose(week(mixed), week(a), rtol=1e-9)
    assert mixed[:, 0].max() < a[:, 0].max()


def test_later_window_from_the_ward_file(pack, shared_data):
    from workstation.loaders.crime_counts import read_crime_counts
    ward = read_crime_counts(shared_data / WARD_FILE, pack.table("boroughs"))
    result = backtest(pack, crime_counts=(ward,), fit_months=("2021-03", "2023-02"),
                      test_months=("2023-03", "2025-02"), day_types=WEEKDAY, draws=0,
                      stress=False, real_timing_default=False)
    assert result.windows["test"]["sources"] == {WARD_FILE.split("/")[1]: 24}
    assert 0.5 < result.served["static"] < result.served["plan"] < 1
    with pytest.raises(InputError, match="2025-03"):
        backtest(pack, crime_counts=(ward,), test_months=("2024-02", "2025-03"),
                 day_types=WEEKDAY, draws=0, stress=False, real_timing_default=False)


def test_real_timing_collision_backtest_on_the_2022_file(pack, shared_data):
    from workstation.loaders.stats19 import read_collisions
    collisions = read_collisions(shared_data / "incidents/stats19_london_collisions_2022.csv.gz",
                                 pack.table("boroughs"))
    result = backtest(pack, day_types=WEEKDAY, draws=0, stress=False, collisions=collisions,
                      collision_draws=8)
    timing = result.real_timing["collisions"]
    assert timing["fit_years"] == [2014, 2021] and timing["test_year"] == 2022
    assert timing["collisions_test"] > 23_000
    lo, hi = timing["ci95"]
    assert lo <= hi and np.isfinite(timing["ratio"])
    assert 0.3 < timing["served"]["static"] < 1
    # the pack's copy of the same file gives the same score
    from workstation.loaders.stats19 import collisions_from_pack
    again = backtest(pack, day_types=WEEKDAY, draws=0, stress=False,
                     collisions=collisions_from_pack(pack), collision_draws=0)
    assert again.real_timing["collisions"]["ratio"] == timing["ratio"]


def test_cli_json_has_the_issue_fields(capsys):
    assert main(["backtest", "--json", "--draws", "4", "--test-months", "2022-02..2024-01"]) == 0
    payload = json.loads(capsys.readouterr().out)
    for key in ("ratio", "baselines", "lending_marginal", "stress", "real_timing", "windows"):
        assert key in payload
    for name in ("static", "shift_rule", "roster_only"):
        assert set(payload["baselines"][name]) >= {"ratio", "ci95"}
    assert set(payload["stress"]) == {"shift_-2h", "shift_+2h", "shift_+4h", "flat_crime",
                                      "flat_all"}
    assert payload["windows"]["test"]["first_month"] == "2022-02"
    assert payload["ratio"] > 1.0 and len(payload["by_unit"]) == 32
    timing = payload["real_timing"]["collisions"]        # from the pack's 2022 table
    assert timing["test_year"] == 2022 and len(timing["ci95"]) == 2
    assert timing["source"] == "pack:collisions_timed"


def test_cli_names_a_month_no_file_holds(capsys):
    assert main(["backtest", "--test-months", "2023-06..2024-06", "--draws", "0"]) == 2
    assert "2024-02" in capsys.readouterr().err
