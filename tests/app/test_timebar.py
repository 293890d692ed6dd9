"""Time bar: slider and day type drive session time, drags are coalesced, play steps."""

import pytest

from workstation.app.session import Session
from workstation.app.timebar import TimeBar
from workstation.domain import DayType


@pytest.fixture
def bar(qtbot, pack):
    session = Session(pack)
    widget = TimeBar(session)
    qtbot.addWidget(widget)
    return widget


def test_slider_sets_session_hour(bar, qtbot):
    with qtbot.waitSignal(bar.session.sig_time_changed, timeout=2000) as blocker:
        bar.slider.setValue(17)
    assert blocker.args == [DayType.WEEKDAY, 17]
    assert bar.session.hour == 17
    assert bar.hour_label.text().startswith("17:00")


def test_fast_drag_is_coalesced_into_one_redraw(bar, qtbot):
    seen = []
    bar.session.sig_time_changed.connect(lambda d, h: seen.append(h))
    for hour in range(9, 20):
        bar.slider.setValue(hour)
    qtbot.waitUntil(lambda: bar.session.hour == 19, timeout=2000)
    assert seen == [19]


def test_day_type_combo_and_session_sync(bar, qtbot):
    with qtbot.waitSignal(bar.session.sig_time_changed, timeout=2000):
        bar.day_combo.setCurrentIndex(bar.day_combo.findData(DayType.SATURDAY.value))
    assert bar.session.day_type is DayType.SATURDAY
    bar.session.set_time(DayType.SUNDAY, 22)     # e.g. a project was opened
    assert bar.slider.value() == 22
    assert bar.day_type is DayType.SUNDAY


def test_play_advances_and_wraps(bar, qtbot):
    bar.session.set_time(DayType.WEEKDAY, 23)
    bar._play_timer.setInterval(10)
    bar.set_playing(True)
    assert bar.play_button.isChecked()
    qtbot.waitUntil(lambda: bar.session.hour == 1, timeout=3000)
    bar.set_playing(False)
    assert not bar.playing and not bar.play_button.isChecked()
