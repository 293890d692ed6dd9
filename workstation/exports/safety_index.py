"""Community Safety Index exports: a PDF section, XLSX sheets and a GeoPackage layer.

Why a module of its own: the index (issue 20) joins the deployment report, workbook and
GeoPackage through one optional ``safety=`` argument each, so the plan exporters only gain
a hook line; the same functions also write stand-alone files for ``workstation
safety-index --pdf/--xlsx/--gpkg``. Partner-safe as the index itself: small counts were
suppressed before scoring, and a suppressed domain's raw value is never written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from workstation.domain import BNG
from workstation.exports._common import check_target, output_path

# The app's fixed classes (workstation/app/safety_view.py): red below target 6, greens above 7.
CLASS_BOUNDS = (0.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0)
CLASS_COLOURS = ("#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d9f0d3", "#7fbf7b", "#1b7837")
LEVEL_LABELS = {"ward": "Ward", "borough": "Borough", "lsoa": "LSOA"}


def _month(index, month: str | None) -> str:
    return index.months[index.month_index(month)]


def safety_table(index, month: str | None = None) -> pd.DataFrame:
    """One row per area, partner-safe: suppressed raw values blanked, flags kept."""
    table = index.table(_month(index, month))
    for d in index.domains:
        sup = table[f"suppressed_{d}"].astype(bool)
        table.loc[sup, f"value_{d}"] = np.nan
    keep = ["rank", "area_code", "name", "borough_code", "residents", "score", "below_target",
            "score_last_year", "change_vs_last_year", "trend_per_year"]
    for d in index.domains:
        keep += [f"score_{d}", f"value_{d}", f"weight_{d}", f"contribution_{d}", f"suppressed_{d}"]
    return table[keep].sort_values(["rank", "area_code"], na_position="last").reset_index(drop=True)


def weights_rows(index) -> list[tuple[str, str, float, float, str, str]]:
    """(domain, label, weight, share, unit, basis) for the method/weights tables."""
    total = sum(index.weights[d] for d in index.domains)
    return [(d, index.specs[d].label, index.weights[d],
             index.weights[d] / total if d in index.domains else 0.0, index.specs[d].unit,
             index.weight_basis.get(d, "")) for d in index.specs]


def method_lines(index) -> list[str]:
    from workstation.safety.index import BASE_WINDOW_END
    return [
        "Rotterdam-style Community Safety Index (seed report, key proposal 1): every area scored "
        "0-10 per domain and combined with published, editable weights.",
        f"Scale: score = clip(7 - 3 x log2(value / London value for the 12 months to "
        f"{BASE_WINDOW_END}), 0, 10): the London value scores 7, every 3 points is a doubling; "
        "percentages that should be high are scored on their shortfall from 100%.",
        "Index = weighted mean of the domain scores with data; each domain's contribution "
        "(weight share x score) adds up to the index.",
        f"Target {index.target:g} for every area, 7 for London (Rotterdam's targets).",
        index.policy.note + (" Counts below the threshold are scored as half the threshold."
                             if index.policy.partner_safe else ""),
        *index.inputs.basis,
        *(f"{index.specs[d].label}: {note}" for d, note in index.notes.items()
          if d in index.domains),
    ]


# --- GeoPackage ----------------------------------------------------------------------------

def _geometries(index, pack):
    import geopandas as gpd

    level = index.inputs.level
    if level == "borough":
        shapes = pack.table("boroughs")[["gss_code", "geometry"]].rename(
            columns={"gss_code": "area_code"})
    elif level == "ward":
        shapes = pack.table("safety_wards")[["ward_code", "geometry"]].rename(
            columns={"ward_code": "area_code"})
    else:
        from workstation.datapack.schema import TABLES
        # LSOA outlines come from the hotspots branch's pack table, when merged
        if "lsoa21_boundaries" not in TABLES or not pack.has("lsoa21_boundaries"):
            return None
        t = pack.table("lsoa21_boundaries")
        code = "lsoa21cd" if "lsoa21cd" in t.columns else t.columns[0]
        shapes = t[[code, "geometry"]].rename(columns={code: "area_code"})
    return gpd.GeoDataFrame(shapes, geometry="geometry", crs=BNG)


def safety_layer(index, pack, month: str | None = None):
    """GeoDataFrame of the index for one month (ward polygons are unions of LSOAs)."""
    import geopandas as gpd

    shapes = _geometries(index, pack)
    if shapes is None:
        from workstation.errors import InputError
        raise InputError("no LSOA polygons in the pack for a GeoPackage layer",
                         hint="Use --level ward or borough, or add the lsoa21_boundaries table")
    table = safety_table(index, month).assign(month=_month(index, month))
    merged = shapes.merge(table, on="area_code", how="inner")
    merged = merged[merged.geometry.notna()]
    columns = [c for c in merged.columns if c != "geometry"] + ["geometry"]
    return gpd.GeoDataFrame(merged[columns], geometry="geometry", crs=BNG)


def safety_layers(index, pack, month: str | None = None) -> dict:
    """{layer name: frame} for ``geopackage_layers``'s hook."""
    return {f"safety_index_{index.inputs.level}": safety_layer(index, pack, month)}


