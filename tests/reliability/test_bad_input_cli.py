"""Bad-input catalogue through the real CLI: every loader, the project file, the strength
table, harm weights and scenario values.

Each case is built in tmp_path from real files (police.uk months, the stop-and-search and
STATS19 extracts, the shipped harm weights, a real saved project) and run through
``workstation.cli.main``. Each must: exit 2; print one ``error:`` line that names the file
(and row/column where there is one) and what was expected; print no traceback; and leave a
pre-existing output (incident store, plan file, report, the project itself) byte for byte
unchanged. docs/bad-input-catalogue.md lists every case with its test id.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import pytest
from bad_input_cases import DELETE, LOADER_ERRORS, LOADERS, REPO, project_text, real_inputs
from bad_input_cases import set_value as _set

from workstation.cli import main as cli_main

SAMPLE_REPORT = REPO / "docs" / "sample-report" / "report.pdf"
HARM_WEIGHTS = REPO / "workstation" / "maps" / "css_weights.csv"


@pytest.fixture(scope="module")
def real(shared_data):
    return real_inputs(shared_data)


@pytest.fixture(scope="module")
def previous(real, tmp_path_factory):
    """Outputs of earlier, successful work that a failed run must leave alone: an incident
    store holding a real import, a real plan file and a real report."""
    folder = tmp_path_factory.mktemp("previous")
    good = LOADERS.write(folder / LOADERS.MONTH_FILE, LOADERS.month_slice(real, 50))
    store = folder / "work.incidents"
    assert cli_main(["import", str(good), "--into", str(store)]) == 0
    plan = folder / "plan.json"
    assert cli_main(["plan", "--day", "sunday", "--out", str(plan)]) == 0
    return SimpleNamespace(store=store, plan=plan, report=SAMPLE_REPORT)


@dataclass
class Case:
    argv: list[str]
    expect: str                          # regex the message must match
    names: list[str]                     # what the message must name: file, row, column...
    guards: list[Path] = field(default_factory=list)   # must be unchanged afterwards


@dataclass
class Ctx:
    tmp: Path
    real: SimpleNamespace
    store: Path
    plan: Path
    report: Path


# --- incident loaders via `workstation import PATH --into STORE` ---------------------------

def _loader_case(builder: Callable, expect: str) -> Callable[[Ctx], Case]:
    def build(t: Ctx) -> Case:
        path = builder(t.tmp, t.real)
        return Case(["import", str(path), "--into", str(t.store)], expect, [path.name],
                    [t.store])
    return build


# --- project files via `workstation plan --scenario P --out plan.json` ---------------------
def _project(t: Ctx, text: str | bytes, name: str = "work.ldwproj") -> Path:
    path = t.tmp / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def _project_case(text_fn: Callable[[str], str | bytes], expect: str, *names: str,
                  command: str = "plan") -> Callable[[Ctx], Case]:
    def build(t: Ctx) -> Case:
        path = _project(t, text_fn(project_text()))
        if command == "plan":
            argv = ["plan", "--scenario", str(path), "--out", str(t.plan)]
            guards = [path, t.plan]
        else:
            out = t.tmp / "report.pdf"
            shutil.copyfile(t.report, out)
            argv = ["report", "--scenario", str(path), "--out", str(out)]
            guards = [path, out]
        return Case(argv, expect, [path.name, *names], guards)
    return build


# --- strength table via `workstation plan --strength CSV --out plan.json` ------------------
STRENGTH_HEADER = "gss_code,officers"


def _real_strength_rows(pack) -> list[str]:
    """One row per Met borough (the 32 planning units) with the static split's officers."""
    codes = [c for c in pack.table("boroughs")["gss_code"].astype(str) if c != "E09000001"]
    return [f"{code},28" for code in codes]


