"""The project file: what an analyst saves to come back to a piece of work.

A project holds *inputs and view state only* — the scenario (and an optional
comparison scenario), where the incident data came from (each import's path, with its
size and SHA-256 so a moved or changed source is noticed on open), the harm-weights file,
and what was on screen (day and hour, selection, layers, choropleth metric, whether a
plan was shown). It never holds incident rows (they are personal data that stay in the
analyst's own files; a copy beside the project is an opt-in) and never holds results
(they are recomputed, so a project can't show a stale plan as if it were current).
Several imports are saved as a list under ``incidents`` (one import: an object, as before).

Format: UTF-8 JSON, ``{"format": "ldw-project", "version": 2, ...}``. Older versions
are migrated on load (see ``migrations.py``); files from newer versions are refused
with a clear message rather than half-read. Writes are atomic (``workstation.atomic``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from workstation import __version__
from workstation.atomic import atomic_write_text
from workstation.deploy.scenario import DeploymentScenario
from workstation.domain import DayType
from workstation.errors import InputError, ScenarioError
from workstation.jsontext import loads_json

FORMAT_NAME = "ldw-project"
FORMAT_VERSION = 2
PROJECT_SUFFIX = ".ldwproj"
INCIDENT_KINDS = ("police_uk", "table")

_GSS_CODE = re.compile(r"^E0[69]\d{6}$")


def utc_now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass(frozen=True, slots=True)
class IncidentSource:
    """Where incidents were imported from, so reopening a project re-reads the same files.

    ``column_mapping`` (role -> source column) and ``crs`` record any override the
    analyst made in the import dialog for a generic table.
    """

    path: str
    kind: str = "police_uk"          # "police_uk" (file/folder/zip) or "table" (CAD extract)
    column_mapping: dict[str, str] = field(default_factory=dict)
    crs: str | None = None
    # The import as saved in the project's incident store (``workstation.loaders.store``,
    # a Parquet file beside the project, never inside it); reopening reads it instead of
    # re-importing. Relative paths are relative to the project's folder. Only written
    # when the analyst opts in (File > Keep imported incidents with the project).
    store_path: str | None = None
    # What the source was when imported (``project.sources.fingerprint``), so reopening
    # can tell a moved or changed source from the one the analysis was made with.
    size_bytes: int | None = None
    sha256: str | None = None


@dataclass(frozen=True, slots=True)
class ViewState:
    day_type: DayType = DayType.WEEKDAY
    hour: int = 8
    selected_code: str = ""          # borough GSS code, "" for none
    layer_visibility: dict[str, bool] = field(default_factory=dict)
    # What else was on screen: the borough choropleth's metric key ("" = the default) and
    # whether a plan was shown (reopening recomputes it: results are never stored).
    choropleth_metric: str = ""
    plan_shown: bool = False


@dataclass(frozen=True, slots=True)
class ReferenceLayerSource:
    """A reference layer added from a vector file (File > Add reference layer), saved by
    path (never copied: an analyst's beat map or OS Open Roads stays where it is) with its
    simple style. Relative paths are relative to the project's folder."""

    path: str
    layer: str | None = None          # layer inside a multi-layer file
    title: str = ""
    colour: str = "#7b3294"           # outline / line / point colour, #rrggbb
    fill_opacity: float = 0.0         # polygons: 0 = outline only
    line_width_px: float = 1.0
    visible: bool = True
    label_column: str | None = None


@dataclass(frozen=True, slots=True)
class ProjectFile:
    scenario: DeploymentScenario = field(default_factory=DeploymentScenario)
    comparison_scenario: DeploymentScenario | None = None
    incidents: IncidentSource | None = None
    # Imports added to the first one ("Add" when importing a second file), in order.
    more_incidents: tuple[IncidentSource, ...] = ()
    harm_weights_path: str | None = None
    view: ViewState = field(default_factory=ViewState)
    reference_layers: tuple[ReferenceLayerSource, ...] = ()
    created_utc: str = field(default_factory=utc_now_iso)
    modified_utc: str = field(default_factory=utc_now_iso)
    app_version: str = __version__

    @property
    def all_incidents(self) -> tuple[IncidentSource, ...]:
        """Every import of the project, first one first."""
        return ((self.incidents,) if self.incidents is not None else ()) + self.more_incidents

    def touched(self) -> "ProjectFile":
        """A copy stamped as modified now (called on every save)."""
        return replace(self, modified_utc=utc_now_iso(), app_version=__version__)


# --- serialisation ---------------------------------------------------------------------
def project_to_dict(project: ProjectFile) -> dict[str, Any]:
    def source_dict(src: IncidentSource) -> dict[str, Any]:
        out = {"path": src.path, "kind": src.kind, "column_mapping": dict(src.column_mapping),
               "crs": src.crs, "store_path": src.store_path}
        if src.sha256 is not None:
            out.update(size_bytes=src.size_bytes, sha256=src.sha256)
        return out

    # One import: an object (as every version-2 reader expects). Several: a list, which
    # an older reader refuses with a message instead of silently dropping imports.
    sources = [source_dict(src) for src in project.all_incidents]
    incidents = None if not sources else sources[0] if len(sources) == 1 else sources
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "app_version": project.app_version,
        "created_utc": project.created_utc,
        "modified_utc": project.modified_utc,
        "scenario": project.scenario.to_dict(),
        "comparison_scenario": (project.comparison_scenario.to_dict()
                                if project.comparison_scenario is not None else None),
        "incidents": incidents,
        "harm_weights_path": project.harm_weights_path,
        "view": {
            "day_type": project.view.day_type.value,
            "hour": project.view.hour,
            "selected_code": project.view.selected_code,
            "layer_visibility": dict(project.view.layer_visibility),
            "choropleth_metric": project.view.choropleth_metric,
            "plan_shown": project.view.plan_shown,
        },
        "reference_layers": [
            {"path": r.path, "layer": r.layer, "title": r.title, "colour": r.colour,
             "fill_opacity": r.fill_opacity, "line_width_px": r.line_width_px,
             "visible": r.visible, "label_column": r.label_column}
            for r in project.reference_layers],
    }


