"""Report figures drawn with matplotlib's Agg canvas (no display, no pyplot state).

Each function returns PNG bytes so the PDF writer stays independent of matplotlib;
maps are drawn in EPSG:27700 from the pack's simplified borough boundaries (drawing
only, per data/README.md).
"""

from __future__ import annotations

import io
import textwrap
from typing import Sequence

import numpy as np
import pandas as pd

from workstation.maps import classify as classification_rules

DPI = 150
# Classes for the report's borough maps: the app's defaults (five quantile classes).
CHOROPLETH_K = 5


def _zoomed_map(width_in: float, height_in: float, bounds, *, pad_share: float,
                pad_m: float):
    """A map axes (equal aspect, no frame) zoomed to ``bounds`` plus a margin of
    ``pad_share`` of the larger side and ``pad_m`` metres; returns the figure, the axes,
    the bounds and the margin (callers label only what falls inside)."""
    fig = _figure(width_in, height_in)
    ax = fig.add_subplot(1, 1, 1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    minx, miny, maxx, maxy = bounds
    pad = max(maxx - minx, maxy - miny) * pad_share + pad_m
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    return fig, ax, (minx, miny, maxx, maxy), pad


def _figure(width_in: float, height_in: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _wrap(title: str, width: int = 72) -> str:
    """Long titles wrap instead of widening the figure (which shrinks the map)."""
    return "\n".join(textwrap.wrap(title, width))


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.05)
    return buffer.getvalue()


def _map_axes(fig, boroughs):
    ax = fig.add_subplot(1, 1, 1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    minx, miny, maxx, maxy = boroughs.total_bounds
    pad = 1500.0
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    return ax


def _classed(values: pd.Series, *, cmap: str, diverging: bool):
    """Classify with the app's rule (``maps.classify.choropleth_classes``) and its ColorBrewer
    ramp, so a borough has the same class and colour in the report as on screen."""
    from matplotlib.colors import BoundaryNorm, ListedColormap

    classes = classification_rules.choropleth_classes(
        values.to_numpy(dtype=float), k=CHOROPLETH_K, diverging=diverging)
    bounds = np.asarray(classes.bounds, dtype=float)
    if classes.k < 1 or bounds[-1] <= bounds[0]:   # one value: a single class around it
        bounds = np.array([bounds[0] - 0.5, bounds[0] + 0.5])
    colours = classification_rules.ramp_hex(cmap, len(bounds) - 1)
    return classes, BoundaryNorm(bounds, len(colours)), ListedColormap(colours)


def _bound_labels(bar, *, horizontal: bool = False) -> None:
    """Class edges as readable numbers (395,869 not 395869; 7.6 not 7.58...)."""
    from matplotlib.ticker import FuncFormatter

    def text(value, _pos) -> str:
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"
    axis = bar.ax.xaxis if horizontal else bar.ax.yaxis
    axis.set_major_formatter(FuncFormatter(text))


def _draw_classed(ax, frame, classes, colours, *, edgecolor: str, linewidth: float) -> None:
    known = frame[classes.classes >= 0]
    if len(known):
        known.plot(ax=ax, color=[colours(int(c)) for c in classes.classes[classes.classes >= 0]],
                   edgecolor=edgecolor, linewidth=linewidth)
    missing = frame[classes.classes < 0]
    if len(missing):
        missing.plot(ax=ax, color=classification_rules.NO_DATA_HEX, edgecolor="white",
                     hatch="///", linewidth=linewidth)


def choropleth_png(boroughs, values: pd.Series, *, title: str, legend_label: str,
                   cmap: str = "YlOrRd", diverging: bool = False,
                   width_in: float = 6.5, height_in: float = 5.0) -> bytes:
    """Boroughs shaded by ``values`` (indexed by gss_code) in the app's classes (five
    quantiles, or symmetric classes around 0 when ``diverging``); missing values hatched grey."""
    from matplotlib.cm import ScalarMappable

    frame = boroughs.assign(value=boroughs["gss_code"].map(values))
    fig = _figure(width_in, height_in)
    ax = _map_axes(fig, frame)
    classes, norm, colours = _classed(frame["value"], cmap=cmap, diverging=diverging)
    _draw_classed(ax, frame, classes, colours, edgecolor="white", linewidth=0.5)
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=colours), ax=ax, fraction=0.035, pad=0.01,
                       spacing="uniform")
    bar.set_label(f"{legend_label} ({classes.method.label.lower()})", fontsize=8)
    bar.ax.tick_params(labelsize=7)
    _bound_labels(bar)
    ax.set_title(_wrap(title), fontsize=10)
    return _png(fig)


