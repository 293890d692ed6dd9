"""Every subcommand's --help has a description and at least one example, and
`workstation report --help` names every output it can write."""

from __future__ import annotations

import argparse
import re

import pytest

from workstation.cli import build_parser, main


def _subparsers():
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


def test_every_subcommand_has_description_and_example():
    commands = _subparsers()
    assert {"plan", "report", "import", "hotspots", "selftest"} <= set(commands)
    for name, sub in commands.items():
        text = sub.format_help()
        assert sub.description and len(sub.description) > 60, name
        examples = text.split("examples:", 1)
        assert len(examples) == 2, name
        lines = [line.strip() for line in examples[1].splitlines() if line.strip()]
        assert lines and all(line.startswith(f"workstation {name}") for line in lines), name


def test_report_help_names_every_output(capsys):
    with pytest.raises(SystemExit) as info:
        main(["report", "--help"])
    assert info.value.code == 0
    text = re.sub(r"\s+", " ", capsys.readouterr().out)
    for option in ("--out", "--xlsx", "--csv", "--plan-json", "--gpkg", "--compare-to"):
        assert option in text, option
    for output in ("PDF deployment report", "workbook", "CSV", "JSON", "GeoPackage",
                   "what changed"):
        assert output in text, output


def test_compare_to_a_bad_file_fails_before_the_engine(tmp_path, capsys):
    bad = tmp_path / "old.json"
    bad.write_text("{}")
    code = main(["report", "--out", str(tmp_path / "r.pdf"), "--compare-to", str(bad)])
    assert code == 2
    assert "old.json" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.json"]


def test_report_compare_to_a_plan_json_it_wrote(tmp_path, capsys):
    """`report --plan-json` writes the file `--compare-to` reads: the second report has the
    one-page comparison, which finds the same plan unchanged."""
    from pypdf import PdfReader

    first = tmp_path / "first.pdf"
    previous = tmp_path / "plan.json"
    assert main(["report", "--out", str(first), "--plan-json", str(previous)]) == 0
    second = tmp_path / "second.pdf"
    assert main(["report", "--out", str(second), "--compare-to", str(previous)]) == 0
    capsys.readouterr()
    pages = [p.extract_text() for p in PdfReader(second).pages]
    page = re.sub(r"\s+", " ", next(p for p in pages if p.startswith("What changed")))
    assert "Compared with plan.json (scenario 'Baseline'): 0 unit-shifts change officers" in page
    assert "Scenario: no setting changed." in page
    assert "None: every unit-shift has the officers it had." in page
    assert not any(p.startswith("What changed") for p in
                   (q.extract_text() for q in PdfReader(first).pages))
