"""Data sources, dates and licence attributions printed in every report.

The pack's ``README.md`` carries the authoritative attribution list (its
"## Attributions" section); we read it from the pack folder so the report and the pack
can never disagree, with a fixed fallback if a pack was shipped without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

OGL_V3_TEXT = (
    "Open Government Licence v3.0: you are free to copy, publish, distribute and transmit "
    "the information; adapt the information; and exploit it commercially and non-commercially, "
    "provided you acknowledge the source by including any attribution statement specified by "
    "the information provider(s) and, where possible, provide a link to this licence: "
    "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")
TFL_ATTRIBUTION = "Powered by TfL Open Data"
TFL_TERMS = ("Transport for London open data terms: contains OS data © Crown copyright and "
             "database rights 2016 and Geomni UK Map data © and database rights [2019].")

FALLBACK_ATTRIBUTIONS = (
    "Contains public sector information licensed under the Open Government Licence v3.0.",
    "Contains National Statistics data © Crown copyright and database right.",
    "Contains OS data © Crown copyright and database right.",
    "Transport for London: Powered by TfL Open Data.",
)


def pack_attributions(pack_root: Path) -> tuple[str, ...]:
    """Bullet lines of the pack README's "## Attributions" section (joined across wraps)."""
    readme = Path(pack_root) / "README.md"
    if not readme.exists():
        return FALLBACK_ATTRIBUTIONS
    lines = readme.read_text(encoding="utf-8").splitlines()
    items: list[str] = []
    inside = False
    for line in lines:
        if line.startswith("## "):
            inside = line.strip().lower() == "## attributions"
            continue
        if not inside:
            continue
        if line.startswith("- "):
            items.append(line[2:].strip())
        elif line.strip() and items:
            items[-1] += " " + line.strip()
    return tuple(items) or FALLBACK_ATTRIBUTIONS


def coverage_lines(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """(table, one-line description with its simple coverage facts) for each pack table."""
    rows: list[tuple[str, str]] = []
    for name, entry in sorted(manifest.get("tables", {}).items()):
        facts = []
        for key, value in (entry.get("coverage") or {}).items():
            if isinstance(value, (str, int, float)) and key not in ("crs",):
                facts.append(f"{key.replace('_', ' ')}: {value}")
            elif isinstance(value, list) and value and len(value) <= 6:
                facts.append(f"{key.replace('_', ' ')}: {', '.join(str(v) for v in value)}")
        text = entry.get("description", "")
        if facts:
            text += " (" + "; ".join(facts) + ")"
        licence = entry.get("licence")
        if licence:
            text += f". Licence: {licence}"
        rows.append((name, text))
    return rows
