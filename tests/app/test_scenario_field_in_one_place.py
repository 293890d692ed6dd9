"""A scenario field added in one place (its declaration in deploy/scenario.py) appears in
validation, the Scenario panel, the CLI help and the Assumptions labels, with nothing else
edited. The test adds a field to a copy of the package and checks all four there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

NEW_FIELD = '''
    patrol_cars_per_unit: int = scenario_field(
        3, label="Patrol cars per unit", kind="int", unit="cars", minimum=0, maximum=40,
        group="Officers and shifts", cli="--patrol-cars",
        help="Marked response cars available to each unit per shift (a test-only field).")
'''

CHECK = textwrap.dedent('''
    import contextlib, io, sys, types
    from workstation.deploy.scenario import DeploymentScenario
    from workstation.errors import ScenarioError

    # validation
    assert DeploymentScenario().patrol_cars_per_unit == 3
    try:
        DeploymentScenario.from_dict({"patrol_cars_per_unit": 41})
    except ScenarioError as exc:
        assert exc.column == "patrol_cars_per_unit" and "between 0 and 40 cars" in str(exc)
    else:
        raise AssertionError("41 cars accepted")

    # CLI help and options
    from workstation.cli import build_parser
    from workstation.cli.scenario_options import scenario_from_args
    for command in ("plan", "report", "backtest"):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            build_parser().parse_args([command, "--help"])
        help_text = " ".join(out.getvalue().split())
        assert "--patrol-cars" in help_text and "Patrol cars per unit" in help_text, command
    args = build_parser().parse_args(["plan", "--patrol-cars", "7"])
    assert scenario_from_args(args).patrol_cars_per_unit == 7

    # Assumptions labels (XLSX sheet and PDF appendix share scenario_rows)
    from workstation.exports.tables import scenario_rows
    rows = dict(scenario_rows(types.SimpleNamespace(scenario=DeploymentScenario())))
    assert rows["Patrol cars per unit (cars)"] == 3

    # Scenario panel
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication([])
    from workstation.app.scenario_panel import ScenarioPanel
    from workstation.app.session import Session
    from workstation.datapack import load_pack
    session = Session(load_pack())
    panel = ScenarioPanel(session)
    spin = panel.widget_for("patrol_cars_per_unit")
    assert spin.value() == 3 and spin.maximum() == 40 and "a test-only field" in spin.toolTip()
    spin.setValue(5)
    assert session.scenario.patrol_cars_per_unit == 5
    print("ok")
''')


def test_a_field_added_once_appears_everywhere(tmp_path):
    copy = tmp_path / "workstation"
    shutil.copytree(REPO / "workstation", copy,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    scenario = copy / "deploy" / "scenario.py"
    text = scenario.read_text(encoding="utf-8")
    anchor = "    tfl_year: int = scenario_field("
    assert anchor in text
    scenario.write_text(text.replace(anchor, NEW_FIELD.lstrip("\n") + anchor, 1),
                        encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(tmp_path), QT_QPA_PLATFORM="offscreen",
               WORKSTATION_DATA=str(REPO / "data"))
    result = subprocess.run([sys.executable, "-c", CHECK], env=env, capture_output=True,
                            text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")