def project_from_dict(data: Any, *, path: str | Path | None = None) -> ProjectFile:
    """Validate and build a ProjectFile from parsed JSON (any supported version)."""
    from workstation.project.migrations import migrate

    data = migrate(data, path=path)
    required = ("scenario", "view", "created_utc", "modified_utc")
    missing = [key for key in required if key not in data]
    if missing:
        raise InputError(f"project file lacks the fields {missing}", path=path,
                         expected=f"a version {FORMAT_VERSION} project with {list(required)}",
                         hint="The file may be truncated; try the recovery file or a backup")

    scenario = _scenario(data["scenario"], "scenario", path)
    comparison = None
    if data.get("comparison_scenario") is not None:
        comparison = _scenario(data["comparison_scenario"], "comparison_scenario", path)

    raw_incidents = data.get("incidents")
    if isinstance(raw_incidents, list):
        if not raw_incidents:
            raise InputError("'incidents' is an empty list", path=path, column="incidents",
                             expected="null, one import object or a list of them")
        imports = tuple(_incidents(item, path) for item in raw_incidents)
    else:
        first = _incidents(raw_incidents, path)
        imports = (first,) if first is not None else ()
    return ProjectFile(
        scenario=scenario,
        comparison_scenario=comparison,
        incidents=imports[0] if imports else None,
        more_incidents=imports[1:],
        harm_weights_path=_optional_str(data.get("harm_weights_path"), "harm_weights_path", path),
        view=_view(data["view"], path),
        reference_layers=_reference_layers(data.get("reference_layers") or [], path),
        created_utc=_timestamp(data["created_utc"], "created_utc", path),
        modified_utc=_timestamp(data["modified_utc"], "modified_utc", path),
        app_version=str(data.get("app_version", "unknown")),
    )