def write_safety_gpkg(index, path: str | Path, *, pack, month: str | None = None) -> int:
    from workstation.exports.geopackage import _clean_layer

    frame = _clean_layer(safety_layer(index, pack, month))
    with output_path(Path(path), suffix=".gpkg") as tmp:
        frame.to_file(tmp, layer=f"safety_index_{index.inputs.level}", driver="GPKG",
                      engine="pyogrio")
    return int(len(frame))


# --- XLSX ---------------------------------------------------------------------------------

def add_safety_sheets(book, index, month: str | None = None) -> None:
    """Sheets "Safety index" (areas) and "Safety weights" (weights, scale, method)."""
    from workstation.exports.plan_xlsx import _write_frame

    _write_frame(book.create_sheet("Safety index"), safety_table(index, month))
    sheet = book.create_sheet("Safety weights")
    sheet.append(["domain", "label", "weight", "share", "unit", "basis"])
    for row in weights_rows(index):
        sheet.append(list(row))
    sheet.append([])
    sheet.append(["month", _month(index, month), "level", index.inputs.level])
    for line in method_lines(index):
        sheet.append(["method", line])
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["F"].width = 90


def write_safety_xlsx(index, path: str | Path, month: str | None = None) -> Path:
    from openpyxl import Workbook

    check_target(path)
    book = Workbook()
    book.remove(book.active)
    add_safety_sheets(book, index, month)
    book.properties.title = f"Community Safety Index - {index.inputs.level} - {_month(index, month)}"
    book.properties.creator = "London Deployment Workstation"
    path = Path(path)
    with output_path(path) as tmp:
        book.save(tmp)
    return path


# --- PDF ----------------------------------------------------------------------------------

def safety_map_png(index, pack, month: str | None = None, *, width_in: float = 6.5,
                   height_in: float = 5.0) -> bytes:
    """Areas in the fixed classes of the app's layer, not-scored areas hatched grey."""
    from matplotlib.patches import Patch

    from workstation.exports.figures import _figure, _map_axes, _png, _wrap

    m = _month(index, month)
    shapes = _geometries(index, pack)
    if shapes is None:
        from workstation.errors import InputError
        raise InputError(f"no polygons for {index.inputs.level} areas in the pack")
    table = index.table(m).set_index("area_code")
    frame = shapes.assign(score=shapes["area_code"].map(table["score"]))
    frame = frame[frame.geometry.notna()]
    fig = _figure(width_in, height_in)
    outline = pack.table("boroughs_simplified")
    ax = _map_axes(fig, outline)
    bins = np.digitize(frame["score"].fillna(-1), CLASS_BOUNDS[1:-1])
    colours = [CLASS_COLOURS[b] if s == s else "#dddddd" for b, s in zip(bins, frame["score"])]
    frame.plot(ax=ax, color=colours, edgecolor="white", linewidth=0.2)
    outline.boundary.plot(ax=ax, color="#444444", linewidth=0.5)
    handles = [Patch(facecolor=CLASS_COLOURS[i], edgecolor="#999999",
                     label=f"{CLASS_BOUNDS[i]:g}–{CLASS_BOUNDS[i + 1]:g}")
               for i in range(len(CLASS_COLOURS) - 1, -1, -1)]
    handles.append(Patch(facecolor="#dddddd", edgecolor="#999999", label="not scored"))
    ax.legend(handles=handles, loc="lower right", fontsize=6.5, title="Index", title_fontsize=7,
              frameon=True)
    ax.set_title(_wrap(f"Community Safety Index by {index.inputs.level}, 12 months to {m} "
                       f"(target {index.target:g})"), fontsize=10)
    return _png(fig)