def _strength_case(edit: Callable[[list[str]], list[str] | bytes], expect: str,
                   *names: str) -> Callable[[Ctx], Case]:
    def build(t: Ctx) -> Case:
        from workstation.datapack import load_pack
        rows = [STRENGTH_HEADER, *_real_strength_rows(load_pack())]
        content = edit(rows)
        path = t.tmp / "strength.csv"
        path.write_bytes(content if isinstance(content, bytes)
                         else ("\n".join(content) + "\n").encode("utf-8"))
        return Case(["plan", "--strength", str(path), "--out", str(t.plan)], expect,
                    [path.name, *names], [path, t.plan])
    return build


def _replace_row(index: int, text: str):
    def edit(rows: list[str]) -> list[str]:
        rows = list(rows)
        rows[index] = text
        return rows
    return edit


# --- harm weights via `workstation hotspots --weights CSV --out hotspots.gpkg` -------------
def _weights_case(edit: Callable[[list[str]], list[str]], expect: str,
                  *names: str) -> Callable[[Ctx], Case]:
    def build(t: Ctx) -> Case:
        lines = HARM_WEIGHTS.read_text(encoding="utf-8").splitlines()
        path = t.tmp / "weights.csv"
        path.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
        out = t.tmp / "hotspots.gpkg"
        shutil.copyfile(t.plan, out)   # stands for an earlier output at that name
        return Case(["hotspots", "--weights", str(path), "--out", str(out)], expect,
                    [path.name, *names], [path, out])
    return build


# --- scenario values given on the command line ----------------------------------------------
def _option_case(options: list[str], expect: str, *names: str) -> Callable[[Ctx], Case]:
    def build(t: Ctx) -> Case:
        return Case(["plan", *options, "--out", str(t.plan)], expect, list(names), [t.plan])
    return build


def _bare_scenario_case(edit: dict, expect: str, *names: str) -> Callable[[Ctx], Case]:
    """A bare scenario JSON (the scenario object of the real project, edited)."""
    def build(t: Ctx) -> Case:
        import json
        scenario = json.loads(project_text())["scenario"]
        scenario.update(edit)
        path = t.tmp / "scenario.json"
        path.write_text(json.dumps(scenario), encoding="utf-8")
        return Case(["plan", "--scenario", str(path), "--out", str(t.plan)], expect,
                    list(names), [path, t.plan])
    return build


def _output_case(t: Ctx) -> Case:
    out = t.tmp / "plan.txt"
    return Case(["plan", "--out", str(out)], "unknown plan format", ["plan.txt", ".xlsx"], [])


def _incidents_for_hotspots(t: Ctx) -> Case:
    path = LOADERS.b_truncated_zip(t.tmp, t.real)
    out = t.tmp / "hotspots.gpkg"
    shutil.copyfile(t.plan, out)
    return Case(["hotspots", "--incidents", str(path), "--out", str(out)],
                "not a readable zip", [path.name], [out])


def _report_flow_hour(t: Ctx) -> Case:
    out = t.tmp / "report.pdf"
    shutil.copyfile(t.report, out)
    return Case(["report", "--flow-hour", "25", "--out", str(out)], "must be a clock hour",
                ["--flow-hour", "0-23"], [out])


