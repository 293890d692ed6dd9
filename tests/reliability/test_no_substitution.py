"""An import that places no row is an error (exit 2) that says why, and a report about the
analyst's incidents never shows the shipped police.uk burglary in their place."""

from __future__ import annotations

import subprocess
import sys

import pytest
from bad_input_cases import LOADERS, REPO, real_inputs

from workstation.cli import main as cli_main


@pytest.fixture(scope="module")
def real(shared_data):
    return real_inputs(shared_data)


@pytest.mark.parametrize("builder,why", [
    (LOADERS.b_police_bng, "hold metres"),
    (LOADERS.b_police_month_unpadded, "not written as YYYY-MM"),
])
def test_import_with_no_placed_row_exits_2(builder, why, real, tmp_path):
    path = builder(tmp_path, real)
    proc = subprocess.run([sys.executable, "-m", "workstation", "import", str(path)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith("error: ") and why in proc.stderr
    assert "no row could be placed" in proc.stderr and "Traceback" not in proc.stderr


def test_report_with_unplaceable_incidents_is_refused(real, tmp_path, capsys):
    path = LOADERS.b_police_bng(tmp_path, real)
    out = tmp_path / "report.pdf"
    code = cli_main(["report", "--incidents", str(path), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "hold metres" in err, err
    assert not out.exists()            # no report of the shipped burglary instead


def test_user_incidents_without_hotspots_show_no_shipped_data(pack):
    from workstation.domain import DayType
    from workstation.exports.layers import USER_HOTSPOTS_UNAVAILABLE, gather_layers

    layers = gather_layers(pack, day_type=DayType.WEEKDAY, hotspots=None, user_incidents=True)
    assert layers.hotspots is None and layers.grid_cells is None
    assert layers.hotspot_title == USER_HOTSPOTS_UNAVAILABLE
    assert "Burglary" not in layers.hotspot_title
    assert any("no other data is shown" in n for n in layers.notes)
    # without the user's incidents the shipped burglary is still the documented default
    default = gather_layers(pack, day_type=DayType.WEEKDAY, hotspots=None)
    assert default.hotspots is not None and "Burglary" in default.hotspot_title