def safety_pdf_section(index, pack, styles, frame_w: float, month: str | None = None,
                       *, max_rows: int = 40) -> list:
    """Flowables: heading, map, areas below target, weights and method."""
    from reportlab.platypus import PageBreak

    from workstation.exports.report import _image, _p, _table

    m = _month(index, month)
    table = safety_table(index, m)
    scored = table[table["score"].notna()]
    below = scored[scored["below_target"].astype(bool)].sort_values("score")
    london = index.london_score(m)
    s = styles
    story = [_p("Community Safety Index", s["h1"]),
             _p(f"{LEVEL_LABELS.get(index.inputs.level, index.inputs.level)} level, 12 months "
                f"to {m}. London "
                f"{london:.2f} against the city target 7; {len(below)} of {len(scored)} areas "
                f"below the target {index.target:g}.", s["body"]),
             (_image(safety_map_png(index, pack, m), frame_w, 330)
              if _geometries(index, pack) is not None else
              _p("No map: the pack has no LSOA polygons (the hotspots branch's "
                 "lsoa21_boundaries table adds them).", s["note"])),
             _p(f"Areas below target ({len(below)}" + (f", worst {max_rows} shown" if
                                                       len(below) > max_rows else "") + ")",
                s["h2"])]
    weakest = {}
    for row in below.itertuples(index=False):
        r = row._asdict()
        scores = {d: r[f"score_{d}"] for d in index.domains if r[f"score_{d}"] == r[f"score_{d}"]}
        weakest[r["area_code"]] = index.specs[min(scores, key=scores.get)].label if scores else ""
    rows = [["Rank", "Area", "Index", "Change on a year", "Weakest domain"]]
    for r in below.head(max_rows).itertuples(index=False):
        change = r.change_vs_last_year
        rows.append([f"{int(r.rank)}", f"{r.name} ({r.area_code})", f"{r.score:.2f}",
                     "–" if change != change else f"{change:+.2f}", weakest[r.area_code]])
    if len(rows) == 1:
        rows.append(["", "none", "", "", ""])
    story.append(_table(rows, [frame_w * x for x in (.08, .42, .1, .15, .25)], s))
    story.append(_p("Method and weights", s["h2"]))
    wrows = [["Domain", "Weight", "Share", "Measure", "Basis"]]
    for d, label, w, share, unit, basis in weights_rows(index):
        wrows.append([label, f"{w:g}", f"{100 * share:.0f}%", unit, basis])
    story.append(_table(wrows, [frame_w * x for x in (.2, .08, .08, .27, .37)], s))
    for line in method_lines(index):
        story.append(_p(line, s["bullet"]))
    story.append(PageBreak())
    return story


def write_safety_report(index, path: str | Path, *, pack, month: str | None = None,
                        generated: dt.datetime | None = None) -> Path:
    """A stand-alone PDF holding the safety section (same fonts, footer and page numbers)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    from workstation.exports.report import _numbered_canvas, _styles

    check_target(path)
    generated = generated or dt.datetime.now().astimezone()
    styles = _styles()
    margin = 16 * mm
    frame_w = A4[0] - 2 * margin
    story = safety_pdf_section(index, pack, styles, frame_w, month)
    footer_left = (f"London Deployment Workstation - Community Safety Index - generated "
                   f"{generated:%Y-%m-%d %H:%M}")
    footer_right = "PARTNER-SAFE" if index.policy.partner_safe else "NOT PARTNER-SAFE"
    path = Path(path)
    with output_path(path) as tmp:
        doc = SimpleDocTemplate(str(tmp), pagesize=A4, leftMargin=margin, rightMargin=margin,
                                topMargin=margin, bottomMargin=margin + 14,
                                title="Community Safety Index",
                                author="London Deployment Workstation")
        doc.build(story, canvasmaker=_numbered_canvas(footer_left, footer_right))
    return path
