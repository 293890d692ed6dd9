"""The PDF report: text is selectable, pages numbered, METHOD/impact/licences present,
hotspot counts suppressed in partner-safe mode. One report per module (slow to draw)."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from workstation.errors import OutputError
from workstation.exports.report import VISIBILITY_SENTENCE, write_report

THRESHOLD = 600  # high enough that real hotspots fall below it


@pytest.fixture(scope="module")
def report(pack, small_plan, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.pdf"
    write_report(small_plan, path, pack=pack, threshold=THRESHOLD)
    reader = PdfReader(path)
    pages = [page.extract_text() for page in reader.pages]
    return path, pages


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_every_page_numbered_n_of_total(report):
    _, pages = report
    total = len(pages)
    assert total >= 10
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text
        assert "PARTNER-SAFE" in text


def test_cover_and_summary(report, small_plan):
    _, pages = report
    assert "Deployment report" in pages[0]
    assert small_plan.scenario.name in pages[0]
    assert "Data coverage" in pages[0] and "Unit-test basis line" in _flat(pages[0])
    assert "Commander summary" in pages[1]
    # the summary states the lending in numbers from the plan
    assert f"{len(small_plan.lending)} cross-border loans" in _flat(pages[1])


def test_method_section(report, small_plan):
    _, pages = report
    method = next(_flat(p) for p in pages if p.startswith("METHOD"))
    for word in ("Erlang C", "Harm weights", "Response standards", "Floors and lending",
                 "Demand"):
        assert word in method
    assert _flat(VISIBILITY_SENTENCE) in method
    text = _flat(" ".join(pages))
    for line in small_plan.method:
        assert line in text
    assert "officers_on_duty" in text and "max_lending_minutes" in text


def test_impact_statements(report, small_plan):
    _, pages = report
    impact = _flat(" ".join(p for p in pages if "Impact versus static staffing" in p))
    assert "City of London No loss of cover versus static staffing." in impact
    camden = small_plan.impact[small_plan.impact["unit_name"] == "Camden"]
    for statement in camden["statement"]:
        assert statement in impact
    assert "high risk: 5.0 points below the 90% target" in impact


def test_sources_and_licences(report):
    _, pages = report
    text = _flat(" ".join(pages[-3:]))
    assert "Powered by TfL Open Data" in text
    assert "Open Government Licence v3.0" in text
    assert "Contains OS data © Crown copyright and database right" in text
    assert "census_commuting" in text


def test_partner_safe_suppresses_hotspot_counts(report):
    _, pages = report
    page = next(p for p in pages if p.startswith("Top ") and "hotspots" in p)
    assert f"counts below {THRESHOLD} are suppressed" in _flat(page)
    lines = page.split("Max z", 1)[1].split("Partner-safe", 1)[0].split("\n")
    lines = [line.strip() for line in lines if line.strip()]
    # rows: rank, borough, area (ha), incidents, [per month], max z
    incidents = [lines[i + 2] for i, line in enumerate(lines[:-2])
                 if re.fullmatch(r"[A-Za-z][A-Za-z &.'-]+", line)]
    assert len(incidents) == 15
    assert f"<{THRESHOLD}" in incidents
    for cell in incidents:
        assert cell == f"<{THRESHOLD}" or int(cell.replace(",", "")) >= THRESHOLD


def test_unwritable_report_leaves_nothing(pack, small_plan, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError):
        write_report(small_plan, blocker / "r.pdf", pack=pack)
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_cancelled_report_leaves_nothing(pack, small_plan, tmp_path):
    from workstation.domain import CancelToken, Cancelled
    from workstation.exports.layers import ReportLayers

    token = CancelToken()
    token.cancel()
    seen = []
    with pytest.raises(Cancelled):
        write_report(small_plan, tmp_path / "r.pdf", pack=pack, layers=ReportLayers(),
                     cancel=token, progress=lambda f, m="": seen.append(f))
    assert seen and list(tmp_path.iterdir()) == []
