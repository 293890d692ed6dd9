"""The scenario on the command line: ``--scenario FILE`` plus one option per scenario field,
generated from the field descriptions (``workstation.deploy.scenario.FIELDS``), so that
``plan``, ``report`` and ``backtest`` accept the same options with the same help, and a
bad value is refused with the field's own message (exit 2), never a traceback."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from workstation.errors import InputError, ScenarioError

DEST_PREFIX = "scenario_"


def add_scenario_options(parser: argparse.ArgumentParser) -> None:
    """``--scenario`` and, for every field with a ``cli`` flag, an option that overrides it."""
    from workstation.deploy.scenario import FIELDS
    from workstation.domain import DayType

    parser.add_argument("--scenario", metavar="JSON",
                        help="project file or scenario JSON (default: the baseline scenario); "
                             "the scenario options below override its values")
    group = parser.add_argument_group("scenario options (override --scenario)")
    for name, spec in FIELDS.items():
        if spec.cli is None:
            continue
        dest = DEST_PREFIX + name
        text = _help(spec)
        if spec.kind == "bool":
            group.add_argument(spec.cli, dest=dest, action=argparse.BooleanOptionalAction,
                               default=None, help=text)
        elif spec.kind == "day_types":
            group.add_argument(spec.cli, dest=dest, action="append", metavar="DAY",
                               choices=[d.value for d in DayType],
                               help=f"{text} Repeatable.")
        elif spec.kind == "choice":
            group.add_argument(spec.cli, dest=dest, choices=[v for v, _ in spec.choices],
                               help=text)
        else:
            group.add_argument(spec.cli, dest=dest, metavar=_metavar(spec), help=text)


def _help(spec: Any) -> str:
    """Label, allowed values and default, then the field's help (``%`` escaped for argparse)."""
    allowed = spec.allowed()
    default = _default_text(spec)
    head = spec.label + (f": {allowed}" if allowed else "")
    head += f"; default {default}." if default else "."
    return f"{head} {spec.help}".replace("%", "%%")


def _default_text(spec: Any) -> str:
    value = spec.default
    if spec.kind == "day_types":
        return ",".join(d.value for d in value)
    if spec.kind == "shifts":
        return ",".join(s.name for s in value)
    if spec.kind == "bool":
        return "on" if value else "off"
    if value is None:
        return "none"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _metavar(spec: Any) -> str:
    return {"int": "N", "float": "X", "text": "TEXT", "path": "CSV", "shifts": "LIST"}.get(
        spec.kind, "VALUE")


def scenario_from_args(args: argparse.Namespace):
    """The ``--scenario`` file (or the baseline) with the options given on the line applied
    and the result validated; an error from an option names the option."""
    from workstation.deploy.scenario import FIELDS

    scenario = load_scenario(getattr(args, "scenario", None))
    given = {name: getattr(args, DEST_PREFIX + name) for name, spec in FIELDS.items()
             if spec.cli is not None and getattr(args, DEST_PREFIX + name, None) is not None}
    if not given:
        return scenario
    try:
        changes = {name: _from_option(FIELDS[name], value) for name, value in given.items()}
        return scenario.with_changes(**changes)
    except ScenarioError as exc:
        field_name = (exc.column or "").split(".")[0]
        if field_name in given:        # say which option the bad value came from
            exc.message = f"{FIELDS[field_name].cli}: {exc.message}"
            exc.args = (str(exc),)
        raise


def _from_option(spec: Any, value: Any) -> Any:
    """An option's value (text, a list of day names or a bool) as the field's type."""
    from workstation.deploy.scenario import Shift
    from workstation.domain import DayType

    if spec.kind == "day_types":
        return tuple(dict.fromkeys(DayType(d) for d in value))
    if spec.kind == "shifts":
        return tuple(Shift.parse(s) for s in value.split(",") if s.strip())
    if spec.kind == "path":
        return _existing_file(spec, value)
    if spec.kind in ("int", "float", "text"):
        return spec.from_text(value)
    return value


def _existing_file(spec: Any, text: str) -> str | None:
    if not text.strip():
        return None
    path = Path(text).expanduser()
    if not path.is_file():
        raise InputError(f"{spec.cli}: file not found", path=text, column=spec.name,
                         expected="an existing CSV file")
    return str(path.resolve())


def load_scenario(path: str | Path | None):
    """A scenario from a project file (``{"scenario": {...}}``, migrated if versioned) or a
    bare scenario dict; the baseline when ``path`` is None. Every failure is an InputError
    that names the file."""
    from workstation.deploy.scenario import DeploymentScenario
    from workstation.jsontext import loads_json

    if path is None:
        return DeploymentScenario().validate()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the scenario ({exc.strerror or exc})", path=path) from exc
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", path=path,
                         expected="a project or scenario file saved as UTF-8 JSON") from None
    what = "project file" if path.suffix.lower() == ".ldwproj" else "scenario file"
    data = loads_json(text, path=path, what=what)
    if not isinstance(data, dict):
        raise InputError("expected a JSON object", path=path,
                         expected='a project file or a scenario object like {"name": ...}')
    if data.get("format") == "ldw-project":  # a saved project, any version: migrate
        from workstation.project import project_from_dict
        return project_from_dict(data, path=path).scenario
    try:
        return DeploymentScenario.from_dict(data["scenario"] if "scenario" in data else data)
    except InputError as exc:
        if exc.path is None:       # name the file the bad value came from
            exc.path = str(path)
            exc.args = (str(exc),)
        raise
