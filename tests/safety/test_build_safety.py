"""The safety pack builder: LSOA->ward assignment recovers a known answer; the PAS reader copes
with semicolons, decimal commas and two spellings of Richmond; the shipped wards pass their checks."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from workstation.datapack.build_safety import LSOA_MONTHS, assign_lsoas_to_wards, read_pas


def test_assignment_recovers_a_known_lsoa_to_ward_map():
    rng = np.random.default_rng(7)
    subgroups = ["ARSON", "SHOPLIFTING", "BICYCLE THEFT", "OTHER THEFT", "VIOLENCE WITH INJURY"]
    truth = {f"L{i:02d}": f"W{i % 4}" for i in range(16)}
    lsoa_rows, ward_rows = [], []
    per_lsoa = {}
    for lsoa in truth:
        rates = rng.gamma(2.0, 3.0, size=len(subgroups))
        counts = rng.poisson(rates[:, None], size=(len(subgroups), len(LSOA_MONTHS)))
        per_lsoa[lsoa] = counts
        for s, sub in enumerate(subgroups):
            lsoa_rows.append({"lsoa_code": lsoa, "borough": "E09000099", "minor_category": sub,
                              **dict(zip(LSOA_MONTHS, counts[s]))})
    for ward in sorted(set(truth.values())):
        total = sum(per_lsoa[l] for l, w in truth.items() if w == ward)
        for s, sub in enumerate(subgroups):
            # the ward file counts a few more offences (placed in a ward, not an LSOA)
            extra = rng.poisson(0.3, size=len(LSOA_MONTHS))
            ward_rows.append({"wardcode": ward, "gss_code": "E09000099", "minortext": sub,
                              **dict(zip(LSOA_MONTHS, total[s] + extra))})
    got = assign_lsoas_to_wards(pd.DataFrame(ward_rows), pd.DataFrame(lsoa_rows))
    mapping = dict(zip(got["lsoa21cd"], got["ward_code"]))
    agree = np.mean([mapping[l] == w for l, w in truth.items()])
    assert agree >= 0.9
    assert got["assignment_share"].between(0, 1).all()


def test_pas_reader_semicolons_decimal_commas_and_richmond(tmp_path):
    boroughs = pd.DataFrame({"gss_code": ["E09000027", "E09000033"],
                             "name": ["Richmond upon Thames", "Westminster"]})
    text = ('Date;Survey;Borough;Measure;Proportion;MPS\n'
            '31/12/2014;PAS;Richmond upon Thames;"""Good Job"" local";0,71;0,67\n'
            '31/03/2015;PAS;Richmond Upon Thames;"""Good Job"" local";0,73;0,67\n'
            '31/03/2015;PAS;City of Westminster;Trust MPS;0,8;0,7\n')
    folder = tmp_path / "survey"
    folder.mkdir()
    with gzip.open(folder / "PAS_buroughs.csv.gz", "wt", encoding="utf-8") as handle:
        handle.write(text)
    table = read_pas(tmp_path, boroughs)
    assert list(table["gss_code"]) == ["E09000027", "E09000027", "E09000033"]
    assert table["proportion"].tolist() == pytest.approx([0.71, 0.73, 0.8])
    assert set(table["measure"]) == {"Good Job local", "Trust MPS"}
    assert list(table["quarter_end"]) == ["2014-12", "2015-03", "2015-03"]


def test_shipped_wards_pass_their_checks(pack):
    wards = pack.table("safety_wards")
    lsoas = pack.table("safety_lsoa")
    cov = pack.manifest["tables"]["safety_wards"]["coverage"]
    assert len(wards) == 679
    assert (wards["residents_2021"] > 0).sum() >= 670
    # wards add up to the LSOAs they were built from (the 6 City LSOAs have no Met ward)
    assigned = lsoas[lsoas["ward_code"].notna()]
    assert wards["residents_2021"].sum() == assigned["residents_2021"].sum()
    assert lsoas["residents_2021"].sum() == 8_799_631
    # the assignment never sees polygons, yet LSOAs land next to their ward-mates
    assert cov["lsoas_touching_own_ward"] > 0.95
    # wards whose 2018 code survives: GLA population agrees (median ratio within 10%)
    check = wards[wards["gla_population_2018_ward"].notna()]
    ratio = check["residents_2021"] / check["gla_population_2018_ward"]
    assert len(check) > 100 and 0.9 < ratio.median() < 1.1
    pas = pack.table("safety_pas")
    assert pas["gss_code"].nunique() == 32          # both Richmond spellings merged
    assert pas.groupby("gss_code").size().nunique() == 1


def test_rebuild_matches_the_shipped_tables(pack, shared_data, tmp_path):
    """Same inputs, same tables: the safety part rebuilt from ../shared/data equals the pack."""
    from workstation.datapack import build_safety
    from workstation.datapack.schema import TABLES

    entries = build_safety.build(shared_data, tmp_path)
    for name, entry in entries.items():
        assert entry["sha256"] == pack.manifest["tables"][name]["sha256"], name
        assert list(pd.read_parquet(tmp_path / TABLES[name].filename).columns) == list(
            TABLES[name].columns)
