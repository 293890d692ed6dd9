"""The recommendation on the shipped London pack: conservation, floors, travel limits and
the behaviour the product claims (demand follows people; Westminster's day shifts gain)."""

import numpy as np
import pandas as pd
import pytest

from workstation.deploy import recommend
from workstation.deploy.plan import IMPACT_COLUMNS, LENDING_COLUMNS, PLAN_COLUMNS
from workstation.deploy.scenario import DeploymentScenario, Shift
from workstation.errors import InputError

WESTMINSTER = "E09000033"


def test_plan_has_every_unit_day_and_shift(baseline_plan):
    plan = baseline_plan.plan
    assert set(PLAN_COLUMNS) <= set(plan.columns)
    assert plan["unit_code"].nunique() == 32            # Met boroughs, City excluded
    assert "E09000001" not in set(plan["unit_code"])
    assert len(plan) == 32 * 3 * 3
    assert len(baseline_plan.hourly) == 32 * 3 * 24
    assert set(LENDING_COLUMNS) <= set(baseline_plan.lending.columns)
    assert set(IMPACT_COLUMNS) <= set(baseline_plan.impact.columns)


def test_officers_are_conserved_in_every_shift(baseline_plan):
    plan = baseline_plan.plan
    assert (plan["final"] == plan["home"] - plan["lent"] + plan["borrowed"]).all()
    for (_, _), group in plan.groupby(["day_type", "shift"]):
        assert group["final"].sum() == group["home"].sum()
        assert group["lent"].sum() == group["borrowed"].sum()
    moved = baseline_plan.lending.groupby(["day_type", "shift"])["officers"].sum()
    lent = plan.groupby(["day_type", "shift"])["lent"].sum()
    assert (moved == lent.reindex(moved.index)).all()


def test_roster_keeps_each_units_officer_hours(baseline_plan):
    plan = baseline_plan.plan
    for (_, _), group in plan.groupby(["unit_code", "day_type"]):
        assert group["home"].sum() == group["static_home"].sum()   # 8-hour shifts
    assert plan.groupby(["day_type", "shift"])["static_home"].sum().unique().tolist() == [890]


def test_floor_share_is_respected(baseline_plan):
    plan = baseline_plan.plan
    floor = baseline_plan.scenario.floor_share
    assert (plan["lent"] <= np.floor((1 - floor) * plan["home"] + 1e-9)).all()


def test_no_lending_beyond_the_travel_limit(pack):
    plan = recommend(pack, DeploymentScenario(max_lending_minutes=10.0,
                                              day_types=DeploymentScenario().day_types[:1]))
    assert len(plan.lending) > 0
    assert (plan.lending["travel_minutes"] <= 10.0).all()
    none = recommend(pack, DeploymentScenario(max_lending_minutes=0.0,
                                              day_types=DeploymentScenario().day_types[:1]))
    assert len(none.lending) == 0 and (none.plan["lent"] == 0).all()


def test_westminster_borrows_on_weekday_days_at_the_default_strength(baseline_plan):
    # its weekday daytime need exceeds its static strength; the roster minimum (75%: next
    # week's rosters are already published) limits how many night officers move into the
    # day, so the rest of the day's need is borrowed from neighbours
    rows = baseline_plan.plan.set_index(["unit_code", "day_type", "shift"])
    lending = baseline_plan.lending
    for shift in ("07-15", "15-23"):
        row = rows.loc[(WESTMINSTER, "weekday", shift)]
        assert row["required"] > row["static_home"]
        assert row["borrowed"] > 0 and row["final"] > row["home"]
        into = lending[(lending["to_code"] == WESTMINSTER) & (lending["day_type"] == "weekday")
                       & (lending["shift"] == shift)]
        assert into["officers"].sum() == row["borrowed"]


