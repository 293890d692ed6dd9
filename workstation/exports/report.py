"""The PDF deployment report: what a commander reads and a partner can challenge.

A4, selectable text (reportlab with an embedded Unicode TrueType font), every page
numbered "Page n of N" with the partner-safe status in the footer. Sections: cover,
commander summary, maps, 24-hour charts per unit, plan and lending tables, impact
statements versus static staffing, METHOD, assumptions, data sources and licences.
Maps and charts come from ``figures`` (matplotlib Agg, no display).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from pathlib import Path
from typing import Iterable
from xml.sax.saxutils import escape

import pandas as pd

from workstation.deploy.plan import ShiftPlan
from workstation.domain import CancelToken, DayType, ProgressFn, check_cancel, no_progress
from workstation.exports import figures
from workstation.exports._common import check_target, output_path
from workstation.exports.attributions import (OGL_V3_TEXT, TFL_ATTRIBUTION, coverage_lines,
                                              pack_attributions)
from workstation.exports.layers import ReportLayers, gather_layers
from workstation.exports.partner_safe import DisclosurePolicy
from workstation.exports.tables import (demand_type_rows, harm_weight_rows, plan_table,
                                        scenario_rows, totals_rows)

log = logging.getLogger(__name__)

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
PANEL_COLUMNS = 4
PANELS_PER_PAGE = 16  # 4 columns x 4 rows: the 32 boroughs on two full pages

# The fixed half of the METHOD section; the engine's own lines (ShiftPlan.method) follow it.
METHOD_TEXT = (
    ("Population present",
     "Each borough's population present in each hour starts from residents (ONS mid-2019) and "
     "moves people with the 2011 Census commuter flows (residence to workplace), timed by TfL "
     "station entries and exits by quarter-hour and day type, so central boroughs fill by day "
     "and residential boroughs by night."),
    ("Demand",
     "Expected incidents per hour come from recorded crime per borough and offence group (Met "
     "borough-level counts, mean month over the latest 24 months), plus incidents that are not "
     "crimes (the seed report: 83% of calls are not crimes; mental health 15-20% of incidents) "
     "and road collisions (STATS19). Each type is spread over the week by a time-of-day "
     "profile (collisions: fitted to their real hours; crime: documented shape assumptions) "
     "and, where the scenario says demand follows population, moved with the population "
     "present. Recorded crime carries no hour of day, so the hourly shape is an assumption "
     "until an analyst imports timestamped (CAD) data."),
    ("Harm weights",
     "Each incident is weighted by harm: crimes by the ONS Crime Severity Score of their "
     "offence subgroup (average days of custody per offence, from sentencing data), incidents "
     "that are not crimes by stated policy weights. Harm ranks hotspots and decides where a "
     "shortfall hurts most when officers are lent. Every weight is listed below."),
    ("Response standards",
     "The Met grades calls I (immediate, 15 minutes) and S (significant, 60 minutes). A call is "
     "within the standard when the wait for a free officer plus the travel to scene fits in the "
     "standard. Travel is a dispatch delay plus the drive from the nearest free car, which is "
     "closer the more cars are free and the smaller the unit (the square-root law); even with "
     "unlimited officers the delay alone caps the share: that ceiling is printed in the totals "
     "(reachable share) and next to any target it makes unreachable."),
    ("Queueing (Erlang C)",
     "Each unit-hour is treated as a queue: calls arrive at the demand rate and each ties up an "
     "officer for its time on scene. The Erlang C formula gives the chance that a call waits "
     "and for how long, and so the share within the standard; 'required' is the smallest "
     "number of officers that reaches the target share in the shift's busiest hour, divided by "
     "the share of a shift free for calls (officer availability)."),
    ("Floors and lending",
     "Each unit keeps at least the floor share of its own officers and the visibility floor. "
     "A linear programme re-rosters officers between shifts and moves them between units "
     "within the maximum lending travel time (blue-light speed over the distance between "
     "neighbouring unit centres) to answer the most harm-weighted demand in time, counting "
     "the travel time lost; it is never worse than static staffing. 'Final' = home - lent + "
     "borrowed; the impact section compares the plan with static staffing (the same officers "
     "in every shift, nobody lent)."),
)
VISIBILITY_SENTENCE = ("The visibility floor (a minimum number of officers on duty in every "
                       "borough, every hour) is a policy choice, not a model output: it is set "
                       "in the scenario, not estimated from data.")


def _register_fonts() -> tuple[str, str]:
    """DejaVu Sans from matplotlib's own data (always installed with it): full Unicode."""
    from matplotlib import get_data_path
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        folder = Path(get_data_path()) / "fonts" / "ttf"
        pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
        from reportlab.lib.fonts import addMapping
        addMapping(FONT, 0, 0, FONT)
        addMapping(FONT, 1, 0, FONT_BOLD)
        addMapping(FONT, 0, 1, FONT)
        addMapping(FONT, 1, 1, FONT_BOLD)
    return FONT, FONT_BOLD