def choropleth_pair_png(boroughs, left: pd.Series, right: pd.Series, *,
                        titles: tuple[str, str], legend_label: str, cmap: str = "Reds",
                        width_in: float = 7.2, height_in: float = 3.3) -> bytes:
    """Two borough maps side by side in one set of classes (the app's rule applied to both
    maps' values together), so a before/after comparison reads at a glance; missing grey."""
    from matplotlib.cm import ScalarMappable

    codes = boroughs["gss_code"]
    both = pd.concat([codes.map(left), codes.map(right)], ignore_index=True)
    classes, norm, colours = _classed(both, cmap=cmap, diverging=False)
    n = len(codes)
    fig = _figure(width_in, height_in)
    minx, miny, maxx, maxy = boroughs.total_bounds
    for index, title in enumerate(titles):
        part = type(classes)(classes.method, classes.bounds,
                             classes.classes[index * n:(index + 1) * n])
        ax = fig.add_axes((0.01 + 0.47 * index, 0.16, 0.46, 0.74))
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_xlim(minx - 1500, maxx + 1500)
        ax.set_ylim(miny - 1500, maxy + 1500)
        _draw_classed(ax, boroughs, part, colours, edgecolor="#9a9a9a", linewidth=0.4)
        ax.set_title(_wrap(title, 48), fontsize=9)
    bar_ax = fig.add_axes((0.2, 0.1, 0.56, 0.035))
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=colours), cax=bar_ax,
                       orientation="horizontal", spacing="uniform")
    bar.set_label(f"{legend_label} ({classes.method.label.lower()})", fontsize=8)
    bar.ax.tick_params(labelsize=7)
    _bound_labels(bar, horizontal=True)
    return _png(fig)


def hotspot_map_png(boroughs, cells, *, title: str, value_column: str | None = None,
                    legend_label: str = "", width_in: float = 6.5, height_in: float = 5.0) -> bytes:
    """Hotspot polygons (EPSG:27700) over grey borough outlines."""
    fig = _figure(width_in, height_in)
    ax = _map_axes(fig, boroughs)
    boroughs.plot(ax=ax, color="#f2f2f2", edgecolor="#9a9a9a", linewidth=0.5)
    if cells is not None and len(cells):
        if value_column and value_column in cells.columns and cells[value_column].notna().any():
            cells.plot(ax=ax, column=value_column, cmap="Reds", linewidth=0, legend=True,
                       legend_kwds={"label": legend_label, "shrink": 0.6})
        else:
            cells.plot(ax=ax, color="#c0392b", linewidth=0)
    ax.set_title(_wrap(title), fontsize=10)
    return _png(fig)


