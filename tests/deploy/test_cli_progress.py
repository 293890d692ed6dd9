"""CLI progress: a line on stderr while long commands run, only on a terminal and not with
--quiet; stdout (tables, JSON) never holds it."""

from __future__ import annotations

import io
import json

import pytest

from workstation.cli import main
from workstation.cli import progress as progress_module


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch):
    """Installs a terminal as stderr when called (inside the test: pytest's own capture
    replaces sys.stderr between fixture set-up and the test call)."""
    monkeypatch.setattr(progress_module, "MIN_INTERVAL_S", 0.0)

    def install() -> _Terminal:
        stream = _Terminal()
        monkeypatch.setattr(progress_module.sys, "stderr", stream)
        return stream
    return install


def test_plan_shows_progress_on_a_terminal_and_clears_it(capsys, terminal):
    terminal = terminal()
    assert main(["plan", "--day", "sunday", "--json"]) == 0
    shown = terminal.getvalue()
    assert "\rplan: " in shown and "%" in shown
    assert shown.endswith("\r")                       # the line is wiped at the end
    payload = json.loads(capsys.readouterr().out)     # stdout is clean JSON
    assert payload["units"]


def test_quiet_and_non_terminal_print_no_progress(capsys, terminal):
    terminal = terminal()
    assert main(["plan", "--day", "sunday", "--json", "--quiet"]) == 0
    assert terminal.getvalue() == ""
    assert progress_module.progress_for(type("A", (), {"quiet": False})(), "x",
                                        io.StringIO()) is progress_module.no_progress


def test_progress_line_rate_limits_and_stages():
    stream = _Terminal()
    line = progress_module.ProgressLine("report", stream)
    part = progress_module.stage(line, 0.5, 1.0)
    part(0.5, "writing")
    assert "75%" in stream.getvalue() and "writing" in stream.getvalue()
    line.done()
    assert stream.getvalue().endswith("\r")
