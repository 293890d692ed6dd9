"""``workstation report``: fails cleanly (exit 2, one line, nothing written) on bad outputs
and bad scenarios; with the engine present it writes the report and plan files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from workstation.cli import main
from workstation.cli.scenario_options import load_scenario
from workstation.errors import InputError


def _files(folder):
    return sorted(p.name for p in folder.iterdir())


def test_parent_is_a_file(tmp_path, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    assert main(["report", "--out", str(blocker / "report.pdf")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "is a file, not a folder" in err
    assert _files(tmp_path) == ["not-a-folder"]


def test_out_is_an_existing_folder(tmp_path, capsys):
    (tmp_path / "report.pdf").mkdir()
    assert main(["report", "--out", str(tmp_path / "report.pdf")]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_read_only_folder(tmp_path, capsys):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):  # root (CI) ignores the mode: use a missing folder
            target = tmp_path / "missing" / "report.pdf"
        else:
            target = folder / "report.pdf"
        assert main(["report", "--out", str(target), "--xlsx", str(tmp_path / "p.xlsx")]) == 2
        assert "error:" in capsys.readouterr().err
        assert not target.exists() and not (tmp_path / "p.xlsx").exists()
    finally:
        folder.chmod(0o700)


def test_bad_scenario_file(tmp_path, capsys):
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps({"officers_on_duty": -5}))
    assert main(["report", "--scenario", str(scenario), "--out", str(tmp_path / "r.pdf")]) == 2
    assert "officers_on_duty" in capsys.readouterr().err
    assert _files(tmp_path) == ["s.json"]


def test_load_scenario_forms(tmp_path):
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps({"name": "Night surge", "officers_on_duty": 2000}))
    assert load_scenario(bare).officers_on_duty == 2000
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"scenario": {"name": "Wrapped", "floor_share": 0.5}}))
    assert load_scenario(wrapped).floor_share == 0.5
    assert load_scenario(None).name == "Baseline"
    projects = Path(__file__).resolve().parents[1] / "fixtures" / "projects"
    v1 = load_scenario(projects / "v1_carnival_sunday.ldwproj")
    assert v1.officers_on_duty == 2650 and v1.max_lending_minutes == 25
    assert load_scenario(projects / "v2_carnival_sunday.ldwproj").name.startswith("Carnival")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(InputError):
        load_scenario(broken)


def test_unwritable_system_folder(tmp_path, capsys):
    """A folder nobody may write in, even root (sysfs): exit 2, one line, nothing written."""
    import tempfile
    folder = Path("/sys")
    try:
        fd, probe = tempfile.mkstemp(dir=folder)
    except OSError:
        pass
    else:  # pragma: no cover - a system that lets us write here cannot run this check
        os.close(fd)
        os.unlink(probe)
        pytest.skip("/sys is writable here")
    xlsx = tmp_path / "plan.xlsx"
    assert main(["report", "--out", str(xlsx), "--gpkg", str(folder / "out.gpkg")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "cannot write in /sys" in err
    assert err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_headless_report_without_qt_or_display(tmp_path):
    """`workstation report` on the shipped data with Qt made unimportable and no display:
    writes the PDF, the workbook and the GeoPackage, and a JSON summary."""
    import subprocess
    import sys

    code = ("import sys; sys.modules['PySide6'] = None; sys.modules['pyqtgraph'] = None\n"
            "from workstation.cli import main\n"
            "sys.exit(main(sys.argv[1:]))")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = {name: tmp_path / name for name in ("r.pdf", "p.xlsx", "g.gpkg")}
    done = subprocess.run(
        [sys.executable, "-c", code, "report", "--out", str(out["r.pdf"]),
         "--xlsx", str(out["p.xlsx"]), "--gpkg", str(out["g.gpkg"]), "--json"],
        capture_output=True, text=True, env=env, cwd=Path(__file__).resolve().parents[2],
        timeout=300)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["scenario"] == "Baseline" and summary["partner_safe"] is True
    assert set(summary["outputs"]) == {"report", "xlsx", "gpkg"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.gpkg", "p.xlsx", "r.pdf"]
    assert out["r.pdf"].read_bytes().startswith(b"%PDF")
    from openpyxl import load_workbook
    assert load_workbook(out["p.xlsx"], read_only=True).sheetnames[0] == "Plan"


def test_target_open_elsewhere_keeps_the_old_file(tmp_path, capsys, monkeypatch):
    """A report open in a viewer that locks it (Windows refuses the final rename): exit 2
    with a clear message, the previous report untouched, no temp file left behind."""
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF previous report")
    real_replace = os.replace

    def locked(src, dst, *args, **kwargs):
        if Path(dst) == target:
            raise PermissionError(13, "Permission denied", str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", locked)
    assert main(["report", "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {target}: cannot replace the file")
    assert "is it open in another program?" in err
    assert target.read_bytes() == b"%PDF previous report"
    assert _files(tmp_path) == ["report.pdf"]
