"""Time bar: day type and hour of day, with play/pause. Every time-aware layer follows
``session.sig_time_changed``; dragging the slider is coalesced so the map redraws at most
once per ``THROTTLE_MS`` however fast the user drags."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QSlider, QStyle, QToolButton,
                               QWidget)

from workstation.domain import DayType

THROTTLE_MS = 40           # ~25 redraws/s at most while dragging
PLAY_INTERVAL_MS = 700     # one hour per 0.7 s: a day in under 17 s


class TimeBar(QWidget):
    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setObjectName("TimeBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        self.day_combo = QComboBox()
        for day in DayType:
            self.day_combo.addItem(day.label, day.value)  # Qt stores str enums as str
        self.day_combo.setToolTip("Day type (TfL): weekday is Monday to Thursday")
        self.play_button = QToolButton()
        self.play_button.setCheckable(True)
        self.play_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.play_button.setToolTip("Play / pause the day hour by hour (Ctrl+Space)")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 23)
        self.slider.setPageStep(3)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setTickInterval(1)
        self.slider.setToolTip("Hour of day (drag, or Alt+Left / Alt+Right)")
        self.hour_label = QLabel()
        self.hour_label.setMinimumWidth(110)
        layout.addWidget(QLabel("Day:"))
        layout.addWidget(self.day_combo)
        layout.addSpacing(8)
        layout.addWidget(self.play_button)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.hour_label)

        self._pending = QTimer(self, singleShot=True, interval=THROTTLE_MS)
        self._pending.timeout.connect(self._commit)
        self._play_timer = QTimer(self, interval=PLAY_INTERVAL_MS)
        self._play_timer.timeout.connect(self.step_forward)

        self.slider.valueChanged.connect(self._on_slider_value_changed)
        self.day_combo.currentIndexChanged.connect(lambda *_: self._commit())
        self.play_button.toggled.connect(self.set_playing)
        session.sig_time_changed.connect(self._on_session_time_changed)
        self._on_session_time_changed(session.day_type, session.hour)

    # --- public -------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self._play_timer.isActive()

    @property
    def day_type(self) -> DayType:
        return DayType(self.day_combo.currentData())

    def set_playing(self, playing: bool) -> None:
        if playing:
            self._play_timer.start()
        else:
            self._play_timer.stop()
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))
        if self.play_button.isChecked() != playing:
            self.play_button.blockSignals(True)
            self.play_button.setChecked(playing)
            self.play_button.blockSignals(False)

    def step_forward(self) -> None:
        self.slider.setValue((self.slider.value() + 1) % 24)
        self.flush()  # discrete steps redraw at once; only drags are coalesced

    def step_back(self) -> None:
        self.slider.setValue((self.slider.value() - 1) % 24)
        self.flush()

    def flush(self) -> None:
        """Apply a pending slider move now (tests, and before saving)."""
        if self._pending.isActive():
            self._pending.stop()
            self._commit()

    # --- internals ----------------------------------------------------------------------
    def _on_slider_value_changed(self, hour: int) -> None:
        self.hour_label.setText(self._hour_text(hour))
        self._pending.start()   # restarts: only the last position of a fast drag is drawn

    def _commit(self) -> None:
        self.session.set_time(self.day_type, self.slider.value())

    def _on_session_time_changed(self, day_type: DayType, hour: int) -> None:
        for widget in (self.day_combo, self.slider):
            widget.blockSignals(True)
        self.day_combo.setCurrentIndex(self.day_combo.findData(DayType(day_type).value))
        self.slider.setValue(int(hour))
        for widget in (self.day_combo, self.slider):
            widget.blockSignals(False)
        self.hour_label.setText(self._hour_text(hour))

    @staticmethod
    def _hour_text(hour: int) -> str:
        return f"{hour:02d}:00–{(hour + 1) % 24:02d}:00"
