"""Project files: round trip, back-compat fixtures, clear errors, recent list, recovery."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from workstation.deploy.scenario import DeploymentScenario, Shift
from workstation.domain import DayType
from workstation.errors import InputError, OutputError, ScenarioError
from workstation.project import (
    FORMAT_VERSION,
    IncidentSource,
    ProjectFile,
    ViewState,
    add_recent,
    autosave,
    clear_recovery,
    find_recovery,
    load_project,
    load_recent,
    remove_recent,
    resolve_source_path,
    save_project,
)
from workstation.project.model import dumps_project
from workstation.project.recent import MAX_RECENT, recent_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "projects"


def _project() -> ProjectFile:
    scenario = DeploymentScenario(name="Night-time economy", officers_on_duty=2550,
                                  shifts=(Shift(6, 14), Shift(14, 22), Shift(22, 6)),
                                  floor_share=0.8, max_lending_minutes=15.0,
                                  day_types=(DayType.FRIDAY, DayType.SATURDAY))
    return ProjectFile(
        scenario=scenario,
        comparison_scenario=scenario.with_changes(name="No lending", max_lending_minutes=0.0),
        incidents=IncidentSource(path="/data/cad/2024-q1.csv", kind="table",
                                 column_mapping={"x": "Easting", "y": "Northing",
                                                 "datetime": "Created"}, crs="EPSG:27700",
                                 store_path="night.incidents/import-1.parquet"),
        harm_weights_path="/data/weights.csv",
        view=ViewState(day_type=DayType.SATURDAY, hour=23, selected_code="E09000033",
                       layer_visibility={"hotspots": True, "flows": False}),
    )


def test_save_load_round_trip(tmp_path):
    project = _project()
    target = tmp_path / "night.ldwproj"
    saved = save_project(project, target)
    loaded = load_project(target)
    assert loaded == saved
    assert loaded.scenario == project.scenario
    assert loaded.comparison_scenario.max_lending_minutes == 0.0
    assert loaded.incidents.column_mapping["y"] == "Northing"
    assert loaded.incidents.store_path == "night.incidents/import-1.parquet"
    assert loaded.view.hour == 23 and loaded.view.day_type is DayType.SATURDAY
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["version"] == FORMAT_VERSION
    # Projects never carry incident rows or results, only where the data came from.
    assert set(data) == {"format", "version", "app_version", "created_utc", "modified_utc",
                         "scenario", "comparison_scenario", "incidents", "harm_weights_path",
                         "view", "reference_layers"}


def test_save_is_atomic_and_leaves_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "p.ldwproj"
    save_project(_project(), target)
    before = target.read_bytes()
    import workstation.atomic as atomic

    def fail_replace(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(atomic.os, "replace", fail_replace)
    with pytest.raises(OutputError, match="cannot replace"):
        save_project(replace(_project(), harm_weights_path="/other.csv"), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["p.ldwproj"]


def test_v1_fixture_migrates():
    project = load_project(FIXTURES / "v1_carnival_sunday.ldwproj")
    s = project.scenario
    assert s.name == "Carnival Sunday - extra lending"
    assert s.officers_on_duty == 2650
    assert [sh.name for sh in s.shifts] == ["06-14", "14-22", "22-06"]
    assert s.floor_share == 0.7 and s.max_lending_minutes == 25
    assert s.blue_light_speed_kmh == 32.5
    assert s.day_types == (DayType.SUNDAY,)
    assert [(st.grade, st.target_share) for st in s.standards] == [("I", 0.9), ("S", 0.85)]
    assert project.incidents.kind == "police_uk"
    assert project.incidents.path.endswith("2019-08-metropolitan-street.csv")
    assert project.harm_weights_path.endswith("cambridge-harm-index-weights.csv")
    assert project.view == ViewState()                 # v1 had no view state
    assert project.created_utc == "2026-08-20T17:42:10+00:00"


def test_v1_minimal_fixture_gets_defaults():
    project = load_project(FIXTURES / "v1_minimal.ldwproj")
    assert project.scenario == DeploymentScenario(officers_on_duty=2400)
    assert project.incidents is None


def test_v2_fixture_loads():
    project = load_project(FIXTURES / "v2_carnival_sunday.ldwproj")
    assert project.view.selected_code == "E09000020"
    assert project.view.layer_visibility == {"boroughs": True, "hotspots": True,
                                             "stations": False}
    assert project.comparison_scenario.max_lending_minutes == 0


def test_v1_resaved_as_v2_round_trips(tmp_path):
    project = load_project(FIXTURES / "v1_carnival_sunday.ldwproj")
    save_project(project, tmp_path / "up.ldwproj")
    again = load_project(tmp_path / "up.ldwproj")
    assert again.scenario == project.scenario
    assert json.loads((tmp_path / "up.ldwproj").read_text())["version"] == 2


def _write(tmp_path, data) -> Path:
    path = tmp_path / "bad.ldwproj"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _v2(**changes):
    data = json.loads(dumps_project(_project()))
    data.update(changes)
    return data


def test_corrupt_json_is_a_clear_input_error(tmp_path):
    text = dumps_project(_project())
    path = _write(tmp_path, text[: len(text) // 2])       # truncated save
    with pytest.raises(InputError, match="not valid JSON") as info:
        load_project(path)
    assert info.value.path == str(path) and info.value.row is not None


def test_future_version_is_refused(tmp_path):
    with pytest.raises(InputError, match="made by a newer version"):
        load_project(_write(tmp_path, _v2(version=FORMAT_VERSION + 1)))


def test_not_a_project(tmp_path):
    with pytest.raises(InputError, match="not a workstation project"):
        load_project(_write(tmp_path, {"type": "FeatureCollection", "features": []}))
    with pytest.raises(InputError, match="not a workstation project"):
        load_project(_write(tmp_path, [1, 2, 3]))


def test_missing_fields(tmp_path):
    data = _v2()
    del data["scenario"]
    with pytest.raises(InputError, match=r"lacks the fields \['scenario'\]"):
        load_project(_write(tmp_path, data))


@pytest.mark.parametrize("change, column", [
    ({"view": {"day_type": "weekday", "hour": 24}}, "view.hour"),
    ({"view": {"day_type": "holiday", "hour": 3}}, "view.day_type"),
    ({"view": {"selected_code": "Camden"}}, "view.selected_code"),
])
def test_out_of_range_view(tmp_path, change, column):
    with pytest.raises(ScenarioError) as info:
        load_project(_write(tmp_path, _v2(**change)))
    assert info.value.column == column


def test_out_of_range_scenario_names_field_and_file(tmp_path):
    data = _v2()
    data["scenario"]["floor_share"] = 1.7
    path = _write(tmp_path, data)
    with pytest.raises(ScenarioError) as info:
        load_project(path)
    assert info.value.column == "floor_share"
    assert info.value.path == str(path)
    assert "between 0 and 1" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_project(tmp_path / "nope.ldwproj")


def test_relative_source_paths_resolve_against_project(tmp_path):
    assert resolve_source_path("incidents/a.csv", tmp_path / "p.ldwproj") == \
        tmp_path.resolve() / "incidents" / "a.csv"
    assert resolve_source_path("/abs/a.csv", tmp_path / "p.ldwproj") == Path("/abs/a.csv")


def test_recent_files_order_limit_and_corruption(tmp_path):
    assert load_recent() == []
    for i in range(MAX_RECENT + 3):
        add_recent(tmp_path / f"p{i}.ldwproj")
    add_recent(tmp_path / "p5.ldwproj")
    recent = load_recent()
    assert len(recent) == MAX_RECENT
    assert recent[0].name == "p5.ldwproj" and recent[1].name == f"p{MAX_RECENT + 2}.ldwproj"
    assert len({p.name for p in recent}) == MAX_RECENT
    remove_recent(tmp_path / "p5.ldwproj")
    assert all(p.name != "p5.ldwproj" for p in load_recent())
    recent_file().write_text("{not json", encoding="utf-8")
    assert load_recent() == []                    # damaged prefs never block start-up
    add_recent(tmp_path / "x.ldwproj")
    assert [p.name for p in load_recent()] == ["x.ldwproj"]


def test_autosave_and_recovery(tmp_path):
    assert find_recovery() is None
    project = _project()
    autosave(project, original_path=tmp_path / "night.ldwproj")
    found = find_recovery()
    assert found is not None
    assert found.project.scenario == project.scenario
    assert found.original_path == tmp_path / "night.ldwproj"
    clear_recovery()
    assert find_recovery() is None
    autosave(replace(project, harm_weights_path=None))
    assert find_recovery().original_path is None
    found_path = find_recovery().path
    found_path.write_text("garbage", encoding="utf-8")
    assert find_recovery() is None                # damaged recovery never blocks start-up