def _scenario(value: Any, name: str, path: str | Path | None) -> DeploymentScenario:
    if not isinstance(value, dict):
        raise InputError(f"'{name}' is not an object", path=path, column=name,
                         expected="a JSON object of scenario fields")
    try:
        return DeploymentScenario.from_dict(value)
    except ScenarioError as exc:
        # Re-raise with the file named so the analyst knows which project is bad.
        raise ScenarioError(f"{name}: {exc.message}", path=path, column=exc.column,
                            expected=exc.expected, hint=exc.hint) from exc
    except TypeError as exc:
        raise ScenarioError(f"{name} cannot be read ({exc})", path=path) from exc


def _incidents(value: Any, path: str | Path | None) -> IncidentSource | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("path"), str) or not value["path"]:
        raise InputError("'incidents' must name the source file", path=path, column="incidents",
                         expected='{"path": "...", "kind": "police_uk" | "table"}')
    kind = value.get("kind", "police_uk")
    if kind not in INCIDENT_KINDS:
        raise InputError(f"incidents kind {kind!r} is not known", path=path,
                         column="incidents.kind", expected=" or ".join(INCIDENT_KINDS))
    mapping = value.get("column_mapping") or {}
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                for k, v in mapping.items()):
        raise InputError("incidents column_mapping must map roles to column names", path=path,
                         column="incidents.column_mapping", expected="an object of strings")
    crs = value.get("crs")
    size = value.get("size_bytes")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise InputError(f"incidents size_bytes {size!r} is not a size", path=path,
                         column="incidents.size_bytes", expected="a whole number of bytes, 0 or more")
    digest = value.get("sha256")
    if digest is not None and not (isinstance(digest, str)
                                   and re.fullmatch(r"[0-9a-f]{64}", digest)):
        raise InputError("incidents sha256 is not a SHA-256 digest", path=path,
                         column="incidents.sha256", expected="64 lower-case hex digits")
    return IncidentSource(path=value["path"], kind=kind, column_mapping=dict(mapping),
                          crs=_optional_str(crs, "incidents.crs", path),
                          store_path=_optional_str(value.get("store_path"),
                                                   "incidents.store_path", path),
                          size_bytes=size, sha256=digest)


def _view(value: Any, path: str | Path | None) -> ViewState:
    if not isinstance(value, dict):
        raise InputError("'view' is not an object", path=path, column="view",
                         expected="day_type, hour, selected_code, layer_visibility")
    try:
        day_type = DayType(value.get("day_type", DayType.WEEKDAY.value))
    except ValueError:
        raise ScenarioError(f"view day type {value.get('day_type')!r} is not known", path=path,
                            column="view.day_type",
                            expected=", ".join(d.value for d in DayType)) from None
    hour = value.get("hour", 8)
    if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
        raise ScenarioError(f"view hour {hour!r} is out of range", path=path, column="view.hour",
                            expected="a whole hour 0-23")
    code = value.get("selected_code", "") or ""
    if not isinstance(code, str) or (code and not _GSS_CODE.match(code)):
        raise ScenarioError(f"selected borough {code!r} is not a GSS code", path=path,
                            column="view.selected_code", expected="e.g. E09000033 or empty")
    layers = value.get("layer_visibility", {}) or {}
    if not isinstance(layers, dict) or not all(isinstance(k, str) and isinstance(v, bool)
                                               for k, v in layers.items()):
        raise InputError("layer_visibility must map layer names to true/false", path=path,
                         column="view.layer_visibility")
    metric = value.get("choropleth_metric", "") or ""
    if not isinstance(metric, str) or not re.fullmatch(r"[a-z0-9_]{0,40}", metric):
        raise InputError(f"choropleth metric {metric!r} is not a metric name", path=path,
                         column="view.choropleth_metric", expected="e.g. allocation_gap")
    plan_shown = value.get("plan_shown", False)
    if not isinstance(plan_shown, bool):
        raise InputError("plan_shown must be true or false", path=path, column="view.plan_shown")
    return ViewState(day_type=day_type, hour=hour, selected_code=code,
                     layer_visibility=dict(layers), choropleth_metric=metric,
                     plan_shown=plan_shown)


