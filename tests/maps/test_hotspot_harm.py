"""Harm weights: the shipped ONS CSS table covers every category we meet; edits are validated."""

import gzip

import pandas as pd
import pytest

from workstation.errors import InputError
from workstation.maps.harm import DEFAULT_WEIGHTS_PATH, load_harm_weights


@pytest.fixture(scope="module")
def weights():
    return load_harm_weights()


def test_brief_css_values(weights):
    assert weights.weight("Homicide", "met_subgroup") == 7979
    assert weights.weight("Robbery of Personal Property", "met_subgroup") == 746
    assert weights.weight("Domestic Burglary", "met_subgroup") == 438
    assert weights.weight("Theft from Person", "met_subgroup") == 86
    assert weights.weight("Shoplifting", "met_subgroup") == 13
    assert weights.weight("anti-social  BEHAVIOUR") == 0  # policy; matching ignores case/spaces


def test_police_uk_weights_are_volume_weighted_means_of_subgroups(weights):
    # Burglary mixes domestic (438) and business (lower): must lie strictly between them
    assert weights.weight("Burglary") < 438
    assert weights.weight("Burglary") > weights.weight("Burglary Business and Community", "met_subgroup")
    assert weights.weight("Robbery") > weights.weight("Theft from the person") > weights.weight("Shoplifting")


def test_every_met_subgroup_has_a_weight(weights, shared_data):
    names = set()
    for path in sorted((shared_data / "police_counts").glob("*.csv")):
        names |= set(pd.read_csv(path, usecols=["MinorText"])["MinorText"])
    assert len(names) > 40
    weights.weights_for(sorted(names), "met_subgroup")  # raises on any missing


def test_police_uk_types_in_raw_files_have_weights(weights, shared_data):
    path = shared_data / "police_uk_burglary" / "2024-08-metropolitan-street.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        types = set(pd.read_csv(handle, usecols=["Crime type"])["Crime type"])
    assert types == {"Burglary"}
    assert weights.weights_for(list(types)).min() > 0
    assert len(weights.categories("police_uk")) == 14  # all police.uk street-crime categories


def test_unknown_category_names_the_fix(weights):
    with pytest.raises(InputError, match="no harm weight for crime type 'Piracy'"):
        weights.weights_for(["Burglary", "Piracy"])


@pytest.mark.parametrize("edit, row, column", [
    (lambda lines: lines[:3] + ["Burglary,police_uk,lots,typo"] + lines[3:], 4, "weight"),
    (lambda lines: lines + ["Burglary,police_uk,-1,negative"], None, "weight"),
    (lambda lines: lines + ["Burglary,police,1,bad scheme"], None, "scheme"),
    (lambda lines: [lines[0].replace("weight", "score")] + lines[1:], 1, "weight"),
])
def test_bad_edits_name_row_and_column(tmp_path, edit, row, column):
    lines = DEFAULT_WEIGHTS_PATH.read_text(encoding="utf-8").splitlines()
    edited = edit(lines)
    path = tmp_path / "weights.csv"
    path.write_text("\n".join(edited) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_harm_weights(path)
    assert info.value.column == column
    assert info.value.row == (row if row is not None else len(edited))


def test_duplicate_row_is_rejected(tmp_path):
    text = "category,scheme,weight,basis\nBurglary,police_uk,1,a\nburglary ,police_uk,2,b\n"
    (tmp_path / "w.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="listed twice"):
        load_harm_weights(tmp_path / "w.csv")


def test_user_edit_changes_harm(tmp_path):
    text = "category,scheme,weight,basis\nBurglary,police_uk,\"1,000\",mine\n"
    (tmp_path / "w.csv").write_text(text, encoding="utf-8")
    assert load_harm_weights(tmp_path / "w.csv").weight("Burglary") == 1000
