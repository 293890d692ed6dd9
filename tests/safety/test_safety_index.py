"""Community Safety Index on the shipped pack: coverage, the weight contract, the scale,
analyst domains, partner-safe suppression and the borough ranking the method doc explains."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

import numpy as np
import pytest

from workstation.errors import InputError
from workstation.exports.partner_safe import DisclosurePolicy
from workstation.safety import (compute_index, index_payload, load_custom_domain,
                                load_domain_weights, load_level_inputs, score_values)
from workstation.safety.index import BUILTIN_DOMAINS, borough_presence


@pytest.fixture(scope="module")
def ratio(pack):
    return borough_presence(pack)


@pytest.fixture(scope="module")
def ward_inputs(pack, ratio):
    return load_level_inputs(pack, "ward", presence=ratio)


@pytest.fixture(scope="module")
def borough_inputs(pack, ratio):
    return load_level_inputs(pack, "borough", presence=ratio)


def _cli_json(argv: list[str]) -> dict:
    from workstation.cli import main
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = main(argv)
    assert code == 0
    return json.loads(buffer.getvalue())


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_scores_every_ward_with_data(pack):
    payload = _cli_json(["safety-index", "--level", "ward", "--json"])
    areas = payload["areas"]
    assert len(areas) >= 600
    assert payload["summary"]["scored"] == len(areas)
    wards = pack.table("safety_wards")
    with_people = set(wards.loc[wards["residents_2021"] > 0, "ward_code"])
    assert {a["area_code"] for a in areas} == with_people   # every ward with data is scored
    names = {w["domain"] for w in payload["weights"]}
    assert set(BUILTIN_DOMAINS) <= names
    for a in areas:
        assert 0 <= a["score"] <= 10
        assert set(a["domains"]) == set(BUILTIN_DOMAINS)
        parts = [d for d in a["domains"].values() if d]
        assert sum(d["weight"] for d in parts) == pytest.approx(1.0, abs=1e-3)
        # contributions explain the score: they add up to it
        assert sum(d["contribution"] for d in parts) == pytest.approx(a["score"], abs=0.02)
    assert all(n["reason"] for n in payload["not_scored"])


def test_scale_anchor_points():
    ref = 50.0
    s = score_values(np.array([50.0, 100.0, 25.0, 400.0, 0.0, np.nan]), ref, "higher_is_worse")
    assert s[:3] == pytest.approx([7.0, 4.0, 10.0])
    assert s[3] == 0.0 and s[4] == 10.0 and np.isnan(s[5])
    assert score_values(np.array([100.0]), ref, "higher_is_better")[0] == pytest.approx(10.0)
    # percent: 40% agreeing vs a 60% reference = 60% shortfall vs 40%: log2(1.5) worse
    p = score_values(np.array([40.0]), 60.0, "percent_higher_is_better")[0]
    assert p == pytest.approx(7 - 3 * np.log2(60 / 40))


def test_changing_a_weight_in_the_csv_changes_scores_as_documented(ward_inputs, tmp_path):
    """Doubling a domain's weight moves each score towards that domain's score: the new
    score is the weighted mean of the (unchanged) domain scores with the new weights."""
    base = compute_index(ward_inputs, load_domain_weights())
    text = load_domain_weights().to_frame()
    text.loc[text["domain"] == "burglary", "weight"] = 0.40
    path = tmp_path / "weights.csv"
    text.to_csv(path, index=False)
    edited = compute_index(ward_inputs, load_domain_weights(path))
    m = len(base.months) - 1
    old, new = base.total[:, m], edited.total[:, m]
    ok = np.isfinite(old)
    assert not np.allclose(old[ok], new[ok])
    burg = base.scores["burglary"][:, m]
    # direction: up where burglary scores above the old total, down where below
    up = ok & (burg > old + 1e-9)
    down = ok & (burg < old - 1e-9)
    assert (new[up] > old[up]).all() and (new[down] < old[down]).all()
    # exact: recompute from domain scores with the edited weights
    w = {d: edited.weights[d] for d in edited.domains}
    num = sum(w[d] * np.nan_to_num(edited.scores[d][:, m]) for d in w)
    den = sum(w[d] * np.isfinite(edited.scores[d][:, m]) for d in w)
    assert new[ok] == pytest.approx((num / den)[ok])
    # domain scores themselves do not depend on the weights
    for d in base.domains:
        np.testing.assert_allclose(base.scores[d], edited.scores[d], equal_nan=True)


def test_single_domain_weight_gives_that_domain_score(borough_inputs, tmp_path):
    path = _write(tmp_path / "w.csv", "domain,weight,basis\nharm_per_resident,1,only harm\n")
    idx = compute_index(borough_inputs, load_domain_weights(path))
    m = len(idx.months) - 1
    s = idx.scores["harm_per_resident"][:, m]
    ok = np.isfinite(idx.total[:, m])
    assert idx.domains == ("harm_per_resident",)
    assert idx.total[ok, m] == pytest.approx(s[ok])


def test_weights_file_errors_name_row_and_column(tmp_path):
    bad = _write(tmp_path / "w.csv", "domain,weight,basis\nburglary,-1,x\n")
    with pytest.raises(InputError) as err:
        load_domain_weights(bad)
    assert err.value.row == 2 and err.value.column == "weight"
    twice = _write(tmp_path / "w2.csv", "domain,weight,basis\nburglary,1,x\nburglary,2,y\n")
    with pytest.raises(InputError, match="listed twice"):
        load_domain_weights(twice)


def test_unknown_domain_in_weights_is_refused(borough_inputs, tmp_path):
    path = _write(tmp_path / "w.csv", "domain,weight,basis\nburglary,1,x\nlitter,1,y\n")
    with pytest.raises(InputError, match="litter"):
        compute_index(borough_inputs, load_domain_weights(path))


def test_borough_index_2024_ranks_as_the_method_doc_explains(borough_inputs):
    idx = compute_index(borough_inputs)
    table = idx.table("2024-12").set_index("name")
    scored = table[table["scored"]]
    assert len(scored) == 32 and not table.loc["City of London", "scored"]
    assert scored["score"].idxmin() == "Westminster"
    west = scored.loc["Westminster"]
    # the exposure effect: per person present Westminster is far less extreme than per resident
    assert west["score_harm_per_person_present"] > west["score_harm_per_resident"] + 2.0
    assert west["value_harm_per_resident"] > 3 * idx.references["harm_per_resident"]
    top5 = set(scored.sort_values("score", ascending=False).index[:5])
    assert top5 & {"Kingston upon Thames", "Richmond upon Thames", "Sutton", "Bexley", "Harrow"}
    # change vs last year is the score difference over 12 index months
    m = idx.month_index("2024-12")
    a = list(idx.inputs.names).index("Westminster")
    assert west["change_vs_last_year"] == pytest.approx(idx.total[a, m] - idx.total[a, m - 12])


def test_london_reference_area_scores_seven(borough_inputs):
    """Pooling all Met boroughs reproduces the reference: London 2023 harm per resident = 7."""
    idx = compute_index(borough_inputs)
    t = idx.table("2023-12")
    met = t[t["scored"]]
    pooled = (met["value_harm_per_resident"] * met["residents"]).sum() / met["residents"].sum()
    assert pooled == pytest.approx(idx.references["harm_per_resident"], rel=1e-6)
    assert score_values(np.array([pooled]), idx.references["harm_per_resident"],
                        "higher_is_worse")[0] == pytest.approx(7.0)


def test_analyst_domain_from_csv_joins_the_index(pack, ward_inputs, borough_inputs, tmp_path):
    boroughs = pack.table("safety_boroughs")
    rows = "\n".join(f"{c},{10 + i}" for i, c in enumerate(boroughs["gss_code"]))
    path = _write(tmp_path / "youth_survey.csv",
                  "area_code,value,direction,weight\n" + rows.replace("\n", ",higher_is_worse,0.2\n")
                  + ",higher_is_worse,0.2\n")
    custom = load_custom_domain(path)
    assert custom.name == "youth_survey" and custom.weight == 0.2
    b = compute_index(borough_inputs, custom=[custom], wards=pack.table("safety_wards"),
                      lsoas=pack.table("safety_lsoa"))
    assert "youth_survey" in b.domains
    base = compute_index(borough_inputs)
    m = len(b.months) - 1
    assert not np.allclose(np.nan_to_num(b.total[:, m]), np.nan_to_num(base.total[:, m]))
    # wards inherit their borough's value
    w = compute_index(ward_inputs, custom=[custom], wards=pack.table("safety_wards"),
                      lsoas=pack.table("safety_lsoa"))
    value_by_borough = dict(zip(boroughs["gss_code"], range(10, 10 + len(boroughs))))
    got = w.values["youth_survey"][:, m]
    want = np.array([value_by_borough[c] for c in w.inputs.borough_codes], dtype=float)
    np.testing.assert_allclose(got, want)


def test_analyst_domain_bad_code_names_the_row(borough_inputs, tmp_path):
    path = _write(tmp_path / "d.csv", "area_code,value,weight\nE09000001,3,1\nE99999999,4,1\n")
    with pytest.raises(InputError) as err:
        compute_index(borough_inputs, custom=[load_custom_domain(path)])
    assert err.value.row == 3 and err.value.column == "area_code"


def test_small_counts_are_suppressed_before_scoring(ward_inputs):
    safe = compute_index(ward_inputs)
    raw = compute_index(ward_inputs, policy=DisclosurePolicy(partner_safe=False))
    m = len(safe.months) - 1
    # wards with fewer than 10 events in a year: road collisions in quiet wards
    d = max(ward_inputs.counts, key=lambda k: int((ward_inputs.counts[k][:, m] < 10).sum()))
    cnt = ward_inputs.counts[d][:, m]
    small = (cnt < 10) & np.isfinite(ward_inputs.values[d][:, m])
    assert small.any(), "expected some wards with fewer than 10 events in a year"
    assert safe.suppressed[d][small, m].all()
    assert not safe.suppressed[d][~small, m].any()
    assert not raw.suppressed[d][:, m].any()
    # scored from half the threshold, not the true count
    nonzero = small & (cnt > 0)
    per = ward_inputs.values[d][nonzero, m] / cnt[nonzero]
    assert safe.values[d][nonzero, m] == pytest.approx(5.0 * per)
    assert not np.allclose(safe.scores[d][small, m], raw.scores[d][small, m])
    payload = index_payload(safe)
    hidden = [a for a in payload["areas"] if a["domains"][d]["suppressed"]]
    assert hidden and all(a["domains"][d]["value"] is None for a in hidden)


def test_edited_harm_weights_change_harm_domains_only(pack, ratio, ward_inputs, tmp_path):
    from workstation.maps.harm import DEFAULT_WEIGHTS_PATH, load_harm_weights
    text = DEFAULT_WEIGHTS_PATH.read_text(encoding="utf-8").replace(
        "Theft from Person,met_subgroup,86.0", "Theft from Person,met_subgroup,860.0")
    assert "860.0" in text
    path = _write(tmp_path / "css.csv", text)
    edited = load_level_inputs(pack, "ward", harm_weights=load_harm_weights(path),
                               presence=ratio)
    m = len(edited.months) - 1
    assert (edited.values["harm_per_resident"][:, m] >= ward_inputs.values["harm_per_resident"][:, m] - 1e-9)[
        np.isfinite(edited.values["harm_per_resident"][:, m])].all()
    assert not np.allclose(np.nan_to_num(edited.values["harm_per_resident"]),
                           np.nan_to_num(ward_inputs.values["harm_per_resident"]))
    np.testing.assert_allclose(edited.values["burglary"], ward_inputs.values["burglary"],
                               equal_nan=True)


def test_lsoa_level_runs_for_its_one_month(pack, ratio):
    inputs = load_level_inputs(pack, "lsoa", presence=ratio)
    idx = compute_index(inputs)
    assert idx.months == ("2025-02",)
    t = idx.table()
    assert t["scored"].sum() > 4900
    assert t["change_vs_last_year"].isna().all()   # no earlier LSOA year in the pack


def test_ward_people_present_follow_jobs_and_add_up_to_the_borough(ward_inputs, borough_inputs):
    """Inside a borough, residents who stay count by residents and people coming in by the
    ward's share of the borough's workplace population; wards add up to the borough."""
    import pandas as pd
    wards = pd.DataFrame({"code": ward_inputs.codes, "name": ward_inputs.names,
                          "b": ward_inputs.borough_codes, "present": ward_inputs.present,
                          "residents": ward_inputs.residents})
    by_b = wards.groupby("b")["present"].sum()
    boro = pd.Series(borough_inputs.present, index=borough_inputs.codes)
    common = [c for c in by_b.index if np.isfinite(boro[c])]
    assert len(common) == 32
    np.testing.assert_allclose(by_b[common], boro[common], rtol=1e-6)
    west = wards[wards["b"] == "E09000033"].set_index("name")
    ratio = west["present"] / west["residents"]
    # the West End and St James's hold many times their residents; residential wards do not
    assert ratio["West End"] > 5 * ratio.median() and ratio["St James's"] > 5 * ratio.median()
