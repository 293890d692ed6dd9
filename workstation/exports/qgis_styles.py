"""QGIS layer styles (QML) for the GeoPackage, so a partner's QGIS draws it as the app does.

QGIS reads a layer's default style from the ``layer_styles`` table of a GeoPackage (the
table QGIS itself writes with "Save as default"). The classes and colours here are the
app's: ColorBrewer ramps copied from ``workstation/app/style.py`` (the exports may not
import Qt; ``tests/exports/test_geopackage.py`` checks the copies still equal the app's),
quantile classes computed as ``workstation/app/map/classify.quantile_bounds`` does
(``numpy.quantile`` at k+1 even steps), flow-line widths as the app's ``WIDTHS_PX``.

Each symbol layer is written twice: as ``<Option type="Map">`` (QGIS >= 3.26) and as
``<prop k= v=>`` (older QGIS 3.x), which is how QGIS itself keeps styles readable by both.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

import numpy as np

# ColorBrewer 9-class schemes: the very ramps the app and the PDF maps classify with.
from workstation.maps.classify import BLUES_9, RDBU_9, YLORRD_9  # noqa: F401 (re-exported)

HOTSPOT_COLOUR = "#ae017e"
HOTSPOT_OUTLINE = "#49006a"          # the app's QColor(73, 0, 106)
BOROUGH_EDGE = "#3c3c3c"             # the app's QColor(60, 60, 60)
FLOW_NEUTRAL_RGBA = (70, 70, 90, 150)
WIDTHS_PX = (1.0, 2.0, 3.5, 5.5)     # the app's flow-line width classes
PX_TO_MM = 0.2646                    # 96 dpi: what QGIS calls a pixel on screen
K_CLASSES = 5                        # the app's default number of choropleth classes

QGIS_VERSION = "3.28.0-Firenze"      # the QML dialect written (read by every QGIS 3.x)

LAYER_STYLES_SQL = """CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT,
  styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"""


def ramp(base: tuple[str, ...], k: int, *, diverging: bool = False) -> list[str]:
    """k colours from a 9-class scheme, sampled as ``workstation.app.style.ramp`` does."""
    if k <= 0:
        return []
    start = 0 if diverging else 1   # sequential: skip the palest swatch (as the app)
    idx = np.round(np.linspace(start, len(base) - 1, k)).astype(int)
    return [base[i] for i in idx]


def quantile_bounds(values, k: int = K_CLASSES) -> list[float]:
    """The app's quantile class edges (``numpy.quantile``, duplicates dropped)."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    if not len(finite):
        return []
    return [float(v) for v in np.unique(np.quantile(finite, np.linspace(0.0, 1.0, k + 1)))]


def _rgba(colour: str | tuple, alpha: int = 255) -> str:
    if isinstance(colour, tuple):
        return ",".join(str(int(c)) for c in colour) if len(colour) == 4 else \
            ",".join(str(int(c)) for c in colour) + f",{alpha}"
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{alpha}"


def _symbol_layer(cls: str, props: dict[str, str]) -> str:
    options = "".join(f'<Option name={quoteattr(k)} type="QString" value={quoteattr(v)}/>'
                      for k, v in props.items())
    old = "".join(f"<prop k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in props.items())
    return (f'<layer class="{cls}" enabled="1" locked="0" pass="0">'
            f'<Option type="Map">{options}</Option>{old}</layer>')


def fill_symbol(name: str, colour: str, *, alpha: int = 255, outline: str = BOROUGH_EDGE,
                outline_mm: float = 0.26, no_outline: bool = False) -> str:
    props = {"color": _rgba(colour, alpha), "style": "solid",
             "outline_color": _rgba(outline), "outline_style": "no" if no_outline else "solid",
             "outline_width": f"{outline_mm:g}", "outline_width_unit": "MM",
             "joinstyle": "bevel"}
    return (f'<symbol type="fill" name={quoteattr(name)} alpha="1" clip_to_extent="1" '
            f'force_rhr="0">{_symbol_layer("SimpleFill", props)}</symbol>')


def line_symbol(name: str, rgba: tuple, width_mm: float) -> str:
    props = {"line_color": _rgba(rgba), "line_style": "solid", "line_width": f"{width_mm:.3f}",
             "line_width_unit": "MM", "capstyle": "round", "joinstyle": "round"}
    return (f'<symbol type="line" name={quoteattr(name)} alpha="1" clip_to_extent="1" '
            f'force_rhr="0">{_symbol_layer("SimpleLine", props)}</symbol>')


def _document(renderer: str, *, label: str = "") -> str:
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            f'<qgis version="{QGIS_VERSION}" styleCategories="Symbology|Labeling">'
            f"{renderer}{label}</qgis>\n")


def _label(field: str) -> str:
    """Simple labels on ``field`` (borough names), as the app writes them."""
    settings = (f'<settings calloutType="simple"><text-style fieldName={quoteattr(field)} '
                'isExpression="0" fontFamily="DejaVu Sans" fontSize="8" fontSizeUnit="Point" '
                'textColor="30,30,30,255" namedStyle="Regular"/>'
                '<placement placement="1" offsetType="0"/></settings>')
    return f'<labeling type="simple">{settings}</labeling>'


@dataclass(frozen=True)
class LayerStyle:
    """One default style for one table of the GeoPackage."""

    table: str
    name: str
    description: str
    qml: str
    geometry_column: str = "geom"


