"""Shared builders of bad inputs for the reliability tests (CLI catalogue and app dialogs).

The incident-file cases are tests/loaders' builders (one source of truth); the project
cases edit a real saved project. Everything is derived from real files in tmp_path."""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[2]
PROJECT_FIXTURE = REPO / "tests" / "fixtures" / "projects" / "v2_carnival_sunday.ldwproj"
DELETE = object()


def _load_loader_cases():
    name = "_loader_bad_inputs"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, REPO / "tests" / "loaders" / "test_bad_inputs.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


LOADERS = _load_loader_cases()
# (id, builder(tmp, real) -> path, message regex) for every file the loaders refuse
LOADER_ERRORS = [(c[0], c[1], c[2]) for c in LOADERS.CASES if c[2] is not None]


def real_inputs(shared_data: Path) -> SimpleNamespace:
    """The real rows the loader builders slice (same shape as tests/loaders' ``real``)."""
    burglary = shared_data / "police_uk_burglary"
    incidents = shared_data / "incidents"
    month = gzip.decompress((burglary / "2019-01-metropolitan-street.csv.gz").read_bytes())
    return SimpleNamespace(
        month=month.decode("utf-8").splitlines(),
        stop=(incidents / "police_uk_2016-06_metropolitan_stop_and_search.csv")
        .read_text(encoding="utf-8").splitlines(),
        stats=(incidents / "stats19_collision_2022_met_first1049rows.csv")
        .read_text(encoding="utf-8-sig").splitlines(),
        burglary_dir=burglary,
        geojson=shared_data / "boundaries" / "london_boroughs.geojson")


def project_text() -> str:
    return PROJECT_FIXTURE.read_text(encoding="utf-8")


def set_value(key_path: str, value: Any) -> Callable[[str], str]:
    """An edit of the real project: set (or DELETE) one value at a dotted JSON path."""
    def edit(text: str) -> str:
        data = json.loads(text)
        *parents, last = key_path.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        key = int(last) if last.isdigit() else last
        if value is DELETE:
            del node[key]
        else:
            node[key] = value
        return json.dumps(data, indent=2)
    return edit