def test_the_roster_minimum_decides_between_re_rostering_and_lending(pack):
    weekday = DeploymentScenario().day_types[:1]
    loose = recommend(pack, DeploymentScenario(day_types=weekday, roster_minimum_share=0.5))
    rigid = recommend(pack, DeploymentScenario(day_types=weekday, roster_minimum_share=1.0))
    base = recommend(pack, DeploymentScenario(day_types=weekday))
    # 100%: no officer changes shift, so only lending moves anyone
    assert (rigid.plan["home"] == rigid.plan["static_home"]).all()
    assert rigid.totals["officers_lent"] > base.totals["officers_lent"]
    # 50%: Westminster covers its day from its own nights and borrows less than at 75%
    def borrowed_by_day(result):
        rows = result.plan[(result.plan["unit_code"] == WESTMINSTER)
                           & result.plan["shift"].isin(["07-15", "15-23"])]
        return int(rows["borrowed"].sum())
    assert borrowed_by_day(loose) < borrowed_by_day(base)
    assert (loose.plan["home"] >= np.ceil(0.5 * loose.plan["static_home"] - 1e-9)).all()
    # looser rules can only help on the model's own measure
    share = "harm_weighted_share_within_standard_plan"
    assert loose.totals[share] >= base.totals[share] - 1e-3
    assert base.totals[share] >= rigid.totals[share] - 1e-3


def test_required_covers_the_visibility_floor_and_grows_with_the_target(pack):
    day = DeploymentScenario().day_types[:1]
    low = recommend(pack, DeploymentScenario(day_types=day, visibility_floor_per_borough=6))
    assert (low.hourly["required"] >= 6).all()
    base = recommend(pack, DeploymentScenario(day_types=day))
    from workstation.deploy.scenario import ResponseStandard
    strict = recommend(pack, DeploymentScenario(day_types=day, standards=(
        ResponseStandard("I", 15.0, 0.97), ResponseStandard("S", 60.0, 0.97))))
    assert (strict.hourly["required"].to_numpy() >= base.hourly["required"].to_numpy()).all()
    assert strict.hourly["required"].sum() > base.hourly["required"].sum()


def test_demand_follows_people_into_westminster_by_day(pack):
    day = DeploymentScenario().day_types[:1]
    moved = recommend(pack, DeploymentScenario(day_types=day)).hourly
    still = recommend(pack, DeploymentScenario(day_types=day,
                                               demand_follows_population=False)).hourly
    def midday_share(hourly):
        w = hourly[hourly["unit_code"] == WESTMINSTER].set_index("hour")["demand_per_hour"]
        return w.loc[10:16].sum() / w.sum()
    assert midday_share(moved) > midday_share(still) + 0.02
    # only the timing moves: a borough's daily volume is unchanged
    assert moved.groupby("unit_code")["demand_per_hour"].sum().to_numpy() == pytest.approx(
        still.groupby("unit_code")["demand_per_hour"].sum().to_numpy(), rel=1e-9)


def test_london_demand_is_busier_at_teatime_than_before_dawn(baseline_plan):
    hourly = baseline_plan.hourly[baseline_plan.hourly["day_type"] == "weekday"]
    by_hour = hourly.groupby("hour")["demand_per_hour"].sum()
    assert by_hour.loc[17] > 2 * by_hour.loc[4]


def test_calibration_lists_what_was_fitted_and_what_is_predicted(baseline_plan):
    cal = baseline_plan.totals["calibration"]
    assert set(cal["free_parameters"]) == {"dispatch_delay_minutes", "officer_availability"}
    for parameter in cal["free_parameters"].values():
        assert parameter["fitted_to"] in cal["fitted"]
    # the fit's operating point is stated, and the baseline runs at it
    assert cal["fitted_at"]["officers_on_duty_per_shift"] == \
        cal["fitted_at"]["this_run_officers_on_duty_per_shift"] == 890
    # the two fitted figures are reproduced (the fit is scripts/calibrate_response.py)
    for row in cal["fitted"].values():
        assert abs(row["error"]) < 0.005, row
    # at least one published figure not fitted, with the model's prediction and its error
    assert len(cal["predicted_not_fitted"]) >= 1
    for row in cal["predicted_not_fitted"].values():
        assert row["error"] == pytest.approx(row["model"] - row["published"], abs=1e-3)
        assert row["source"]
    # seed: 15,000 I and 21,600 S calls a year per borough (demand side, unchanged)
    assert cal["model_mean_unit_I_per_year"] == pytest.approx(15_000, rel=0.25)
    assert cal["model_mean_unit_S_per_year"] == pytest.approx(21_600, rel=0.35)


