"""A cancelled export leaves no file: every writer checks the cancel token between its
steps, inside the atomic write, and the temp file goes with the cancel (real plan, real
pack). Cancelled halfway: the token is set from the writer's own progress callback once
part of the file has been written."""

from __future__ import annotations

import pytest

from workstation.domain import CancelToken, Cancelled, DayType
from workstation.exports import write_plan_csv, write_plan_json
from workstation.exports.geopackage import write_geopackage
from workstation.exports.layers import gather_layers
from workstation.exports.plan_xlsx import write_plan_xlsx


def _cancel_at(message_part: str):
    """A (progress, token) pair that cancels when a progress message contains the text."""
    token = CancelToken()
    seen: list[str] = []

    def progress(fraction: float, message: str = "") -> None:
        seen.append(message)
        if message_part in message:
            token.cancel()
    return progress, token, seen


def test_geopackage_cancelled_after_its_first_layer(pack, real_plan, tmp_path):
    layers = gather_layers(pack, day_type=DayType.WEEKDAY)
    progress, token, seen = _cancel_at("writing layer hotspots")   # boroughs already written
    with pytest.raises(Cancelled):
        write_geopackage(tmp_path / "plan.gpkg", pack=pack, plan=real_plan, layers=layers,
                         progress=progress, cancel=token)
    assert "writing layer boroughs" in seen
    assert list(tmp_path.iterdir()) == []


def test_xlsx_cancelled_mid_workbook(real_plan, tmp_path):
    progress, token, seen = _cancel_at("writing sheet Hourly")
    with pytest.raises(Cancelled):
        write_plan_xlsx(real_plan, tmp_path / "plan.xlsx", progress=progress, cancel=token)
    assert "writing sheet Plan" in seen
    assert list(tmp_path.iterdir()) == []


def test_xlsx_cancelled_while_saving(real_plan, tmp_path):
    """Cancelled after the bytes are on disk but before the rename: still nothing."""
    progress, token, _ = _cancel_at("saving workbook")
    with pytest.raises(Cancelled):
        write_plan_xlsx(real_plan, tmp_path / "plan.xlsx", progress=progress, cancel=token)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("writer", [write_plan_csv, write_plan_json])
def test_csv_json_cancelled(writer, real_plan, tmp_path):
    progress, token, _ = _cancel_at("writing")
    with pytest.raises(Cancelled):
        writer(real_plan, tmp_path / "plan.out", progress=progress, cancel=token)
    assert list(tmp_path.iterdir()) == []


def test_pdf_cancelled_halfway(pack, real_plan, tmp_path):
    from workstation.exports.report import write_report

    layers = gather_layers(pack, day_type=DayType.WEEKDAY)
    seen: list[float] = []
    token = CancelToken()

    def progress(fraction: float, message: str = "") -> None:
        seen.append(fraction)
        if fraction >= 0.4:
            token.cancel()
    with pytest.raises(Cancelled):
        write_report(real_plan, tmp_path / "report.pdf", pack=pack, layers=layers,
                     progress=progress, cancel=token)
    assert max(seen) >= 0.4
    assert list(tmp_path.iterdir()) == []
