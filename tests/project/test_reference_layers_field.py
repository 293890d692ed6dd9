"""Reference layers in project files: saved by path with their style, older files without
the field still open, and a bad entry is refused naming the field."""

import json

import pytest

from workstation.errors import InputError
from workstation.project.model import (ProjectFile, ReferenceLayerSource, load_project,
                                       project_to_dict, save_project)


def test_reference_layers_round_trip(tmp_path):
    layers = (ReferenceLayerSource(path="beats/beats.gpkg", layer="beats_2024", title="Beats",
                                   colour="#1b7837", fill_opacity=0.2, line_width_px=2.5,
                                   visible=False, label_column="beat_name"),
              ReferenceLayerSource(path="/data/os_open_roads.gpkg"))
    saved = save_project(ProjectFile(reference_layers=layers), tmp_path / "p.ldwproj")
    loaded = load_project(tmp_path / "p.ldwproj")
    assert loaded.reference_layers == saved.reference_layers == layers


def test_older_project_without_the_field_opens_with_none(tmp_path):
    data = project_to_dict(ProjectFile())
    del data["reference_layers"]
    path = tmp_path / "old.ldwproj"
    path.write_text(json.dumps(data))
    assert load_project(path).reference_layers == ()


@pytest.mark.parametrize("entry, column", [
    ({"path": ""}, "reference_layers[0]"),
    ({"path": "a.gpkg", "colour": "blue"}, "reference_layers[0].colour"),
    ({"path": "a.gpkg", "fill_opacity": 2}, "reference_layers[0].fill_opacity"),
    ({"path": "a.gpkg", "line_width_px": True}, "reference_layers[0].line_width_px"),
])
def test_bad_entries_name_the_field(tmp_path, entry, column):
    data = project_to_dict(ProjectFile())
    data["reference_layers"] = [entry]
    path = tmp_path / "bad.ldwproj"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as info:
        load_project(path)
    assert info.value.column == column and str(path) in str(info.value)