def ranked_hotspots_png(boroughs, hotspots, ranks: Sequence[int], *, title: str,
                        width_in: float = 7.2, height_in: float = 5.6) -> bytes:
    """The ranked hotspots drawn large (zoomed to their extent) and numbered as in the
    table beside them, over named borough outlines, so a reader can find "hotspot 7"."""
    from matplotlib import patheffects

    fig, ax, (minx, miny, maxx, maxy), pad = _zoomed_map(
        width_in, height_in, hotspots.total_bounds, pad_share=0.08, pad_m=500.0)
    boroughs.plot(ax=ax, color="#f4f4f4", edgecolor="#8a8a8a", linewidth=0.6)
    for name, point in zip(boroughs["name"], boroughs.geometry.representative_point()):
        if minx - pad < point.x < maxx + pad and miny - pad < point.y < maxy + pad:
            ax.text(point.x, point.y, name, fontsize=6.5, color="#555555", ha="center",
                    va="center", style="italic", zorder=3,
                    path_effects=[patheffects.withStroke(linewidth=2, foreground="white")])
    hotspots.plot(ax=ax, color="#c0392b", alpha=0.75, linewidth=0)
    for rank, geometry in zip(ranks, hotspots.geometry):
        point = geometry.representative_point()
        ax.annotate(str(rank), (point.x, point.y), fontsize=7.5, fontweight="bold",
                    color="white", ha="center", va="center", zorder=4,
                    bbox={"boxstyle": "circle,pad=0.2", "facecolor": "#7b1d14",
                          "edgecolor": "none"})
    ax.set_title(_wrap(title), fontsize=10)
    return _png(fig)


def flow_map_png(boroughs, lines, *, title: str, value_column: str, max_lines: int = 80,
                 width_in: float = 6.5, height_in: float = 5.0) -> bytes:
    """The ``max_lines`` largest flows between different places (zero-length lines, i.e.
    flows within a borough, cannot be drawn), width proportional to the flow."""
    fig = _figure(width_in, height_in)
    ax = _map_axes(fig, boroughs)
    boroughs.plot(ax=ax, color="#f4f4f4", edgecolor="#9a9a9a", linewidth=0.5)
    if lines is not None and len(lines):
        drawable = lines[lines.geometry.length > 0]
        ordered = drawable.nlargest(max_lines, value_column).sort_values(value_column)
        flows = ordered[value_column].to_numpy(dtype=float)
        top = flows.max() if len(flows) and flows.max() > 0 else 1.0
        widths = 0.3 + 4.0 * flows / top
        ordered.plot(ax=ax, color="#1f5fa8", linewidth=widths, alpha=0.6)
        ax.text(0.01, 0.01, f"Largest {len(ordered)} of {len(drawable)} flows between "
                f"boroughs; line width proportional to flow (widest {top:,.0f})",
                transform=ax.transAxes, fontsize=7, color="#333333")
    ax.set_title(_wrap(title), fontsize=10)
    return _png(fig)


def hourly_small_multiples_png(hourly: pd.DataFrame, units: Sequence[tuple[str, str]], *,
                               ncols: int = 3, width_in: float = 7.2,
                               panel_height_in: float = 1.75) -> bytes:
    """24-hour panels, one per unit: demand, required and allocated officers (left axis)
    and population present (right axis, thousands). ``hourly`` holds one day type."""
    nrows = int(np.ceil(len(units) / ncols))
    fig = _figure(width_in, panel_height_in * nrows + 0.5)
    hours = np.arange(24)
    handles = None
    for index, (code, name) in enumerate(units):
        ax = fig.add_subplot(nrows, ncols, index + 1)
        rows = hourly[hourly["unit_code"] == code].set_index("hour").reindex(hours)
        pop = ax.twinx()
        pop.fill_between(hours, rows["population_present"] / 1000.0, color="#d9d9d9",
                         step="mid", linewidth=0)
        pop.tick_params(labelsize=6, colors="#777777")
        pop.set_ylim(bottom=0)
        ax.set_zorder(pop.get_zorder() + 1)
        ax.patch.set_visible(False)
        l1, = ax.plot(hours, rows["demand_per_hour"], color="#e67e22", linewidth=1.0)
        l2, = ax.step(hours, rows["required"], where="mid", color="#c0392b", linewidth=1.0)
        l3, = ax.step(hours, rows["allocated"], where="mid", color="#1f5fa8", linewidth=1.0,
                      linestyle="--")
        handles = (l1, l2, l3, pop.collections[0])
        ax.set_xlim(0, 23)
        ax.set_ylim(bottom=0)
        ax.set_xticks([0, 6, 12, 18, 23])
        ax.tick_params(labelsize=6)
        ax.set_title(name, fontsize=7.5, pad=2)
    if handles:
        fig.legend(handles, ["demand (incidents/hour)", "required officers",
                             "allocated officers", "population present (thousands, right)"],
                   loc="lower center", ncol=4, fontsize=7, frameon=False)
    fig.subplots_adjust(left=0.06, right=0.94, top=0.97, bottom=0.5 / fig.get_figheight() + 0.03,
                        hspace=0.4, wspace=0.45)
    return _png(fig)


