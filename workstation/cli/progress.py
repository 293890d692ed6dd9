"""A progress line on stderr for long commands (``report``, ``backtest``, ``plan``,
``hotspot-accuracy``), fed by the engines' own ``progress=`` callbacks.

Only when stderr is a terminal and ``--quiet`` is not given: piped or logged output stays
clean, and stdout (tables, JSON) is never touched.
"""

from __future__ import annotations

import contextlib
import sys
import time
from typing import Iterator, TextIO

from workstation.domain import ProgressFn, no_progress

MIN_INTERVAL_S = 0.1
"""Redraw at most ten times a second: the engines call back far more often."""


def add_quiet_option(parser) -> None:
    parser.add_argument("--quiet", action="store_true",
                        help="no progress line on stderr (it is shown only on a terminal)")


class ProgressLine:
    """``ProgressFn`` that redraws one line (``\\r``) on a terminal; ``done()`` ends it."""

    def __init__(self, label: str, stream: TextIO):
        self.label = label
        self.stream = stream
        self._last = 0.0
        self._width = 0

    def __call__(self, fraction: float, message: str = "") -> None:
        now = time.monotonic()
        if now - self._last < MIN_INTERVAL_S and fraction < 1.0:
            return
        self._last = now
        text = f"{self.label}: {100 * min(max(fraction, 0.0), 1.0):3.0f}%  {message}"[:100]
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)

    def done(self) -> None:
        if self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0


def progress_for(args, label: str, stream: TextIO | None = None) -> ProgressFn:
    """A progress line for this command, or ``no_progress`` (quiet, or not a terminal)."""
    stream = stream if stream is not None else sys.stderr
    if getattr(args, "quiet", False) or not _is_tty(stream):
        return no_progress
    return ProgressLine(label, stream)


@contextlib.contextmanager
def progress_line(args, label: str) -> Iterator[ProgressFn]:
    """``with progress_line(args, "plan") as progress:`` run an engine with ``progress=``;
    the line is wiped at the end, whether the engine finished or failed."""
    progress = progress_for(args, label)
    try:
        yield progress
    finally:
        finish(progress)


def stage(progress: ProgressFn, start: float, end: float) -> ProgressFn:
    """The part ``start..end`` of an overall progress, for a command that runs engines in
    turn (the report: plan, then PDF)."""
    if progress is no_progress:
        return no_progress
    return lambda fraction, message="": progress(start + (end - start) * fraction, message)


def finish(progress: ProgressFn) -> None:
    if isinstance(progress, ProgressLine):
        progress.done()


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
