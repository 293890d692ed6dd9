"""Scenario values validated against the one field description (issue 18, item 4): from
a scenario file, a project file and the command line alike, a bad value gets a specific
error naming the file, the field and the allowed range, exit 2, never a traceback."""

from __future__ import annotations

import json
import math
import time

import pytest

from workstation.cli import main
from workstation.cli.scenario_options import load_scenario
from workstation.deploy.fields import FieldSpec
from workstation.deploy.scenario import FIELDS, DeploymentScenario
from workstation.errors import InputError, ScenarioError
from workstation.project import load_project, project_to_dict, ProjectFile


def _error(data: dict) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        DeploymentScenario.from_dict(data)
    return info.value


# (scenario JSON fragment, field named, words of the problem, words of the allowed range)
BAD_VALUES = [
    ({"officers_on_duty": math.nan}, "officers_on_duty", "not a finite number", "0 and 20,000"),
    ({"officers_on_duty": math.inf}, "officers_on_duty", "not a finite number", "20,000"),
    ({"officers_on_duty": "890"}, "officers_on_duty", "is text, not a number", "whole number"),
    ({"officers_on_duty": True}, "officers_on_duty", "true/false, not a number", "whole"),
    ({"officers_on_duty": 890.5}, "officers_on_duty", "not a whole number", "whole number"),
    ({"officers_on_duty": 10**9}, "officers_on_duty", "out of range", "0 and 20,000"),
    ({"officers_on_duty": -5}, "officers_on_duty", "out of range", "0 and 20,000"),
    ({"day_types": []}, "day_types", "is empty", "at least one day type"),
    ({"day_types": ["weekday", "weekday"]}, "day_types", "repeats", "at most once"),
    ({"day_types": ["monday"]}, "day_types", "unknown day type", "weekday, friday"),
    ({"day_types": "weekday"}, "day_types", "not a list", "list"),
    ({"name": "x" * 100_000}, "name", "100,000 characters long", "at most 200 characters"),
    ({"name": 7}, "name", "not text", "200 characters"),
    ({"max_lending_minutes": math.nan}, "max_lending_minutes", "not a finite number",
     "between 0 and 120 minutes"),
    ({"floor_share": 1.7}, "floor_share", "out of range", "a share between 0 and 1"),
    ({"blue_light_speed_kmh": 0}, "blue_light_speed_kmh", "out of range", "above 0 km/h"),
    ({"include_visitors": "yes"}, "include_visitors", "not true or false", "true or false"),
    ({"units": "ward"}, "units", "not one of the choices", "'borough' or 'bcu'"),
    ({"tfl_year": 2030}, "tfl_year", "out of range", "2017 and 2021"),
    ({"shifts": [7]}, "shifts", "not a list of shifts", "07-15"),
    ({"shifts": ["07-15"]}, "shifts", "out of range", "cover each hour"),
    ({"standards": [{"grade": "I", "standard_minutes": math.nan, "target_share": 0.9}]},
     "standards.I.standard_minutes", "not a finite number", "above 0 minutes"),
    ({"standards": [{"grade": "I", "standard_minutes": 15, "target_share": 1.0}]},
     "standards.I.target_share", "out of range", "strictly between 0 and 1"),
    ({"standards": [{"grade": "I"}]}, "standards", "not a response standard", "grade"),
    ({"extra": {"harm_weights_csv": [1, 2]}}, "extra.harm_weights_csv", "not a file path",
     "harm-weights CSV"),
    ({"extra": {"weights": [1, math.nan]}}, "extra.weights.1", "not a plain value", "finite"),
    ({"extra": {"deep": [[[[[[[[[1]]]]]]]]]}}, "extra.deep.0.0.0.0.0.0.0", "nested more than 8",
     "at most 8 deep"),
]


@pytest.mark.parametrize("fragment, column, problem, allowed", BAD_VALUES,
                         ids=[next(iter(c[0])) + f"-{i}" for i, c in enumerate(BAD_VALUES)])