_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _reference_layers(value: Any, path: str | Path | None) -> tuple[ReferenceLayerSource, ...]:
    """Optional since the key was added (older files have none), so no format bump."""
    if not isinstance(value, list):
        raise InputError("'reference_layers' must be a list", path=path,
                         column="reference_layers")
    layers = []
    for i, item in enumerate(value):
        column = f"reference_layers[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("path"), str) or not item["path"]:
            raise InputError("a reference layer needs a file path", path=path, column=column,
                             expected='{"path": "beats.gpkg", ...}')
        colour = item.get("colour", "#7b3294")
        if not isinstance(colour, str) or not _HEX_COLOUR.match(colour):
            raise InputError(f"colour {colour!r} is not #rrggbb", path=path,
                             column=f"{column}.colour")
        numbers = {}
        for key, lo, hi, default in (("fill_opacity", 0.0, 1.0, 0.0),
                                     ("line_width_px", 0.1, 20.0, 1.0)):
            number = item.get(key, default)
            if isinstance(number, bool) or not isinstance(number, (int, float)) \
                    or not lo <= number <= hi:
                raise InputError(f"{key} {number!r} is out of range", path=path,
                                 column=f"{column}.{key}", expected=f"{lo:g} to {hi:g}")
            numbers[key] = float(number)
        layers.append(ReferenceLayerSource(
            path=item["path"], layer=_optional_str(item.get("layer"), f"{column}.layer", path),
            title=str(item.get("title") or ""), colour=colour, visible=bool(item.get("visible", True)),
            label_column=_optional_str(item.get("label_column"), f"{column}.label_column", path),
            **numbers))
    return tuple(layers)


def _optional_str(value: Any, name: str, path: str | Path | None) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"'{name}' must be text", path=path, column=name)
    return value


def _timestamp(value: Any, name: str, path: str | Path | None) -> str:
    try:
        datetime.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"'{name}' is not a date-time: {value!r}", path=path, column=name,
                         expected="ISO 8601, e.g. 2026-11-25T06:30:00+00:00") from None
    return str(value)


# --- files -----------------------------------------------------------------------------
def dumps_project(project: ProjectFile) -> str:
    return json.dumps(project_to_dict(project), indent=2, sort_keys=False) + "\n"


def save_project(project: ProjectFile, path: str | Path) -> ProjectFile:
    """Write atomically; return the project as saved (modified time stamped)."""
    saved = project.touched()
    atomic_write_text(Path(path), dumps_project(saved))
    return saved


def loads_project(text: str, *, path: str | Path | None = None) -> ProjectFile:
    data = loads_json(text, path=path, what="project file",
                      hint="The file may be damaged; try the recovery file or a backup")
    return project_from_dict(data, path=path)


def load_project(path: str | Path) -> ProjectFile:
    """Read a project file of any supported version; raise InputError naming the problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("project file not found", path=path) from None
    except OSError as exc:
        raise InputError(f"project file cannot be read ({exc.strerror or exc})", path=path) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("project file is not UTF-8 text", path=path,
                         expected="a .ldwproj JSON file saved by the workstation") from None
    return loads_project(text, path=path)


def resolve_source_path(stored: str, project_path: str | Path | None) -> Path:
    """Stored source paths may be relative to the project's folder (portable projects)."""
    candidate = Path(stored).expanduser()
    if not candidate.is_absolute() and project_path is not None:
        candidate = Path(project_path).resolve().parent / candidate
    return candidate
