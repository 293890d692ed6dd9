"""The PDF's sections of issue 19 on the real engine: the top 20 hotspots (named when the
hotspot analysis names them), a borough-scale map for each unit with a HIGH-risk shift,
and one page on what changed since a previous plan file (``previous=`` /
``workstation report --compare-to``)."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from workstation.deploy.scenario import DeploymentScenario
from workstation.domain import DayType
from workstation.errors import InputError
from workstation.exports.compare import compare_plans, load_plan_json
from workstation.exports.layers import gather_layers
from workstation.exports.plan_json import write_plan_json
from workstation.exports.tables import risk_table


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def lean_plan(pack):
    """700 officers instead of 890: the engine grades some shifts HIGH."""
    from workstation.deploy import recommend
    return recommend(pack, DeploymentScenario(name="Lean nights", officers_on_duty=700))


@pytest.fixture(scope="module")
def previous_file(real_plan, tmp_path_factory):
    return write_plan_json(real_plan, tmp_path_factory.mktemp("prev") / "baseline.json")


@pytest.fixture(scope="module")
def lean_report(pack, lean_plan, previous_file, tmp_path_factory):
    from pypdf import PdfReader

    from workstation.exports.report import write_report

    layers = gather_layers(pack, day_type=DayType.WEEKDAY)
    # names as the hotspot analysis gives them (hotspots branch): "<station> <id>"
    named = layers.hotspots.assign(
        name=[f"Place {i}" for i in layers.hotspots["hotspot_id"]],
        nearest_station=[f"Station {i}" for i in layers.hotspots["hotspot_id"]])
    layers = dataclasses.replace(layers, hotspots=named)
    path = tmp_path_factory.mktemp("lean") / "lean.pdf"
    write_report(lean_plan, path, pack=pack, layers=layers, previous=previous_file)
    reader = PdfReader(path)
    return reader, [page.extract_text() for page in reader.pages]


def test_top_20_hotspots_with_names(lean_report):
    _, pages = lean_report
    page = flat(next(p for p in pages if p.startswith("Top 20 hotspots")))
    assert "Name Nearest station" in page
    for rank in range(1, 21):
        assert f"{rank} Place {rank} Station {rank}" in page, rank
    assert "Place 21" not in page
    assert "gives them no place names" not in page


def test_default_report_names_the_patrol_hotspots(real_report, pack):
    """The shipped data's report lists the patrol hotspots (workstation.maps.microplaces)
    by name, nearest station and LSOA, in their rank order."""
    _, pages, _ = real_report
    page = flat(next(p for p in pages if p.startswith("Top 20 hotspots")))
    assert "Name Nearest station LSOA" in page and "Forecast per month" in page
    assert "patrol hotspots" in page
    top = gather_layers(pack, day_type=DayType.WEEKDAY).hotspots.sort_values("rank").head(20)
    positions = [page.find(flat(str(name))) for name in top["name"]]
    assert all(p > 0 for p in positions), list(zip(top["name"], positions))
    assert positions == sorted(positions)
    assert "gives them no place names" not in page


def test_a_borough_map_per_high_risk_unit(lean_report, lean_plan):
    _, pages = lean_report
    high = risk_table(lean_plan)
    high = high[high["risk_level"] == "HIGH"]
    assert len(high) > 0
    names = dict(zip(lean_plan.plan["unit_code"], lean_plan.plan["unit_name"]))
    units = sorted({names[c] for c in high["unit_code"]})
    start = next(i for i, p in enumerate(pages) if p.startswith("Boroughs with a HIGH-risk"))
    section = flat(" ".join(pages[start:start + len(units) + 2]))
    assert f"{len(units)} units have at least one shift graded HIGH" in section
    for name in units:
        assert f"{name} — " in section, name
        rows = high[high["unit_code"].map(names) == name]
        first = rows.iloc[0]
        assert f"{first['shift']}: {first['risk_reason']}" in section, name
    # one image per unit in the section
    reader, _ = lean_report
    images = sum(len(reader.pages[i].images) for i in range(start, start + len(units) + 2)
                 if i < len(reader.pages) and i < len(pages)
                 and not pages[i].startswith("24-hour"))
    assert images >= len(units)


def test_default_report_says_no_high_risk(real_report, real_plan):
    _, pages, _ = real_report
    if (risk_table(real_plan)["risk_level"] == "HIGH").any():
        pytest.skip("the baseline has HIGH shifts")
    page = next(p for p in pages if p.startswith("Boroughs with a HIGH-risk"))
    assert "No unit-shift is graded HIGH risk" in flat(page)
    assert not any(p.startswith("What changed") for p in pages)   # no previous plan given


def test_what_changed_page(lean_report, lean_plan, real_plan, previous_file):
    reader, pages = lean_report
    index = next(i for i, p in enumerate(pages) if p.startswith("What changed since"))
    assert pages[index + 1].startswith("Maps: demand")            # one page
    page = flat(pages[index])
    changes = compare_plans(lean_plan, load_plan_json(previous_file))
    assert f"Compared with {previous_file.name} (scenario 'Baseline')" in page
    assert f"{len(changes.moves)} unit-shifts change officers" in page
    assert "officers_on_duty 890 700" in page and "name Baseline Lean nights" in page
    # the largest change is the table's first row, officers as in the two plans
    first = changes.moves.iloc[0]
    before = real_plan.plan.set_index(["unit_code", "day_type", "shift"]).loc[
        (first["unit_code"], first["day_type"], first["shift"]), "final"]
    after = lean_plan.plan.set_index(["unit_code", "day_type", "shift"]).loc[
        (first["unit_code"], first["day_type"], first["shift"]), "final"]
    assert first["final_before"] == before and first["final_after"] == after
    assert f"{before} {after} {after - before:+d}" in page
    high_before = (risk_table(real_plan)["risk_level"] == "HIGH").sum()
    high_now = (risk_table(lean_plan)["risk_level"] == "HIGH").sum()
    assert f"HIGH: {high_before} → {high_now}" in page
    outline = [item.title for item in reader.outline]
    assert outline[:3] == ["Cover", "Commander summary", "What changed since the last plan"]


def test_compare_reads_plan_cli_payload_with_engine_risk(real_plan, tmp_path):
    """`workstation plan --json` style (units[] with risk: {level, reason}) is read too."""
    units = [{"unit_code": r.unit_code, "unit_name": r.unit_name, "day_type": r.day_type,
              "shift": r.shift, "final": int(r.final) + (2 if i == 0 else 0),
              "risk": {"level": "HIGH" if i == 0 else "NONE", "reason": "test"}}
             for i, r in enumerate(real_plan.plan.itertuples(index=False))]
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"scenario": real_plan.scenario.to_dict(), "units": units}))
    changes = compare_plans(real_plan, load_plan_json(path))
    assert len(changes.moves) == 1 and changes.moves.iloc[0]["change"] == -2
    assert changes.scenario == []
    assert changes.risk_counts[0] == ("HIGH", 1, int((risk_table(real_plan)["risk_level"]
                                                      == "HIGH").sum()))


@pytest.mark.parametrize("text, message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"format": "ldw-shift-plan", "plan": []}', "no 'plan'"),
    ('{"plan": [{"unit_code": "E09000007"}]}', "lack day_type, shift, final"),
])
def test_bad_previous_plan_names_the_file(tmp_path, text, message):
    path = tmp_path / "old.json"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_plan_json(path)
    assert message in str(info.value) and "old.json" in str(info.value)