def _styles():
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

    base = getSampleStyleSheet()
    font, bold = _register_fonts()
    styles = {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=bold, fontSize=22,
                                leading=28, spaceAfter=12),
        "h1": ParagraphStyle("h1", parent=base["Heading1"], fontName=bold, fontSize=15,
                             leading=19, spaceBefore=4, spaceAfter=8),
        "cover_h1": ParagraphStyle("cover_h1", parent=base["Heading1"], fontName=bold,
                                   fontSize=15, leading=19, spaceBefore=4, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=bold, fontSize=11.5,
                             leading=14, spaceBefore=8, spaceAfter=4),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontName=font, fontSize=9,
                               leading=12, spaceAfter=4),
        "small": ParagraphStyle("small", parent=base["BodyText"], fontName=font, fontSize=7.5,
                                leading=9.5, spaceAfter=2),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontName=font, fontSize=7,
                               leading=8.5),
        "bullet": ParagraphStyle("bullet", parent=base["BodyText"], fontName=font, fontSize=9,
                                 leading=12, leftIndent=10, bulletIndent=0, spaceAfter=2),
        "note": ParagraphStyle("note", parent=base["BodyText"], fontName=font, fontSize=8,
                               leading=10, textColor="#7a1f1f", spaceAfter=4),
    }
    return styles


def _p(text: str, style) -> "Paragraph":
    from reportlab.platypus import Paragraph
    return Paragraph(escape(str(text)), style)


