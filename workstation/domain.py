"""Small shared vocabulary of the domain core: day types, progress and cancellation.

Every engine takes ``progress`` and ``cancel`` keyword arguments so the desktop
app can run it off the GUI thread and stop it; headless callers pass nothing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import Enum
from typing import Callable, Protocol

BNG_EPSG = 27700
BNG = "EPSG:27700"
WGS84 = "EPSG:4326"

HOURS_PER_DAY = 24
QUARTER_HOURS_PER_DAY = 96


class DayType(str, Enum):
    """TfL's day types. ``WEEKDAY`` is Monday-Thursday (TfL's "MTT")."""

    WEEKDAY = "weekday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def tfl_code(self) -> str:
        return {"weekday": "MTT", "friday": "FRI", "saturday": "SAT", "sunday": "SUN"}[self.value]

    @classmethod
    def from_tfl_code(cls, code: str) -> "DayType":
        lookup = {"MTT": cls.WEEKDAY, "FRI": cls.FRIDAY, "SAT": cls.SATURDAY, "SUN": cls.SUNDAY}
        return lookup[code.strip().upper()]

    @property
    def days_per_week(self) -> int:
        return 4 if self is DayType.WEEKDAY else 1

    @property
    def label(self) -> str:
        """What a person reads (app, XLSX, PDF): "weekday" is Mon–Thu in TfL's data, and a
        plain "Weekday" reads as Mon–Fri, so the label says the days. Files keep ``value``."""
        return {"weekday": "Mon–Thu", "friday": "Fri",
                "saturday": "Sat", "sunday": "Sun"}[self.value]


class ProgressFn(Protocol):
    def __call__(self, fraction: float, message: str = "") -> None: ...


def no_progress(fraction: float, message: str = "") -> None:
    """Default progress sink for headless callers."""


class Cancelled(Exception):
    """Raised inside an engine when its CancelToken was cancelled."""


@dataclass
class CancelToken:
    """Thread-safe flag a worker polls between chunks of work."""

    _event: threading.Event = field(default_factory=threading.Event, repr=False)

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled by user")


def check_cancel(cancel: CancelToken | None) -> None:
    """Convenience for engines whose ``cancel`` argument may be None."""
    if cancel is not None:
        cancel.raise_if_cancelled()


ProgressCallable = Callable[[float, str], None]