def test_bad_value_names_field_problem_and_range(fragment, column, problem, allowed):
    exc = _error(fragment)
    assert exc.column == column
    assert problem in exc.message
    assert allowed in exc.expected
    assert len(str(exc)) < 400                     # a 100,000-character value is not echoed


def test_every_field_is_described_and_a_baseline_round_trip_is_exact():
    for name, spec in FIELDS.items():
        assert isinstance(spec, FieldSpec) and spec.name == name
        assert spec.label and len(spec.help) > 30, name
        if spec.kind in ("int", "float"):
            assert spec.minimum is not None and spec.maximum is not None, name
            spec.check(spec.default)                 # the default lies in the range
    baseline = DeploymentScenario()
    assert DeploymentScenario.from_dict(json.loads(json.dumps(baseline.to_dict()))) == baseline
    assert DeploymentScenario.from_dict({"officers_on_duty": 900.0}).officers_on_duty == 900


def test_largest_allowed_officers_runs_in_bounded_time(pack):
    """10^9 officers is refused by the range; the largest allowed value still plans fast
    (the Erlang search is per officer, so the bound is what keeps it finite)."""
    from workstation.deploy import recommend
    from workstation.domain import DayType
    started = time.perf_counter()
    scenario = DeploymentScenario(officers_on_duty=int(FIELDS["officers_on_duty"].maximum),
                                  day_types=(DayType.SUNDAY,))
    plan = recommend(pack, scenario)
    assert time.perf_counter() - started < 60
    assert int(plan.plan["static_home"].sum()) > 0


def test_deep_nesting_and_nan_in_a_scenario_file(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text('{"officers_on_duty": ' + "[" * 200_000 + "]" * 200_000 + "}")
    with pytest.raises(InputError, match="nested too deeply") as info:
        load_scenario(deep)
    assert info.value.path == str(deep)
    nan = tmp_path / "nan.json"
    nan.write_text('{"max_lending_minutes": NaN}')
    with pytest.raises(ScenarioError) as info:
        load_scenario(nan)
    assert info.value.path == str(nan) and info.value.column == "max_lending_minutes"


def test_nan_project_is_refused_naming_file_and_field(tmp_path):
    data = project_to_dict(ProjectFile(scenario=DeploymentScenario()))
    text = json.dumps(data).replace('"floor_share": 0.75', '"floor_share": NaN')
    path = tmp_path / "nan.ldwproj"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_project(path)
    assert info.value.path == str(path)
    assert info.value.column == "floor_share"
    assert "not a finite number" in str(info.value) and "between 0 and 1" in str(info.value)
    deep = tmp_path / "deep.ldwproj"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(InputError, match="nested too deeply"):
        load_project(deep)


@pytest.mark.parametrize("argv, words", [
    (["plan", "--max-lending-minutes", "nan"], ["max_lending_minutes", "not a finite number",
                                                "between 0 and 120"]),
    (["plan", "--officers", "1000000000"], ["officers_on_duty", "out of range", "20,000"]),
    (["plan", "--officers", "890.5"], ["officers_on_duty", "not a whole number"]),
    (["backtest", "--floor-share", "inf"], ["floor_share", "not a finite number"]),
    (["report", "--name", "x" * 100_000], ["name", "at most 200 characters"]),
    (["plan", "--tfl-year", "1999"], ["tfl_year", "2017 and 2021"]),
])
def test_cli_refuses_bad_values_with_exit_2(argv, words, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    for word in words:
        assert word in err


def test_cli_scenario_file_error_names_the_file(tmp_path, capsys):
    path = tmp_path / "s.json"
    path.write_text('{"officers_on_duty": "890"}')
    assert main(["backtest", "--scenario", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "officers_on_duty" in err and "text, not a number" in err


def test_cli_options_are_generated_for_every_cli_field(capsys):
    with pytest.raises(SystemExit):
        main(["plan", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for spec in FIELDS.values():
        if spec.cli:
            assert spec.cli in text, spec.name
            assert spec.label in text, spec.name
