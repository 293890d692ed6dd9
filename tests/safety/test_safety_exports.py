"""Safety index exports: stand-alone PDF/XLSX/GeoPackage and the hooks into the plan exports."""

from __future__ import annotations

import numpy as np
import pytest

from workstation.exports import safety_index as ex
from workstation.safety import compute_index, load_level_inputs
from workstation.safety.index import borough_presence


@pytest.fixture(scope="module")
def ratio(pack):
    return borough_presence(pack)


@pytest.fixture(scope="module")
def borough_index(pack, ratio):
    return compute_index(load_level_inputs(pack, "borough", presence=ratio))


@pytest.fixture(scope="module")
def ward_index(pack, ratio):
    return compute_index(load_level_inputs(pack, "ward", presence=ratio))


def test_standalone_files(pack, borough_index, tmp_path):
    from openpyxl import load_workbook
    from pypdf import PdfReader
    import pyogrio

    pdf = ex.write_safety_report(borough_index, tmp_path / "s.pdf", pack=pack, month="2024-12")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(pdf).pages).split())
    assert "Community Safety Index" in text and "12 months to 2024-12" in text
    assert "Westminster" in text and "Camden" in text          # the two below target
    assert "Crime harm per person present" in text and "PARTNER-SAFE" in text
    book = load_workbook(ex.write_safety_xlsx(borough_index, tmp_path / "s.xlsx", "2024-12"))
    assert book.sheetnames == ["Safety index", "Safety weights"]
    sheet = book["Safety index"]
    assert sheet.max_row == 34                                    # header + 33 boroughs
    header = [c.value for c in sheet[1]]
    first = dict(zip(header, [c.value for c in sheet[2]]))
    assert first["name"] == "Kingston upon Thames" and first["rank"] == 1
    n = ex.write_safety_gpkg(borough_index, tmp_path / "s.gpkg", pack=pack, month="2024-12")
    assert n == 33
    layers = pyogrio.list_layers(tmp_path / "s.gpkg")
    assert layers[0][0] == "safety_index_borough"


def test_xlsx_blanks_suppressed_values(ward_index):
    table = ex.safety_table(ward_index)
    sup = table["suppressed_road_collisions"].astype(bool)
    assert sup.any()
    assert table.loc[sup, "value_road_collisions"].isna().all()
    assert table.loc[sup, "score_road_collisions"].notna().all()   # scored from the stand-in
    assert table.loc[~sup & table["score"].notna(), "value_road_collisions"].notna().all()


def test_ward_layer_has_derived_polygons(pack, ward_index):
    layer = ex.safety_layer(ward_index, pack)
    assert len(layer) == 678 and layer.crs.to_epsg() == 27700
    assert np.isfinite(layer["score"]).all()


def test_hooks_into_the_plan_exports(pack, borough_index, tmp_path):
    from openpyxl import load_workbook

    from workstation.deploy import recommend
    from workstation.deploy.scenario import DeploymentScenario
    from workstation.exports.geopackage import geopackage_layers
    from workstation.exports.plan_xlsx import write_plan_xlsx

    plan = recommend(pack, DeploymentScenario())
    book = load_workbook(write_plan_xlsx(plan, tmp_path / "p.xlsx", safety=borough_index))
    assert "Safety index" in book.sheetnames and "Plan" in book.sheetnames
    without = load_workbook(write_plan_xlsx(plan, tmp_path / "q.xlsx"))
    assert "Safety index" not in without.sheetnames
    layers = geopackage_layers(pack=pack, plan=plan, safety=borough_index)
    assert "safety_index_borough" in layers and len(layers["safety_index_borough"]) == 33


def test_report_hook_adds_the_section(pack, borough_index, tmp_path):
    from pypdf import PdfReader

    from workstation.deploy import recommend
    from workstation.deploy.scenario import DeploymentScenario
    from workstation.exports.report import write_report

    plan = recommend(pack, DeploymentScenario())
    path = write_report(plan, tmp_path / "r.pdf", pack=pack, safety=borough_index)
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(path).pages]
    hit = [i for i, t in enumerate(pages) if t.startswith("Community Safety Index")]
    assert hit, "no safety section in the report"
    method = [i for i, t in enumerate(pages) if t.startswith("Method") or "METHOD" in t[:40]]
    assert not method or hit[0] < method[0]
    assert "Areas below target" in " ".join(pages[hit[0]:hit[0] + 2])