def _numbered_canvas(footer_left: str, footer_right: str):
    """A canvas that knows the page count at save time, for "Page n of N"."""
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        """Pages are held back until the count is known. Bookmarks are held back with them
        (a bookmark made now would point at the first page) and placed as each page is
        finally written."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []
            self._marks: list[tuple[str, int]] = []
            self._outline: list[tuple[str, str, int]] = []

        def bookmarkPage(self, key, **kwargs):
            self._marks.append((key, self._pageNumber))

        def addOutlineEntry(self, title, key, level=0, closed=None):
            self._outline.append((title, key, level))

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            marks, outline = list(self._marks), list(self._outline)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                for key, page in marks:
                    if page == self._pageNumber:
                        Canvas.bookmarkPage(self, key)
                super().showPage()
            for title, key, level in outline:
                Canvas.addOutlineEntry(self, title, key, level=level)
            super().save()

        def _footer(self, total: int) -> None:
            width, _ = self._pagesize
            self.saveState()
            self.setFont(FONT, 7.5)
            self.setFillColor("#555555")
            self.drawString(36, 20, footer_left[:150])
            self.drawRightString(width - 36, 20, f"Page {self._pageNumber} of {total}")
            self.drawString(36, 30, footer_right[:170])
            self.restoreState()

    return NumberedCanvas


def _bookmark(title: str):
    """A zero-size flowable that puts ``title`` in the PDF outline at its page."""
    from reportlab.platypus import Flowable

    class Bookmark(Flowable):
        def wrap(self, *args):
            return 0, 0

        def draw(self):
            key = f"b{id(self)}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=0)

    return Bookmark()


def _image(png: bytes, width_pt: float, max_height_pt: float | None = None):
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image

    reader = ImageReader(io.BytesIO(png))
    w, h = reader.getSize()
    height = width_pt * h / w
    if max_height_pt and height > max_height_pt:
        width_pt, height = width_pt * max_height_pt / height, max_height_pt
    return Image(io.BytesIO(png), width=width_pt, height=height)


def _table(rows: list[list], widths: list[float], styles, *, header_rows: int = 1,
           align_right: Iterable[int] = ()):
    from reportlab.lib import colors
    from reportlab.platypus import LongTable, Paragraph, TableStyle

    body = [[cell if isinstance(cell, Paragraph) else _p(cell, styles["cell"]) for cell in row]
            for row in rows]
    table = LongTable(body, colWidths=widths, repeatRows=header_rows)
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#dfe6ee")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b0b0")),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5), ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for index in range(header_rows, len(rows)):
        if index % 2 == 0:
            commands.append(("BACKGROUND", (0, index), (-1, index), colors.HexColor("#f5f7f9")))
    table.setStyle(TableStyle(commands))
    return table


def _fmt_num(value, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return f"{float(value):,.{digits}f}"


def _fmt_pct(value) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{100 * float(value):.1f}%"


def _day(value) -> str:
    return str(getattr(value, "value", value))


def _weighted_share(hourly: pd.DataFrame, column: str) -> float:
    weights = hourly["demand_per_hour"].clip(lower=0)
    total = weights.sum()
    return float((hourly[column] * weights).sum() / total) if total > 0 else float("nan")


def _unit_names(plan: ShiftPlan) -> dict[str, str]:
    frame = plan.plan.drop_duplicates("unit_code")
    return dict(sorted(zip(frame["unit_code"], frame["unit_name"])))


def summary_facts(plan: ShiftPlan) -> dict:
    """Headline numbers for the commander summary (also useful to the CLI)."""
    hourly = plan.hourly
    plan_rows = plan.plan
    per_shift = plan_rows.groupby(["day_type", "shift"])["home"].sum()
    return {
        "units": int(plan_rows["unit_code"].nunique()),
        "officers_per_shift": float(per_shift.mean()) if len(per_shift) else 0.0,
        "moves": int(len(plan.lending)),
        "officers_lent": float(plan.lending["officers"].sum()) if len(plan.lending) else 0.0,
        "share_plan": _weighted_share(hourly, "share_within_standard"),
        "share_static": _weighted_share(hourly, "static_share_within_standard"),
        "shortfall_shifts": int((plan_rows["final"] < plan_rows["required"]).sum()),
        "shift_rows": int(len(plan_rows)),
        # the engine's own headline figures, when it reports them
        "harm_share_plan": plan.totals.get("harm_weighted_share_within_standard_plan"),
        "harm_share_static": plan.totals.get("harm_weighted_share_within_standard_static"),
        "understaffed_plan": plan.totals.get("understaffed_unit_hours_plan"),
        "understaffed_static": plan.totals.get("understaffed_unit_hours_static"),
        "reachable": dict(plan.totals.get("reachable_share_by_grade") or {}),
        "risk_counts": {level: int((risk_levels(plan.impact) == level).sum())
                        for level in RISK_LEVELS},
    }


def _risk_text(share: float, target: float) -> str:
    """Plain risk words for a planned share against the target (I-grade)."""
    if pd.isna(share):
        return "risk not assessed"
    gap = target - share
    if gap <= 0:
        return "low risk: still meets the target"
    if gap <= 0.05:
        return f"moderate risk: {100 * gap:.1f} points below the {100 * target:.0f}% target"
    return f"high risk: {100 * gap:.1f} points below the {100 * target:.0f}% target"


RISK_LEVELS = ("HIGH", "MEDIUM", "LOW")


def risk_levels(impact: pd.DataFrame) -> pd.Series:
    """The engine's risk grade per impact row, read from its ``risk_level`` field, so the
    report never grades a shift differently from the engine; "" for NONE or no field."""
    if "risk_level" not in impact:
        return pd.Series("", index=impact.index, dtype=object)
    return impact["risk_level"].fillna("").astype(str).replace("NONE", "")


def _short_day(value) -> str:
    day = _day(value)
    try:
        return DayType(day).label.split(" (")[0]
    except ValueError:
        return day


def _change_pct(static, planned) -> str:
    if static is None or planned is None or pd.isna(static) or pd.isna(planned):
        return ""
    return f"{100 * float(static):.0f}% \u2192 {100 * float(planned):.0f}%"


class _Report:
    def __init__(self, plan: ShiftPlan, pack, layers: ReportLayers, policy: DisclosurePolicy,
                 generated: dt.datetime, chart_day_types, flow_hour: int,
                 progress: ProgressFn, cancel: CancelToken | None):
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.units import mm

        self.plan, self.pack, self.layers, self.policy = plan, pack, layers, policy
        self.generated, self.flow_hour = generated, flow_hour
        self.progress, self.cancel = progress, cancel
        self.styles = _styles()
        self.page_w, self.page_h = A4
        self.margin = 16 * mm
        self.frame_w = self.page_w - 2 * self.margin
        self.frame_h = self.page_h - 2 * self.margin - 14
        days = [d for d in plan.scenario.day_types]
        present = set(plan.hourly["day_type"].map(_day))
        self.day_types = [d for d in days if d.value in present] or [DayType.WEEKDAY]
        wanted = chart_day_types or self.day_types[:1]
        self.chart_days = [d for d in wanted if d.value in present] or self.day_types[:1]
        self.names = _unit_names(plan)
        self.target = plan.scenario.standards[0].target_share if plan.scenario.standards else 0.9
        self.grade = plan.scenario.standards[0].grade if plan.scenario.standards else "I"

    # -- sections ---------------------------------------------------------------------------
    def cover(self) -> list:
        from reportlab.platypus import PageBreak, Spacer

        s = self.styles
        manifest = self.pack.manifest
        story = [_bookmark("Cover"), Spacer(1, 90),
                 _p("London Deployment Workstation", s["h2"]),
                 _p("Deployment report", s["title"]),
                 _p(f"Scenario: {self.plan.scenario.name}", s["cover_h1"]),
                 _p(f"Generated {self.generated:%d %B %Y, %H:%M} "
                    f"({self.generated.tzname() or 'local time'})", s["body"]),
                 _p("Day types: " + ", ".join(d.label for d in self.day_types)
                    + "; shifts: " + ", ".join(x.name for x in self.plan.scenario.shifts)
                    + f"; units: {self.plan.scenario.units}", s["body"]),
                 Spacer(1, 14), _p("Data coverage", s["h2"])]
        story.append(_p(f"Data pack version {manifest.get('pack_version', '?')}, built "
                        f"{manifest.get('built_on', '?')}, from real open data (ONS, GLA, Met, "
                        "police.uk, DfT, TfL); sources and licences at the end of this report.",
                        s["body"]))
        for line in self.plan.basis:
            story.append(_p(line, s["bullet"]))
        story += [Spacer(1, 14), _p(self.policy.note, s["note"])]
        for note in self.layers.notes:
            story.append(_p(note, s["small"]))
        story.append(PageBreak())
        return story

    def summary(self) -> list:
        from reportlab.platypus import KeepInFrame, PageBreak

        s = self.styles
        f = summary_facts(self.plan)
        story = [_p("Commander summary", s["h1"])]
        text = (f"Across {f['units']} units, about {f['officers_per_shift']:,.0f} officers are on "
                f"duty per shift. The plan makes {f['moves']} cross-border loans "
                f"({f['officers_lent']:,.0f} officer-shifts). ")
        if f["harm_share_plan"] is not None and f["harm_share_static"] is not None:
            text += (f"Harm-weighted, {_fmt_pct(f['harm_share_plan'])} of attended demand is "
                     f"reached within its response standard under the plan against "
                     f"{_fmt_pct(f['harm_share_static'])} with static staffing "
                     f"({100 * (f['harm_share_plan'] - f['harm_share_static']):+.1f} points). ")
        if f["understaffed_plan"] is not None and f["understaffed_static"] is not None:
            text += (f"Unit-hours with fewer officers than needed: "
                     f"{f['understaffed_static']:,} of {len(self.plan.hourly):,} with static "
                     f"staffing, {f['understaffed_plan']:,} under the plan (one day of each "
                     "day type). ")
        text += (f"Demand-weighted, the share of {self.grade}-grade calls within the standard is "
                 f"{_fmt_pct(f['share_plan'])} under the plan against "
                 f"{_fmt_pct(f['share_static'])} static (target {100 * self.target:.0f}%).")
        story.append(_p(text, s["body"]))
        reach = f["reachable"].get(self.grade)
        if reach is not None and reach < self.target:
            story.append(_p(
                f"{self.grade}-grade ceiling: travel to scene alone means at most "
                f"{_fmt_pct(reach)} of {self.grade}-grade calls can be reached within "
                f"{self.plan.scenario.standards[0].standard_minutes:g} minutes, whatever the "
                f"staffing; the {100 * self.target:.0f}% target is out of reach with the "
                "scenario's travel times, and the plan holds units close to that ceiling.",
                s["note"]))
        counts = f["risk_counts"]
        if any(counts.values()):
            story.append(_p(
                "Risk of the plan by unit-shift (the engine's grading, see Impact): "
                + ", ".join(f"{counts[k]} {k}" for k in RISK_LEVELS)
                + f", the rest no added risk (of {f['shift_rows']}).", s["body"]))
        impact = self.impact_frame()
        sort_cols = (["risk_rank", "s_change", "officer_change"] if "s_change" in impact
                     else ["risk_rank", "cover_change_points", "officer_change"])
        # at most two rows per unit, so one big borough does not fill the table
        losers = (impact[impact["officer_change"] < 0].sort_values(sort_cols, kind="stable")
                  .groupby("unit_code", sort=False).head(2).head(8))
        gainers = (impact[impact["officer_change"] > 0]
                   .sort_values("officer_change", ascending=False, kind="stable")
                   .groupby("unit_code", sort=False).head(2).head(8))
        for title, rows in (("Largest losses of cover (versus static staffing)", losers),
                            ("Largest gains in cover", gainers)):
            story.append(_p(title, s["h2"]))
            if rows.empty:
                story.append(_p("None.", s["body"]))
                continue
            story.append(self._impact_table(rows))
        story.append(_p("What to decide", s["h2"]))
        for line in (
                "Accept or amend the loans in the Lending table; each is within the scenario's "
                f"maximum travel time ({self.plan.scenario.max_lending_minutes:g} minutes).",
                "Check the impact statements for units that lose officers: they carry the risk "
                "of the plan (MEDIUM and HIGH first).",
                "The visibility floor and the floor share are policy settings; change them in "
                "the scenario if they do not match local commitments."):
            story.append(_p(line, s["bullet"]))
        story.append(_p(self.policy.note, s["note"]))
        return [_bookmark("Commander summary"),
                KeepInFrame(self.frame_w, self.frame_h, story, mode="shrink"), PageBreak()]

    def impact_frame(self) -> pd.DataFrame:
        """Impact rows joined with the plan's shares and the engine's risk grade."""
        impact = self.plan.impact.copy()
        impact["day_type"] = impact["day_type"].map(_day)
        plan_rows = self.plan.plan.assign(day_type=self.plan.plan["day_type"].map(_day))
        keep = [c for c in ("unit_code", "day_type", "shift", "share_within_standard",
                            "static_share_within_standard", "s_share_within_standard",
                            "static_s_share_within_standard", "static_home", "final")
                if c in plan_rows.columns]
        impact = impact.merge(plan_rows[keep], on=["unit_code", "day_type", "shift"],
                              how="left")
        impact["risk"] = risk_levels(impact)
        impact["risk_rank"] = impact["risk"].map({"HIGH": 0, "MEDIUM": 1, "LOW": 2}).fillna(3)
        if "s_share_within_standard" in impact:
            impact["s_change"] = (impact["s_share_within_standard"]
                                  - impact["static_s_share_within_standard"])
        return impact

    def _impact_table(self, rows: pd.DataFrame):
        s = self.styles
        has_s = "s_share_within_standard" in rows
        head = ["Unit", "Day", "Shift", "Officers vs static",
                f"{self.grade}-grade within std", "S-grade within std" if has_s else "",
                "Worst hour (short)", "Risk"]
        table_rows = [head]
        for _, r in rows.iterrows():
            static = r.get("static_home")
            officers = (f"{int(static)} \u2192 {int(r['final'])} ({int(r['officer_change']):+d})"
                        if static is not None and pd.notna(static) and "final" in r
                        else f"{float(r['officer_change']):+.0f}")
            worst = ""
            if pd.notna(r["worst_hour"]):
                worst = f"{int(r['worst_hour']):02d}:00"
                if pd.notna(r["worst_hour_shortfall"]) and float(r["worst_hour_shortfall"]) > 0:
                    worst += f" ({_fmt_num(r['worst_hour_shortfall'])})"
            table_rows.append([
                r["unit_name"], _short_day(r["day_type"]), r["shift"], officers,
                _change_pct(r.get("static_share_within_standard"),
                            r.get("share_within_standard")),
                _change_pct(r.get("static_s_share_within_standard"),
                            r.get("s_share_within_standard")) if has_s else "",
                worst, r["risk"] or "none"])
        w = self.frame_w
        return _table(table_rows, [w * x for x in (.22, .1, .07, .16, .13, .13, .11, .08)], s)

    def maps(self) -> list:
        from reportlab.platypus import PageBreak

        s = self.styles
        boroughs = self.pack.table("boroughs_simplified")
        day = self.day_types[0]
        hourly = self.plan.hourly[self.plan.hourly["day_type"].map(_day) == day.value]
        per_unit = hourly.groupby("unit_code")
        demand_per_head = (per_unit["demand_per_hour"].sum()
                           / per_unit["population_present"].mean() * 1000.0)
        # Allocation gap as officer-hours short of need (required above officers on duty,
        # hour by hour), static staffing against the plan: where the plan closes gaps.
        # Surplus hours are not netted off: a spare officer at 04:00 does not answer a
        # call at 18:00.
        every_day = self.plan.hourly
        n_days = max(every_day["day_type"].nunique(), 1)
        short_static = ((every_day["required"] - every_day["static"]).clip(lower=0)
                        .groupby(every_day["unit_code"]).sum() / n_days)
        short_plan = ((every_day["required"] - every_day["allocated"]).clip(lower=0)
                      .groupby(every_day["unit_code"]).sum() / n_days)
        london_static, london_plan = short_static.sum(), short_plan.sum()  # before painting
        if self.plan.scenario.units != "borough":
            demand_per_head = self._to_boroughs(demand_per_head)
            short_static = self._to_boroughs(short_static)
            short_plan = self._to_boroughs(short_plan)
        days = ", ".join(d.label for d in self.day_types)
        height = (self.frame_h - 70) / 2
        story = [_p(f"Maps: demand and allocation gap, {day.label}", s["h1"])]
        self.progress(0.15, "drawing maps")
        story.append(_image(figures.choropleth_png(
            boroughs, demand_per_head, title=f"Demand per head, {day.label}",
            legend_label="expected incidents per day per 1,000 people present"),
            self.frame_w, (self.frame_h - 60) * 0.52))
        check_cancel(self.cancel)
        story.append(_image(figures.choropleth_pair_png(
            boroughs, short_static, short_plan,
            titles=("Static staffing", "This plan"),
            legend_label=f"officer-hours short of need per day (mean of {days})"),
            self.frame_w, (self.frame_h - 60) * 0.4))
        story.append(_p(
            f"Allocation gap: officer-hours in which fewer officers are on duty than the "
            f"standard needs, per day; London total {london_static:,.0f} with static "
            f"staffing, {london_plan:,.0f} under the plan"
            + (" (each BCU's value shown on all its boroughs)"
               if self.plan.scenario.units != "borough" else "")
            + ". Grey: not planned (the City of London has its own police force).",
            s["small"]))
        story.append(PageBreak())
        check_cancel(self.cancel)
        story.append(_p("Maps: hotspots and flows", s["h1"]))
        if self.layers.hotspots is not None:
            story.append(_image(figures.hotspot_map_png(
                boroughs, self.layers.hotspots, title=self.layers.hotspot_title,
                value_column=self.layers.hotspot_value_column,
                legend_label="incidents per cell"), self.frame_w, height))
            story.append(_p(self.policy.note, s["note"]))
        else:
            story.append(_p("Hotspots: no incident data was available for this report.",
                            s["body"]))
        check_cancel(self.cancel)
        if self.layers.flow_lines is not None:
            story.append(_image(figures.flow_map_png(
                boroughs, self.layers.flow_lines, title=self.layers.flow_title,
                value_column=self.layers.flow_value_column), self.frame_w, height))
        else:
            story.append(_p("Flows: not available in this data pack.", s["body"]))
        story.append(PageBreak())
        story += self.hotspot_table()
        return story

    def hotspot_table(self, top: int = 15) -> list:
        """The highest-harm hotspots with their counts as the disclosure policy allows."""
        from reportlab.platypus import PageBreak

        hot = self.layers.hotspots
        if hot is None or len(hot) == 0 or "incidents" not in hot.columns:
            return []
        s = self.styles
        sort = "hotspot_id" if "hotspot_id" in hot.columns else None
        rows_frame = (hot.sort_values(sort) if sort else
                      hot.sort_values("incidents", ascending=False)).head(top)
        rows = [["Rank", "Main borough", "Area (ha)", "Incidents", "Per month", "Max z"]]
        for rank, (_, r) in enumerate(rows_frame.iterrows(), start=1):
            suppressed = bool(r.get("incidents_suppressed", False))
            per_month = r.get("incidents_per_month")
            rows.append([str(int(r["hotspot_id"])) if sort else str(rank),
                         str(r.get("borough", r.get("gss_code", ""))),
                         _fmt_num(r["geometry"].area / 1e4, 1),
                         self.policy.label(None if suppressed else r["incidents"]),
                         "" if suppressed or per_month is None else _fmt_num(per_month, 1),
                         _fmt_num(r.get("max_z"), 1)])
        w = self.frame_w
        story = [_p(f"Top {len(rows) - 1} hotspots", s["h1"]),
                 _p(self.layers.hotspot_title, s["body"]),
                 _table(rows, [w * f for f in (.08, .32, .14, .16, .14, .16)], s),
                 _p(self.policy.note, s["note"])]
        try:
            png = figures.ranked_hotspots_png(
                self.pack.table("boroughs_simplified"), rows_frame,
                [int(r[0]) for r in rows[1:]],
                title=f"The top {len(rows) - 1} hotspots, numbered as in the table")
        except Exception as exc:  # a drawing failure must not lose the report
            log.warning("ranked hotspot map not drawn: %s", exc)
        else:
            story.append(_image(png, w, self.frame_h * 0.6))
        return story + [PageBreak()]

    def _to_boroughs(self, series: pd.Series) -> pd.Series:
        """BCU-level values painted onto their member boroughs for the borough map."""
        boroughs = self.pack.table("boroughs_simplified")
        return boroughs.set_index("gss_code")["bcu_code"].map(series)

    def charts(self) -> list:
        from reportlab.platypus import PageBreak

        s = self.styles
        story = []
        units = list(self.names.items())
        for day in self.chart_days:
            hourly = self.plan.hourly[self.plan.hourly["day_type"].map(_day) == day.value]
            for start in range(0, len(units), PANELS_PER_PAGE):
                check_cancel(self.cancel)
                chunk = units[start:start + PANELS_PER_PAGE]
                story.append(_p(f"24-hour profiles, {day.label}: units "
                                f"{start + 1}-{start + len(chunk)} of {len(units)}", s["h1"]))
                png = figures.hourly_small_multiples_png(hourly, chunk, ncols=PANEL_COLUMNS,
                                                         panel_height_in=2.2)
                story.append(_image(png, self.frame_w, self.frame_h - 40))
                story.append(PageBreak())
        return story

    def plan_tables(self) -> list:
        from reportlab.platypus import PageBreak

        s = self.styles
        table = plan_table(self.plan)
        has_static = "static_home" in table.columns
        has_s = "s_share_within_standard" in table.columns
        head = ["Unit", "Shift", "Static", "Home", "Req.", "Final", "Lent to", "Borrowed from",
                f"{self.grade}-grade within std", "S-grade within std" if has_s else ""]
        w = self.frame_w
        widths = [w * x for x in (.19, .055, .055, .055, .045, .05, .17, .16, .1, .12)]
        story = [_p("Shift plan", s["h1"]),
                 _p("Officers per unit, day type and shift: static strength (the same every "
                    "shift), home officers rostered by the plan, officers required for the "
                    "standard in the shift's busiest hour, and final strength after lending; "
                    "the expected share of calls within the standard goes from static staffing "
                    "to the plan (\u2192).", s["body"])]
        for day in self.day_types:
            rows = [head]
            part = table[table["day_type"] == day.value]
            for r in part.itertuples(index=False):
                rows.append([
                    r.unit_name, r.shift, _fmt_num(r.static_home) if has_static else "",
                    _fmt_num(r.home), _fmt_num(r.required), _fmt_num(r.final), r.lent_to,
                    r.borrowed_from,
                    _change_pct(r.static_share_within_standard, r.share_within_standard),
                    _change_pct(r.static_s_share_within_standard, r.s_share_within_standard)
                    if has_s else ""])
            if len(rows) > 1:
                story += [_p(day.label, s["h2"]), _table(rows, widths, s)]
        story += [PageBreak(), _p("Lending", s["h1"])]
        if self.plan.lending.empty:
            story.append(_p("The plan moves no officers between units.", s["body"]))
        else:
            story.append(_p(
                f"{len(self.plan.lending)} loans, {self.plan.lending['officers'].sum():,.0f} "
                "officer-shifts; travel minutes at the scenario's blue-light speed between unit "
                "centres.", s["body"]))
            rows = [["Day", "Shift", "From", "To", "Officers", "Travel (minutes)"]]
            order = {d.value: i for i, d in enumerate(self.day_types)}
            lending = self.plan.lending.assign(
                _order=self.plan.lending["day_type"].map(lambda d: order.get(_day(d), 99)))
            lending = lending.sort_values(["_order", "shift", "from_name", "to_name"])
            for r in lending.itertuples(index=False):
                rows.append([_short_day(r.day_type), r.shift, r.from_name, r.to_name,
                             _fmt_num(r.officers), _fmt_num(r.travel_minutes, 1)])
            story.append(_table(rows, [w * f for f in (.12, .08, .28, .28, .1, .14)], s))
        story.append(PageBreak())
        return story

    def impact(self) -> list:
        """Per unit: a sentence on where it loses officers against static staffing, its
        highest risk, then the engine's own statements for the shifts that matter most
        (every MEDIUM/HIGH shift and the largest loss). All shifts are in the workbook."""
        from reportlab.platypus import KeepTogether, PageBreak

        s = self.styles
        story = [_p("Impact versus static staffing", s["h1"]),
                 _p("For each unit: who loses cover, when, by how much, and the risk that "
                    "carries. Static staffing keeps the same officers in every shift; the plan "
                    "rosters them by need and lends between units. Risk (the engine's grading): "
                    "HIGH = I-grade share below its target, MEDIUM = S-grade share below its "
                    "target, LOW = loses cover but stays above target. Every unit-shift's "
                    "statement is in the workbook's Impact sheet.", s["body"])]
        impact = self.impact_frame()
        for code, name in self.names.items():
            rows = impact[impact["unit_code"] == code]
            if rows.empty:
                continue
            losses = rows[rows["officer_change"] < 0].sort_values("officer_change",
                                                                  kind="stable")
            gains = rows[rows["officer_change"] > 0]
            if losses.empty:
                text = f"No fewer officers than static staffing in any of {len(rows)} shifts"
            else:
                listed = ", ".join(f"{_short_day(r.day_type)} {r.shift} "
                                   f"({int(r.officer_change):+d})"
                                   for r in losses.head(4).itertuples())
                more = f" and {len(losses) - 4} more" if len(losses) > 4 else ""
                text = (f"Fewer officers than static staffing in {len(losses)} of {len(rows)} "
                        f"shifts: {listed}{more}")
            text += f"; more in {len(gains)}." if len(gains) else "."
            graded = rows[rows["risk"] != ""]
            if graded.empty:
                lost = rows[rows["cover_change_points"] < 0]
                text += (" No loss of cover versus static staffing." if lost.empty else
                         f" Largest loss of cover {lost['cover_change_points'].min():+.1f} "
                         "points.")
            else:
                top = graded.sort_values("risk_rank").iloc[0]["risk"]
                where = ", ".join(f"{_short_day(r.day_type)} {r.shift}" for r in
                                  graded[graded["risk"] == top].itertuples())
                text += f" Highest risk: {top} ({where})."
            block = [_p(name, s["h2"]), _p(text, s["body"])]
            picked = rows[rows["risk"].isin(["HIGH", "MEDIUM"])]
            if not losses.empty:
                picked = pd.concat([picked, losses.head(1)]).drop_duplicates(
                    ["day_type", "shift"])
            if graded.empty:  # an engine without risk words: every loss, graded here
                picked = rows[(rows["cover_change_points"] < 0) | (rows["officer_change"] < 0)]
            for _, r in picked.iterrows():
                line = str(r["statement"])
                if not r["risk"]:
                    line += (f" Expected share within standard "
                             f"{_fmt_pct(r.get('static_share_within_standard'))} static to "
                             f"{_fmt_pct(r.get('share_within_standard'))} planned "
                             f"({_risk_text(r.get('share_within_standard'), self.target)}).")
                block.append(_p(line, s["bullet"]))
            story.append(KeepTogether(block))
        story.append(PageBreak())
        return story

    def method(self) -> list:
        from reportlab.platypus import PageBreak

        s = self.styles
        w = self.frame_w
        story = [_p("METHOD", s["h1"]),
                 _p("How each number in this report is produced, so that partners can check and "
                    "challenge it. Every input value is listed under Assumptions.", s["body"])]
        for title, text in METHOD_TEXT:
            story += [_p(title, s["h2"]), _p(text, s["body"])]
        story.append(_p(VISIBILITY_SENTENCE, s["body"]))
        story.append(_p("This plan's method, as recorded by the engine", s["h2"]))
        for line in self.plan.method:
            story.append(_p(line, s["bullet"]))
        if self.plan.solver:
            story.append(_p(f"Solver: {self.plan.solver}", s["small"]))
        story.append(_p("Assumptions (every scenario value used)", s["h2"]))
        rows = [["Setting", "Value"]] + [[k, f"{v:.4g}" if isinstance(v, float) else str(v)]
                                         for k, v in scenario_rows(self.plan)]
        story.append(_table(rows, [w * 0.4, w * 0.6], s))
        story.append(_p("Weights: demand types", s["h2"]))
        types = demand_type_rows(self.plan)
        if types:
            story.append(_p("Share of incidents graded I and S, officer-hours per attended "
                            "incident and, for incidents that are not crimes, the harm weight "
                            "(crimes use the Crime Severity Score weights below).", s["body"]))
            rows = [["Demand type", "I share", "S share", "Officer-hours", "Harm weight",
                     "Basis"]]
            for t in types:
                rows.append([t["demand_type"], f"{t['share_immediate']:.2f}",
                             f"{t['share_significant']:.3g}",
                             f"{t['officer_hours_per_incident']:g}",
                             "" if t["harm_weight"] is None else f"{t['harm_weight']:g}",
                             t["basis"]])
            story.append(_table(rows, [w * x for x in (.19, .075, .075, .12, .08, .46)], s))
        else:
            story.append(_p("The demand types table could not be read for this report.",
                            s["body"]))
        weights = harm_weight_rows(self.plan)
        story.append(_p("Weights: crime harm (ONS Crime Severity Score by Met offence "
                        "subgroup)", s["h2"]))
        if weights:
            half = (len(weights) + 1) // 2
            rows = [["Offence subgroup", "Weight", "Offence subgroup", "Weight"]]
            for left, right in zip(weights[:half], weights[half:] + [("", None, "")]):
                rows.append([left[0], f"{left[1]:,.1f}", right[0],
                             "" if right[1] is None else f"{right[1]:,.1f}"])
            story.append(_table(rows, [w * x for x in (.41, .09, .41, .09)], s))
        else:
            story.append(_p("The harm weights table could not be read for this report.",
                            s["body"]))
        totals = totals_rows(self.plan)
        if totals:
            rows = [["Total", "Value"]] + [
                [k, f"{v:,.4g}" if isinstance(v, float) else
                 (f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v))]
                for k, v in totals]
            story += [_p("Totals and calibration", s["h2"]),
                      _table(rows, [w * .55, w * .45], s)]
        story.append(PageBreak())
        return story

    def sources(self) -> list:
        s = self.styles
        story = [_p("Data sources, dates and licences", s["h1"])]
        rows = [["Pack table", "Contents, coverage and licence"]]
        rows += [[name, text] for name, text in coverage_lines(self.pack.manifest)]
        story.append(_table(rows, [self.frame_w * .22, self.frame_w * .78], s))
        story.append(_p("Attributions", s["h2"]))
        for line in pack_attributions(self.pack.root):
            story.append(_p(line, s["bullet"]))
        story += [_p(TFL_ATTRIBUTION, s["h2"]), _p("Open Government Licence v3.0", s["h2"]),
                  _p(OGL_V3_TEXT, s["small"]), _p(self.policy.note, s["note"])]
        return story

    def build(self, target: Path) -> None:
        from reportlab.platypus import SimpleDocTemplate

        self.progress(0.05, "writing report")
        story = self.cover() + self.summary()
        story += self.maps()
        self.progress(0.35, "drawing 24-hour charts")
        story += self.charts()
        self.progress(0.7, "writing tables")
        story += self.plan_tables() + self.impact() + self.method() + self.sources()
        check_cancel(self.cancel)
        footer_left = (f"London Deployment Workstation - {self.plan.scenario.name} - "
                       f"generated {self.generated:%Y-%m-%d %H:%M}")
        footer_right = ("PARTNER-SAFE" if self.policy.partner_safe
                        else "NOT PARTNER-SAFE: incident-level data; do not share")
        heading_style = self.styles["h1"]

        class _Doc(SimpleDocTemplate):
            """Every section heading becomes a PDF bookmark (the reader's outline pane)."""

            def afterFlowable(self, flowable):
                if getattr(flowable, "style", None) is heading_style:
                    text = flowable.getPlainText()
                    key = f"h{id(flowable)}"
                    self.canv.bookmarkPage(key)
                    self.canv.addOutlineEntry(text, key, level=0)

        doc = _Doc(
            str(target), pagesize=(self.page_w, self.page_h), leftMargin=self.margin,
            rightMargin=self.margin, topMargin=self.margin, bottomMargin=self.margin + 14,
            title=f"Deployment report - {self.plan.scenario.name}",
            author="London Deployment Workstation", subject="Police deployment plan")
        doc.build(story, canvasmaker=_numbered_canvas(footer_left, footer_right))
        self.progress(1.0, "report written")


def write_report(plan: ShiftPlan, path: str | Path, *, pack, layers: ReportLayers | None = None,
                 partner_safe: bool = True, threshold: int = 10, flow_hour: int = 8,
                 hotspots=None, chart_day_types: list[DayType] | None = None,
                 generated: dt.datetime | None = None, progress: ProgressFn = no_progress,
                 cancel: CancelToken | None = None) -> Path:
    """Write the PDF deployment report for ``plan`` atomically.

    ``layers`` defaults to ``gather_layers`` on the pack (hotspots from ``hotspots`` if
    given, flow lines at ``flow_hour`` on the first day type). ``chart_day_types``
    defaults to the scenario's first day type. Raises ``OutputError`` if it cannot be
    written; nothing half-written is left behind.
    """
    check_target(path)
    policy = DisclosurePolicy(partner_safe=partner_safe, threshold=threshold)
    first_day = plan.scenario.day_types[0] if plan.scenario.day_types else DayType.WEEKDAY
    if layers is None:
        layers = gather_layers(pack, day_type=first_day, flow_hour=flow_hour, policy=policy,
                               hotspots=hotspots)
    generated = generated or dt.datetime.now().astimezone()
    report = _Report(plan, pack, layers, policy, generated, chart_day_types, flow_hour,
                     progress, cancel)
    path = Path(path)
    with output_path(path) as tmp:
        report.build(tmp)
    return path