CASES: list[tuple[str, Callable[[Ctx], Case]]] = [
    *[(f"import: {name}", _loader_case(builder, expect))
      for name, builder, expect in LOADER_ERRORS],
    ("hotspots: truncated zip", _incidents_for_hotspots),
    # project files
    ("project: corrupt JSON", _project_case(lambda s: s[: len(s) // 2], "not valid JSON",
                                             "row ")),
    ("project: empty file", _project_case(lambda s: "", "not valid JSON", "row 1")),
    ("project: not UTF-8", _project_case(lambda s: s.encode("utf-16"), "not UTF-8",
                                          "expected")),
    ("project: future version", _project_case(_set("version", 99), "newer version",
                                               "Update the workstation")),
    ("project: scenario not an object", _project_case(_set("scenario", "Baseline"),
                                                       "is not an object", "'scenario'",
                                                       "expected")),
    ("project: missing fields", _project_case(_set("view", DELETE), "lacks the fields",
                                               "'view'", "expected")),
    ("project: negative officers", _project_case(_set("scenario.officers_on_duty", -40),
                                                  "out of range", "officers_on_duty",
                                                  "between 0 and 20,000 officers")),
    ("project: 0-minute standard", _project_case(
        _set("scenario.standards.0.standard_minutes", 0), "out of range",
        "standards.I.standard_minutes", "above 0 minutes")),
    ("project: shifts do not cover the day", _project_case(
        _set("scenario.shifts", ["06-14", "14-22"]), "out of range", "shifts",
        "cover each hour")),
    ("project: floor share above 1", _project_case(_set("scenario.floor_share", 1.5),
                                                    "out of range", "floor_share", "between 0")),
    ("project: unknown scenario field", _project_case(_set("scenario.officers", 900),
                                                       "unknown scenario fields", "officers")),
    ("project: view hour 24", _project_case(_set("view.hour", 24), "out of range",
                                             "view.hour", "0-23")),
    ("project: bad incidents kind", _project_case(_set("incidents", {"path": "x.csv",
                                                                     "kind": "cad"}),
                                                   "not known", "incidents.kind")),
    ("report: corrupt project", _project_case(lambda s: s[:-40], "not valid JSON", "row ",
                                               command="report")),
    ("report: future-version project", _project_case(_set("version", 3), "newer version",
                                                      command="report")),
    # strength table
    ("strength: unknown borough", _strength_case(_replace_row(5, "E09999999,28"),
                                                  "unknown planning unit", "row 6",
                                                  "'gss_code'", "expected")),
    ("strength: negative officers", _strength_case(_replace_row(3, "E09000004,-3"),
                                                    "not a valid number of officers", "row 4",
                                                    "'officers'", "0 or more")),
    ("strength: officers not a number", _strength_case(_replace_row(2, "E09000003,lots"),
                                                        "not a number of officers", "row 3",
                                                        "'officers'")),
    ("strength: missing column", _strength_case(
        lambda rows: ["gss_code,count", *rows[1:]], "lacks its columns", "row 1", "officers")),
    # a borough missing from a strength file is no longer an error: the others keep the
    # default split and the plan says which were given (issue 14; tests/deploy).
    ("strength: unknown shift", _strength_case(
        lambda rows: ["gss_code,officers,shift"] + [r + ",08-16" for r in rows[1:]],
        "unknown shift '08-16'", "row 2", "'shift'", "07-15")),
    ("strength: not UTF-8", _strength_case(
        lambda rows: "\n".join(rows).encode("utf-16"), "not UTF-8", "CSV UTF-8")),
    ("strength: file not found", lambda t: Case(
        ["plan", "--strength", str(t.tmp / "nowhere.csv"), "--out", str(t.plan)],
        "not found", ["nowhere.csv", "expected"], [t.plan])),
    # harm weights
    ("weights: negative weight", _weights_case(
        lambda lines: [lines[0], lines[1].replace(",30.0,", ",-30.0,"), *lines[2:]],
        "out of range", "row 2", "'weight'", ">= 0")),
    ("weights: missing column", _weights_case(
        lambda lines: [lines[0].replace("weight", "harm"), *lines[1:]], "missing column",
        "'weight'", "expected")),
    ("weights: unknown scheme", _weights_case(
        lambda lines: [lines[0], lines[1].replace(",police_uk,", ",home_office,"), *lines[2:]],
        "unknown scheme", "row 2", "'scheme'")),
    ("weights: listed twice", _weights_case(lambda lines: [*lines, lines[1]], "listed twice",
                                             "'category'", "first on row 2")),
    # scenario values on the command line and in a scenario file
    ("scenario: negative officers", _option_case(["--officers", "-5"], "out of range",
                                                  "officers_on_duty", "between 0 and 20,000")),
    ("scenario: floor share above 1", _option_case(["--floor-share", "1.2"], "out of range",
                                                    "floor_share")),
    ("scenario: negative lending minutes", _option_case(["--max-lending-minutes", "-1"],
                                                         "out of range", "max_lending_minutes")),
    ("scenario: shifts do not cover the day", _option_case(["--shifts", "07-15,15-23"],
                                                            "out of range", "shifts",
                                                            "cover each hour")),
    ("scenario: overlapping shifts", _option_case(["--shifts", "07-17,15-23,23-07"],
                                                   "out of range", "shifts", "exactly once")),
    ("scenario: malformed shift", _option_case(["--shifts", "7am-3pm"], "not of the form HH-HH",
                                                "7am-3pm", "07-15")),
    ("scenario file: 0-minute standard", _bare_scenario_case(
        {"standards": [{"grade": "I", "standard_minutes": 0, "target_share": 0.9}]},
        "out of range", "standards.I.standard_minutes", "above 0 minutes", "scenario.json")),
    ("scenario file: availability 0", _bare_scenario_case(
        {"officer_availability": 0.0}, "out of range", "officer_availability", "0.05",
        "scenario.json")),
    # outputs and options
    ("plan: unknown output extension", _output_case),
    ("report: flow hour 25", _report_flow_hour),
]


def _snapshot(paths: list[Path]) -> dict[str, bytes | None]:
    shot: dict[str, bytes | None] = {}
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            shot[str(f)] = f.read_bytes() if f.exists() else None
    return shot


# Cases the code does not yet handle; strict, so they fail loudly once fixed.
KNOWN_BUGS: dict[str, str] = {}   # case name -> reason, marked strict xfail until fixed


def _params():
    for name, build in CASES:
        marks = ([pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[name])]
                 if name in KNOWN_BUGS else [])
        yield pytest.param(build, id=name, marks=marks)


