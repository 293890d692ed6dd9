"""``workstation selftest`` from the source tree (not frozen): one full run with the main
window shared by the module, then the ways it must fail loudly."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest
from pypdf import PdfReader

from workstation.cli import main
from workstation.cli.commands import selftest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def full_run(qapp, tmp_path_factory):
    """One run with --gui (≈25 s on 2 cores): every test below reads its outputs."""
    out = tmp_path_factory.mktemp("selftest Documents Ünïcode")
    lines: list[str] = []
    results = selftest.run_selftest(out, gui=True, echo=lines.append)
    return out, results, lines


def test_every_step_passes_and_is_timed(full_run):
    _, results, lines = full_run
    assert [r.name for r in results] == ["load data pack", "reproject to EPSG:27700",
                                         "compute plan", "export PDF report",
                                         "export GeoPackage", "save and reopen project",
                                         "open main window"]
    failed = [(r.name, r.detail) for r in results if not r.ok]
    assert not failed
    assert all(r.seconds > 0 for r in results)
    # one printed line per step with its time in seconds
    step_lines = [line for line in lines if re.match(r"\s+ok\s", line)]
    assert len(step_lines) == len(results)
    assert all(re.search(r"\d+\.\d\d s", line) for line in step_lines)


def test_project_round_trips_under_a_non_ascii_path(full_run):
    """Windows user folders often hold spaces and accented letters: the run's output folder
    has both, and the save-and-reopen step must work there."""
    out, results, _ = full_run
    assert " " in out.name and "Ü" in out.name
    step = next(r for r in results if r.name == "save and reopen project")
    assert step.ok and "Ünïcode" in step.detail
    assert (out / "selftest project.ldwproj").is_file()


def test_trafalgar_square_lands_in_westminster(full_run):
    _, results, _ = full_run
    detail = results[1].detail
    easting_m, northing_m = map(int, re.search(r"E (\d+) N (\d+)", detail).groups())
    # Nelson's Column is at OS grid TQ 300 804 (530 000 E, 180 400 N) to within 100 m
    assert abs(easting_m - 530_000) < 100 and abs(northing_m - 180_450) < 100
    assert "Westminster" in detail


def test_pdf_report_is_readable(full_run):
    out, _, _ = full_run
    reader = PdfReader(out / selftest.REPORT_NAME)
    assert len(reader.pages) >= 5
    text = reader.pages[0].extract_text()
    assert "Page 1 of" in text or "London" in text


def test_geopackage_reads_back_in_bng(full_run, pack):
    out, _, _ = full_run
    path = out / selftest.GPKG_NAME
    layers = [(str(name), str(kind)) for name, kind in pyogrio.list_layers(path)]
    assert len(layers) >= 2
    for name, kind in layers:
        frame = pyogrio.read_dataframe(path, layer=name)
        assert len(frame) > 0, name
        if kind not in ("None", ""):          # spatial layers; attribute tables have no CRS
            assert frame.crs.to_epsg() == 27700, name
    # one polygon per borough, and the plan per unit-hour in the attributes table joined
    # on unit_code: 32 boroughs x 3 day types x 24 h
    units = pyogrio.read_dataframe(path, layer="boroughs")
    expected = set(pack.table("boroughs")["gss_code"]) - {"E09000001"}
    assert set(units["unit_code"]) == expected and len(units) == 32
    hours = pyogrio.read_dataframe(path, layer="borough_hours")
    assert set(hours["unit_code"]) == expected
    assert len(hours) == 32 * 3 * 24
    assert (hours["population_present"] > 0).all()


def test_window_screenshot_is_not_blank(full_run):
    from PySide6.QtGui import QImage
    out, results, _ = full_run
    image = QImage(str(out / selftest.SCREENSHOT_NAME))
    assert image.width() >= 800 and image.height() >= 600
    colours = {image.pixel(x, y) for x in range(0, image.width(), 40)
               for y in range(0, image.height(), 40)}
    assert len(colours) > 20   # a drawn map and panels, not one flat colour
    assert "offscreen" in results[-1].detail


def test_missing_pack_fails_at_the_first_step(tmp_path, capsys):
    empty = tmp_path / "no-pack"
    empty.mkdir()
    lines: list[str] = []
    results = selftest.run_selftest(tmp_path / "out", pack_root=empty, echo=lines.append)
    assert [r.ok for r in results] == [False]   # stops: later steps need the pack
    assert "manifest" in results[0].detail
    assert any("FAIL" in line for line in lines)


def test_cli_exit_1_names_the_failed_step(tmp_path, capsys, monkeypatch):
    # a point in Camden (the British Museum) must not pass as Westminster
    monkeypatch.setattr(selftest, "TRAFALGAR_SQUARE_LON_LAT", (-0.1270, 51.5194))
    code = main(["selftest", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert "FAILED at 'reproject to EPSG:27700'" in err
    assert "Camden" in err and "not Westminster" in err
    assert not (tmp_path / selftest.REPORT_NAME).exists()


def test_out_is_a_file_is_exit_2(tmp_path, capsys):
    target = tmp_path / "a-file"
    target.write_text("x")
    assert main(["selftest", "--out", str(target)]) == 2
    assert "is a file" in capsys.readouterr().err


def test_headless_selftest_imports_no_qt(tmp_path):
    """Without --gui the self-test runs on a machine with no Qt at all (a server)."""
    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'):\n"
        "            raise ImportError('Qt blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from workstation.cli.commands import selftest\n"
        "from workstation.cli import build_parser\n"
        "args = build_parser().parse_args(['selftest', '--out', sys.argv[1]])\n"
        "state = {'pack_root': None, 'out_dir': sys.argv[1]}\n"
        "selftest._step_pack(state)\n"
        "print(selftest._step_reproject(state), args.gui)\n")
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path)], cwd=REPO_ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Westminster" in result.stdout and result.stdout.strip().endswith("False")
