"""Errors that reach users. Every message says where (file, row, column), what was
expected and what to do, because analysts fix their own extracts."""

from __future__ import annotations

from pathlib import Path


class WorkstationError(Exception):
    """Base for errors shown to users as-is (one line in the CLI, a dialog in the app)."""


class InputError(WorkstationError):
    """Bad input file or value. Raised before anything already loaded is changed."""

    def __init__(self, message: str, *, path: str | Path | None = None, row: int | None = None,
                 column: str | None = None, expected: str | None = None, hint: str | None = None):
        self.message = message
        self.path = str(path) if path is not None else None
        self.row = row
        self.column = column
        self.expected = expected
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.path:
            where.append(self.path)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = (": ".join([", ".join(where), self.message]) if where else self.message)
        if self.expected:
            text += f" (expected {self.expected})"
        if self.hint:
            text += f". {self.hint}"
        return text


class ScenarioError(InputError):
    """A scenario or project value is out of range (e.g. negative officers)."""


class OutputError(WorkstationError):
    """An output could not be written; nothing half-written was left behind."""