@pytest.mark.parametrize("build", list(_params()))
def test_bad_input_is_refused_cleanly(build, real, previous, tmp_path, capsys):
    store = tmp_path / "work.incidents"
    shutil.copytree(previous.store, store)
    plan = tmp_path / "plan.json"
    shutil.copyfile(previous.plan, plan)
    case = build(Ctx(tmp=tmp_path, real=real, store=store, plan=plan, report=previous.report))
    assert case.guards or case.argv[:1] == ["plan"]
    before = _snapshot(case.guards)
    assert all(v is not None for v in before.values())

    code = cli_main(case.argv)
    out, err = capsys.readouterr()

    assert code == 2, f"exit {code}; stderr: {err}"
    assert "Traceback" not in err + out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    message = lines[0]
    assert re.search(case.expect, message), message
    for name in case.names:
        assert name in message, f"{name!r} not named in: {message}"
    assert _snapshot(case.guards) == before, "a pre-existing file was changed"


def test_at_least_thirty_cases_and_all_in_the_catalogue():
    assert len(CASES) >= 30 and len({c[0] for c in CASES}) == len(CASES)
    doc = (REPO / "docs" / "bad-input-catalogue.md").read_text(encoding="utf-8")
    missing = [c[0] for c in CASES if f"`{c[0]}`" not in doc]
    assert not missing, f"docs/bad-input-catalogue.md lacks {missing}"


@pytest.mark.parametrize("case_id", ["project: future version", "import: truncated zip"])
def test_real_process_exits_2_without_traceback(case_id, real, previous, tmp_path):
    """The same refusals from a separate `python -m workstation` process (the real entry)."""
    store = tmp_path / "work.incidents"
    shutil.copytree(previous.store, store)
    plan = tmp_path / "plan.json"
    shutil.copyfile(previous.plan, plan)
    build = dict(CASES)[case_id]
    case = build(Ctx(tmp=tmp_path, real=real, store=store, plan=plan, report=previous.report))
    before = _snapshot(case.guards)
    proc = subprocess.run([sys.executable, "-m", "workstation", *case.argv], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("error: ")
    assert re.search(case.expect, proc.stderr)
    assert _snapshot(case.guards) == before