def borough_map_png(boroughs, unit_codes: Sequence[str], *, title: str, hotspots=None,
                    loans: Sequence[tuple[str, str, float]] = (), label_top: int = 6,
                    width_in: float = 7.0, height_in: float = 4.3) -> bytes:
    """One unit at borough scale: its boroughs (``unit_codes`` are GSS codes) against their
    neighbours (named), the hotspots inside (numbered by harm rank, the table's numbers) and
    the shift's loans as arrows between borough centres, labelled with officers. Only the
    ``label_top`` highest-ranked hotspots carry their number."""
    from matplotlib import patheffects

    inside = boroughs[boroughs["gss_code"].isin(list(unit_codes))]
    fig, ax, (minx, miny, maxx, maxy), pad = _zoomed_map(
        width_in, height_in, inside.total_bounds, pad_share=0.25, pad_m=1000.0)
    boroughs.plot(ax=ax, color="#f4f4f4", edgecolor="#9a9a9a", linewidth=0.6)
    inside.plot(ax=ax, color="#fff3c4", edgecolor="#333333", linewidth=1.4)
    halo = [patheffects.withStroke(linewidth=2, foreground="white")]
    centres = dict(zip(boroughs["gss_code"], boroughs.geometry.representative_point()))
    for code, name, point in zip(boroughs["gss_code"], boroughs["name"],
                                 boroughs.geometry.representative_point()):
        if minx - pad < point.x < maxx + pad and miny - pad < point.y < maxy + pad:
            ax.text(point.x, point.y, name, fontsize=7 if code in set(unit_codes) else 6,
                    color="#222222" if code in set(unit_codes) else "#666666",
                    fontweight="bold" if code in set(unit_codes) else "normal",
                    ha="center", va="center", style="italic", zorder=7, path_effects=halo)
    if hotspots is not None and len(hotspots):
        if "gss_code" in hotspots.columns:       # hotspots whose main borough is the unit's
            local = hotspots[hotspots["gss_code"].isin(list(unit_codes))]
        else:
            shape = inside.geometry.union_all()
            local = hotspots[hotspots.geometry.representative_point().within(shape)]
        if len(local):
            local.plot(ax=ax, color="#c0392b", alpha=0.8, edgecolor="#7b1d14", linewidth=0.6,
                       zorder=3)
            ranks = (local["hotspot_id"] if "hotspot_id" in local.columns
                     else pd.Series(range(1, len(local) + 1), index=local.index))
            # number the most harmful few only: a dozen overlapping labels read as none
            for rank, geometry in sorted(zip(ranks, local.geometry),
                                         key=lambda item: item[0])[:label_top]:
                point = geometry.representative_point()
                ax.annotate(f"#{int(rank)}", (point.x, point.y), xytext=(0, 5),
                            textcoords="offset points", fontsize=5.5, color="#7b1d14",
                            ha="center", va="bottom", zorder=6, fontweight="bold",
                            path_effects=halo)
    for origin, destination, officers in loans:
        if origin not in centres or destination not in centres:
            continue
        a, b = centres[origin], centres[destination]
        ax.annotate("", xy=(b.x, b.y), xytext=(a.x, a.y), zorder=4,
                    arrowprops={"arrowstyle": "-|>", "color": "#1f5fa8", "lw": 1.2,
                                "alpha": 0.8, "shrinkA": 6, "shrinkB": 6})
        ax.text((a.x + b.x) / 2, (a.y + b.y) / 2, f"{officers:g}", fontsize=6.5,
                color="#1f5fa8", ha="center", va="center", zorder=6, path_effects=halo)
    ax.set_title(_wrap(title, 90), fontsize=9)
    return _png(fig)
