"""Project format migrations: each step lifts a file one version, so analysts' old
projects keep opening (back-compat fixtures live in tests/fixtures/projects/).

Version history
- 1 (workstation 0.0.x, pilot): flat officer/lending fields at top level, one
  ``incidents_file`` path, a naive local ``saved`` time, no view state, no comparison.
- 2 (0.1): ``scenario`` holds ``DeploymentScenario.to_dict()``; optional
  ``comparison_scenario``; ``incidents`` source record; ``view`` state; UTC
  ``created_utc``/``modified_utc``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from workstation.errors import InputError

FORMAT_NAME = "ldw-project"
CURRENT_VERSION = 2

# v1 flat key -> v2 scenario key (values copied unchanged; units were already the same).
_V1_SCENARIO_KEYS = {
    "scenario_name": "name",
    "officers": "officers_on_duty",
    "floor": "floor_share",
    "max_lend_minutes": "max_lending_minutes",
    "blue_light_kmh": "blue_light_speed_kmh",
    "units": "units",
    "day_types": "day_types",
    "visitors": "include_visitors",
}


def _v1_to_v2(data: dict[str, Any], path: str | Path | None) -> dict[str, Any]:
    scenario: dict[str, Any] = {}
    for old, new in _V1_SCENARIO_KEYS.items():
        if old in data:
            scenario[new] = data[old]
    if "shift_pattern" in data:
        pattern = data["shift_pattern"]
        if not isinstance(pattern, str):
            raise InputError("v1 shift_pattern must be text like '07-15,15-23,23-07'", path=path,
                             column="shift_pattern")
        scenario["shifts"] = [part.strip() for part in pattern.split(",") if part.strip()]
    standards = []
    for grade, prefix in (("I", "i_grade"), ("S", "s_grade")):
        if f"{prefix}_minutes" in data:
            standards.append({"grade": grade,
                              "standard_minutes": data[f"{prefix}_minutes"],
                              "target_share": data.get(f"{prefix}_target", 0.90)})
    if standards:
        scenario["standards"] = standards

    saved = data.get("saved")
    if not isinstance(saved, str) or not saved:
        raise InputError("v1 project lacks its 'saved' time", path=path, column="saved")
    # v1 wrote naive local times; the Met works in UK time but we cannot know the offset
    # after the fact, so we record it as UTC (at most an hour out, for a timestamp only).
    stamp = saved if ("+" in saved[10:] or saved.endswith("Z")) else saved + "+00:00"

    incidents = None
    if data.get("incidents_file"):
        # v1 could only import police.uk files.
        incidents = {"path": data["incidents_file"], "kind": "police_uk",
                     "column_mapping": {}, "crs": None}
    return {
        "format": FORMAT_NAME,
        "version": 2,
        "app_version": data.get("app_version", "0.0 (v1 file)"),
        "created_utc": stamp,
        "modified_utc": stamp,
        "scenario": scenario,
        "comparison_scenario": None,
        "incidents": incidents,
        "harm_weights_path": data.get("harm_weights"),
        "view": {"day_type": "weekday", "hour": 8, "selected_code": "", "layer_visibility": {}},
    }


MIGRATIONS: dict[int, Callable[[dict[str, Any], str | Path | None], dict[str, Any]]] = {
    1: _v1_to_v2,
}


def migrate(data: Any, *, path: str | Path | None = None) -> dict[str, Any]:
    """Return ``data`` lifted to the current version, or raise InputError saying why not."""
    if not isinstance(data, dict):
        raise InputError("not a workstation project (the JSON is not an object)", path=path,
                         expected=f"a '{FORMAT_NAME}' file")
    if data.get("format") != FORMAT_NAME:
        raise InputError("not a workstation project (no 'format': 'ldw-project')", path=path,
                         expected=f"a '{FORMAT_NAME}' file saved by the workstation")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise InputError(f"project version {version!r} is not a whole number", path=path,
                         column="version")
    if version > CURRENT_VERSION:
        raise InputError(f"this project was made by a newer version of the workstation "
                         f"(format {version}; this version reads up to {CURRENT_VERSION})",
                         path=path, hint="Update the workstation to open it")
    if version < 1:
        raise InputError(f"project version {version} is not valid", path=path, column="version")
    while version < CURRENT_VERSION:
        data = MIGRATIONS[version](data, path)
        version = data["version"]
    return data