def graduated_fill(table: str, field: str, values, base: tuple[str, ...], *, title: str,
                   alpha: int = 255, label_field: str | None = None) -> LayerStyle:
    """Quantile classes of ``field`` in the app's ramp (the app's choropleth)."""
    bounds = quantile_bounds(values)
    colours = ramp(base, max(len(bounds) - 1, 0))
    ranges, symbols = [], []
    for i, colour in enumerate(colours):
        lo, hi = bounds[i], bounds[i + 1]
        ranges.append(f'<range lower="{lo!r}" upper="{hi!r}" symbol="{i}" '
                      f'label={quoteattr(f"{lo:,.0f} – {hi:,.0f}")} render="true"/>')
        symbols.append(fill_symbol(str(i), colour, alpha=alpha))
    renderer = (f'<renderer-v2 type="graduatedSymbol" attr={quoteattr(field)} '
                'graduatedMethod="GraduatedColor" symbollevels="0" forceraster="0" '
                f'enableorderby="0"><ranges>{"".join(ranges)}</ranges>'
                f'<symbols>{"".join(symbols)}</symbols><mode name="quantile"/>'
                '</renderer-v2>')
    label = _label(label_field) if label_field else ""
    return LayerStyle(table, title, f"{title}: {len(colours)} quantile classes of {field}, "
                      "as the app's map", _document(renderer, label=label))


def rule_fill(table: str, rules: list[tuple[str, str, str, int]], *, title: str,
              outline: str | None = None) -> LayerStyle:
    """Rule-based fill: (label, QGIS filter expression, colour, alpha) per rule."""
    xml_rules, symbols = [], []
    for i, (label, expression, colour, alpha) in enumerate(rules):
        xml_rules.append(f'<rule key="r{i}" symbol="{i}" label={quoteattr(label)} '
                         f'filter={quoteattr(expression)}/>')
        symbols.append(fill_symbol(str(i), colour, alpha=alpha, outline=outline or colour,
                                   outline_mm=0.26 if outline else 0.0,
                                   no_outline=outline is None))
    renderer = (f'<renderer-v2 type="RuleRenderer" symbollevels="0" forceraster="0" '
                f'enableorderby="0"><rules key="root">{"".join(xml_rules)}</rules>'
                f'<symbols>{"".join(symbols)}</symbols></renderer-v2>')
    return LayerStyle(table, title, title, _document(renderer))


def graduated_lines(table: str, field: str, values, rgba: tuple, *, title: str) -> LayerStyle:
    """Flow lines: the app's four width classes (quantiles of the flow), one colour."""
    bounds = quantile_bounds(values, len(WIDTHS_PX))
    ranges, symbols = [], []
    for i in range(len(bounds) - 1):
        lo, hi = bounds[i], bounds[i + 1]
        ranges.append(f'<range lower="{lo!r}" upper="{hi!r}" symbol="{i}" '
                      f'label={quoteattr(f"{lo:,.0f} – {hi:,.0f}")} render="true"/>')
        symbols.append(line_symbol(str(i), rgba, WIDTHS_PX[min(i, len(WIDTHS_PX) - 1)]
                                   * PX_TO_MM))
    renderer = (f'<renderer-v2 type="graduatedSymbol" attr={quoteattr(field)} '
                'graduatedMethod="GraduatedSize" symbollevels="0" forceraster="0" '
                f'enableorderby="0"><ranges>{"".join(ranges)}</ranges>'
                f'<symbols>{"".join(symbols)}</symbols><mode name="quantile"/>'
                '</renderer-v2>')
    return LayerStyle(table, title, f"{title}: line width by quantile class of {field}, "
                      "as the app's map", _document(renderer))


def z_score_rules(table: str) -> LayerStyle:
    """Gi* cells as the app draws them: magenta hot, blue cold, stronger with |z|
    (the app scales alpha 60..220 over |z| 0..8); non-significant cells not drawn."""
    def alpha(z: float) -> int:
        return min(255, int(60 + 160 * min(z / 8.0, 1.0)))
    cold = RDBU_9[8]
    rules = [
        ("Hot, z ≥ 8", '"hot" AND "z_score" >= 8', HOTSPOT_COLOUR, alpha(8)),
        ("Hot, 4 ≤ z < 8", '"hot" AND "z_score" >= 4 AND "z_score" < 8', HOTSPOT_COLOUR, alpha(6)),
        ("Hot, z < 4", '"hot" AND "z_score" < 4', HOTSPOT_COLOUR, alpha(3)),
        ("Cold, z < 4", '"cold" AND "z_score" > -4', cold, alpha(3)),
        ("Cold, z ≤ -4", '"cold" AND "z_score" <= -4', cold, alpha(6)),
    ]
    return rule_fill(table, rules, title="Gi* hot and cold cells (FDR-significant)")


def write_styles(connection: sqlite3.Connection, styles: list[LayerStyle]) -> None:
    """Create ``layer_styles`` as QGIS does (registered in ``gpkg_contents`` as attributes)
    and insert one default style per table."""
    connection.execute(LAYER_STYLES_SQL)
    connection.execute(
        "INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier, description,"
        " last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', "
        "'QGIS default styles of the layers in this file (classes and colours of the app)', "
        "strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
    for style in styles:
        connection.execute(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
            "owner, ui) VALUES ('', '', ?, ?, ?, ?, '', 1, ?, 'London Deployment Workstation',"
            " '')", (style.table, style.geometry_column, style.name, style.qml,
                     style.description))
