"""The PDF report of the real engine's plan, read back with pypdf: selectable text, pages
numbered "Page n of N", cover, summary, METHOD, impact per borough, sources and licences,
and hotspot counts suppressed in partner-safe mode. One report per session (slow to draw)."""

from __future__ import annotations

import re

import pytest

from workstation.errors import OutputError
from workstation.exports.report import VISIBILITY_SENTENCE, risk_levels, write_report
from workstation.exports.tables import demand_type_rows


@pytest.fixture(scope="module")
def pages(real_report):
    return real_report[1]


def flat(text: str) -> str:
    """Text with every run of whitespace as one space (PDF lines wrap anywhere)."""
    return re.sub(r"\s+", " ", text)


FOOTER = re.compile(r"London Deployment Workstation - .* - generated .*\n|Page \d+ of \d+\n?"
                    r"|PARTNER-SAFE\n?")


def _section(pages, start: str, stop: str) -> str:
    """Flattened text from ``start`` up to ``stop``, footers removed so that a paragraph
    crossing a page break reads as one."""
    text = flat(" ".join(FOOTER.sub("", page) for page in pages))
    begin = text.index(start)
    return text[begin:text.index(stop, begin)]


def test_every_page_numbered_n_of_total(pages):
    total = len(pages)
    assert total >= 15
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text
        assert "PARTNER-SAFE" in text
        assert "Baseline" in text


def test_cover(pages, real_plan):
    cover = flat(pages[0])
    assert "Deployment report" in cover
    assert "Scenario: Baseline" in cover
    assert re.search(r"Generated \d{2} \w+ \d{4}, \d{2}:\d{2}", cover)
    assert "Data coverage" in cover and "Data pack version" in cover
    for line in real_plan.basis:
        assert flat(line) in cover
    assert "Day types: Weekday (Mon-Thu), Saturday, Sunday" in cover


def test_commander_summary_quotes_the_plan(pages, real_plan):
    summary = flat(pages[1])
    assert summary.startswith("Commander summary")
    totals = real_plan.totals
    assert f"{len(real_plan.lending)} cross-border loans" in summary
    assert f"({real_plan.lending['officers'].sum()} officer-shifts)" in summary
    plan_share = f"{100 * totals['harm_weighted_share_within_standard_plan']:.1f}%"
    static_share = f"{100 * totals['harm_weighted_share_within_standard_static']:.1f}%"
    assert f"Harm-weighted, {plan_share} of attended demand" in summary
    assert f"against {static_share} with static staffing" in summary
    assert (f"{totals['understaffed_unit_hours_static']:,} of {len(real_plan.hourly):,} with "
            f"static staffing, {totals['understaffed_unit_hours_plan']:,} under the plan"
            in summary)
    medium = int((risk_levels(real_plan.impact) == "MEDIUM").sum())
    assert f"{medium} MEDIUM" in summary
    assert "Largest losses of cover" in summary and "What to decide" in summary


def test_method_section(pages, real_plan):
    method = _section(pages, "METHOD How each number", "Data sources, dates and licences")
    for heading in ("Population present", "Demand", "Harm weights", "Response standards",
                    "Queueing (Erlang C)", "Floors and lending"):
        assert heading in method
    assert flat(VISIBILITY_SENTENCE) in method
    for line in real_plan.method:          # the engine's own account, verbatim
        assert flat(line) in method
    # every scenario value, the weights and the calibration are printed
    for key in ("officers_on_duty", "max_lending_minutes", "floor_share",
                "standards.I.standard_minutes", "officer_availability"):
        assert key in method
    for entry in demand_type_rows(real_plan):
        assert entry["demand_type"] in method
    assert "Homicide 7,979.0" in method
    assert "calibration.met_achieved_I_within_standard" in method
    assert "{" not in method.split("Totals and calibration", 1)[1]   # no dicts dumped


def test_impact_statement_per_borough(pages, real_plan):
    impact = _section(pages, "Impact versus static staffing For each unit", "METHOD")
    plan = real_plan.impact
    names = sorted(plan["unit_name"].unique())
    assert len(names) == 32
    for name in names:
        assert f" {name} Fewer officers than static staffing" in impact or \
            f" {name} No fewer officers" in impact, name
        rows = plan[plan["unit_name"] == name]
        losses = rows[rows["officer_change"] < 0]
        if len(losses):   # who loses cover, when, by how much
            assert f"Fewer officers than static staffing in {len(losses)} of {len(rows)}" in \
                impact.split(f" {name} ", 1)[1]
            worst = losses.sort_values("officer_change", kind="stable").iloc[0]
            assert flat(worst["statement"]) in impact
    # every unit-shift the engine grades MEDIUM or HIGH is spelled out, with its risk
    risks = risk_levels(plan)
    assert risks.isin(["HIGH", "MEDIUM", "LOW"]).any()   # the engine grades its statements
    for statement in plan.loc[risks.isin(["MEDIUM", "HIGH"]), "statement"]:
        assert flat(statement) in impact
    top = next(level for level in ("HIGH", "MEDIUM", "LOW") if (risks == level).any())
    assert f"Highest risk: {top}" in impact