def test_plan_beats_static_on_its_own_demand(baseline_plan):
    t = baseline_plan.totals
    assert t["harm_weighted_share_within_standard_plan"] > t["harm_weighted_share_within_standard_static"]
    assert t["understaffed_unit_hours_plan"] < t["understaffed_unit_hours_static"]


def test_impact_statements_name_who_loses_cover_and_when(baseline_plan):
    impact = baseline_plan.impact
    losers = impact[impact["officer_change"] < 0]
    assert len(losers) > 0
    for text in losers["statement"].head(20):
        assert "static staffing" in text and "risk" in text
    assert all(s.startswith(n) for s, n in zip(impact["statement"], impact["unit_name"]))


def test_method_and_basis_state_the_policy_and_data(baseline_plan):
    text = " ".join(baseline_plan.method + baseline_plan.basis)
    for needle in ("Erlang C", "Visibility is a policy choice", "HiGHS", "Crime Severity Score",
                   "83%", "2011 census"):
        assert needle in text


def test_bcu_planning_units(pack):
    plan = recommend(pack, DeploymentScenario(units="bcu", day_types=DeploymentScenario().day_types[:1]))
    assert plan.plan["unit_code"].nunique() == 12
    assert "COL" not in set(plan.plan["unit_code"])
    assert (plan.plan["final"] == plan.plan["home"] - plan.plan["lent"] + plan.plan["borrowed"]).all()


def test_strength_csv_sets_home_strength(pack, tmp_path):
    codes = sorted(set(pack.table("boroughs")["gss_code"]) - {"E09000001"})
    path = tmp_path / "strength.csv"
    pd.DataFrame({"gss_code": codes, "officers": [30] * len(codes)}).to_csv(path, index=False)
    plan = recommend(pack, DeploymentScenario(strength_csv=str(path),
                                              day_types=DeploymentScenario().day_types[:1]))
    assert (plan.plan["static_home"] == 30).all()
    assert plan.plan["final"].sum() == 30 * 32 * 3          # re-rostered, same officers


@pytest.mark.parametrize("content, column, row", [
    ("gss_code,officers\nE09999999,20\n", "gss_code", 2),
    ("gss_code,officers\nE09000002,-4\n", "officers", 2),
    ("gss_code,officers\nE09000002,many\n", "officers", 2),
    ("borough,officers\nE09000002,4\n", None, 1),
])
def test_bad_strength_csv_names_row_and_column(pack, tmp_path, content, column, row):
    path = tmp_path / "strength.csv"
    path.write_text(content)
    with pytest.raises(InputError) as info:
        recommend(pack, DeploymentScenario(strength_csv=str(path)))
    assert info.value.row == row and info.value.column == column
    assert "strength.csv" in str(info.value)


def test_four_hour_shift_pattern(pack):
    shifts = tuple(Shift(h, (h + 6) % 24) for h in (0, 6, 12, 18))
    plan = recommend(pack, DeploymentScenario(shifts=shifts, day_types=DeploymentScenario().day_types[:1]))
    assert sorted(plan.plan["shift"].unique()) == ["00-06", "06-12", "12-18", "18-00"]


def test_cancel_stops_the_recommendation(pack):
    from workstation.domain import CancelToken, Cancelled
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        recommend(pack, DeploymentScenario(), cancel=token)


def test_a_population_built_with_other_assumptions_is_not_reused(pack):
    from workstation.deploy.recommend import _population_matches
    from workstation.flows.population import population_present
    with_visitors = population_present(pack)
    assert _population_matches(with_visitors, DeploymentScenario())
    assert not _population_matches(with_visitors, DeploymentScenario(include_visitors=False))
    day = DeploymentScenario().day_types[:1]
    reused = recommend(pack, DeploymentScenario(day_types=day), population=with_visitors)
    fresh = recommend(pack, DeploymentScenario(day_types=day))
    assert reused.hourly["population_present"].equals(fresh.hourly["population_present"])
    without = recommend(pack, DeploymentScenario(day_types=day, include_visitors=False),
                        population=with_visitors)
    assert without.hourly["population_present"].sum() < fresh.hourly["population_present"].sum()