def test_plan_and_lending_tables(pages, real_plan):
    text = flat(" ".join(pages))
    assert "Shift plan Officers per unit" in text
    for day in ("Weekday (Mon-Thu)", "Saturday", "Sunday"):
        assert day in text
    lending = _section(pages, "Lending ", "Impact versus static staffing")
    assert f"{len(real_plan.lending)} loans" in lending
    first = real_plan.lending.iloc[0]
    assert f"{first['from_name']} {first['to_name']} {first['officers']} " \
           f"{first['travel_minutes']:.1f}" in lending


def test_sources_and_licences(pages):
    text = flat(" ".join(pages[-3:]))
    assert "Powered by TfL Open Data" in text
    assert "Open Government Licence v3.0" in text
    assert "Contains OS data © Crown copyright and database right" in text
    assert "census_commuting" in text and "crime_borough_month" in text


def test_partner_safe_suppresses_hotspot_counts(real_report):
    _, pages, threshold = real_report
    page = next(p for p in pages if p.startswith("Top ") and "hotspots" in p)
    assert f"counts below {threshold} are suppressed" in flat(page)
    lines = page.split("Max z", 1)[1].split("Partner-safe", 1)[0].split("\n")
    lines = [line.strip() for line in lines if line.strip()]
    # rows: rank, borough, area (ha), incidents, [per month], max z
    incidents = [lines[i + 2] for i, line in enumerate(lines[:-2])
                 if re.fullmatch(r"[A-Za-z][A-Za-z &.'-]+", line)]
    assert len(incidents) == 15
    assert f"<{threshold}" in incidents
    for cell in incidents:
        assert cell == f"<{threshold}" or int(cell.replace(",", "")) >= threshold


def test_report_is_a4_with_selectable_text(real_report):
    from pypdf import PdfReader

    path, pages, _ = real_report
    reader = PdfReader(path)
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)
    assert all(len(text) > 100 for text in pages)
    assert reader.metadata.title == "Deployment report - Baseline"


def test_unwritable_report_leaves_nothing(pack, real_plan, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError):
        write_report(real_plan, blocker / "r.pdf", pack=pack)
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_cancelled_report_leaves_nothing(pack, real_plan, tmp_path):
    from workstation.domain import CancelToken, Cancelled
    from workstation.exports.layers import ReportLayers

    token = CancelToken()
    token.cancel()
    seen = []
    with pytest.raises(Cancelled):
        write_report(real_plan, tmp_path / "r.pdf", pack=pack, layers=ReportLayers(),
                     cancel=token, progress=lambda f, m="": seen.append(f))
    assert seen and list(tmp_path.iterdir()) == []


def test_allocation_gap_map_states_the_totals(pages, real_plan):
    """The allocation-gap maps' caption: officer-hours short of need per day, static vs plan,
    recomputed here from the plan's hourly table."""
    maps = next(flat(p) for p in pages if p.startswith("Maps: demand and allocation gap"))
    hourly = real_plan.hourly
    days = hourly["day_type"].nunique()
    static = (hourly["required"] - hourly["static"]).clip(lower=0).sum() / days
    planned = (hourly["required"] - hourly["allocated"]).clip(lower=0).sum() / days
    assert planned < static
    assert (f"London total {static:,.0f} with static staffing, {planned:,.0f} under the plan"
            in maps)


def test_not_partner_safe_is_marked_on_every_page(pack, real_plan, tmp_path):
    """The explicit opt-out: raw hotspot counts, and every page says not to share it."""
    from pypdf import PdfReader

    path = write_report(real_plan, tmp_path / "internal.pdf", pack=pack, partner_safe=False,
                        threshold=REPORT_THRESHOLD_OFF)
    pages = [page.extract_text() for page in PdfReader(path).pages]
    for text in pages:
        assert "NOT PARTNER-SAFE: incident-level data; do not share" in text
    table = next(p for p in pages if p.startswith("Top ") and "hotspots" in p)
    assert "<" not in table.split("Max z", 1)[1]
    assert "NOT PARTNER-SAFE: incident-level data included" in flat(table)


REPORT_THRESHOLD_OFF = 600  # ignored when partner-safe is off: nothing is suppressed


def test_outline_points_at_each_section(real_report):
    """PDF bookmarks: every section in order, each on the page whose text starts with it."""
    from pypdf import PdfReader

    path, pages, _ = real_report
    reader = PdfReader(path)
    outline = [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]
    titles = [title for title, _ in outline]
    assert titles[:3] == ["Cover", "Commander summary",
                          "Maps: demand and allocation gap, Weekday (Mon-Thu)"]
    for section in ("Shift plan", "Lending", "Impact versus static staffing", "METHOD",
                    "Data sources, dates and licences"):
        assert section in titles
    numbers = [page for _, page in outline]
    assert numbers == sorted(numbers) and numbers[0] == 0
    for title, page in outline[1:]:
        assert pages[page].startswith(title), (title, page)
