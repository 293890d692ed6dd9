"""One description per scenario field, and the checks driven by it.

A ``FieldSpec`` sits in the dataclass field's metadata (``scenario_field``), so a field is
declared once, beside its default, and everything that shows or reads it asks the spec:
validation (type, finiteness, range, length), the app's scenario form, the CLI options and
the Assumptions labels in exports. Kept plain (no pydantic/msgspec): the scenario is a
frozen dataclass of a dozen scalars and three small tuples, and the checks must produce
the workstation's own messages (field, value, allowed range), which a library's would not.
"""

from __future__ import annotations

import json
import math
from dataclasses import MISSING, Field, asdict, dataclass, field, fields, is_dataclass, replace
from enum import Enum
from typing import Any

from workstation.errors import ScenarioError

KINDS = ("int", "float", "bool", "text", "path", "choice", "day_types", "shifts",
         "standards", "extra")
"""``kind`` values: how a field is typed, shown and parsed."""

MAX_SHOWN_CHARS = 60
"""A bad value is quoted in the message up to this length (a 100,000-character name is not)."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """How one scenario field is named, typed, bounded and explained.

    ``minimum``/``maximum`` are inclusive unless ``open_min``/``open_max``. ``group`` is
    the scenario form's section ("" keeps the field out of the form); ``cli`` the option
    flag of ``plan``/``report``/``backtest`` (None: not an option). ``display_scale`` and
    ``display_unit`` only change how the form shows a value (a share as per cent).
    """

    label: str
    help: str
    kind: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    open_min: bool = False
    open_max: bool = False
    max_length: int | None = None
    choices: tuple[tuple[str, str], ...] = ()
    group: str = ""
    cli: str | None = None
    display_scale: float = 1.0
    display_unit: str | None = None
    decimals: int = 0
    step: float = 1.0
    name: str = ""          # filled in by ``specs_of`` from the dataclass field
    default: Any = None     # filled in by ``specs_of``

    def __post_init__(self) -> None:
        # A mistake in a declaration fails at import, not when a user meets the field.
        if self.kind not in KINDS:
            raise ValueError(f"{self.label}: kind {self.kind!r} is not one of {KINDS}")
        if self.kind in ("int", "float") and (self.minimum is None or self.maximum is None):
            raise ValueError(f"{self.label}: a number field needs a minimum and a maximum")
        if self.kind in ("text", "path") and self.max_length is None:
            raise ValueError(f"{self.label}: a text field needs a max_length")

    @property
    def grouped(self) -> bool:
        """Whether numbers show thousands separators (not for years: 2019, not 2,019)."""
        return self.unit != "year"

    @property
    def shown_unit(self) -> str:
        """The unit a form shows beside the value ("" for none)."""
        return self.unit if self.display_unit is None else self.display_unit

    @property
    def label_with_unit(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def allowed(self) -> str:
        """The allowed values in words, for error messages and help."""
        if self.kind == "choice":
            return " or ".join(f"'{value}'" for value, _ in self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "path":
            return f"a file path of at most {self.max_length:,} characters (or empty)"
        if self.kind == "text":
            return f"text of at most {self.max_length:,} characters"
        if self.kind not in ("int", "float"):
            return ""
        noun = "a whole number" if self.kind == "int" else "a number"
        unit = f" {self.unit}" if self.unit else ""
        if self.unit in ("share", "year"):
            noun, unit = f"a {self.unit}", ""
        lo, hi = _number(self.minimum, self.grouped), _number(self.maximum, self.grouped)
        if self.open_min and self.open_max:
            return f"{noun} strictly between {lo} and {hi}{unit}"
        if self.open_min:
            return f"{noun} above {lo}{unit} and at most {hi}{unit}"
        return f"{noun} between {lo} and {hi}{unit}"

    # --- checking ------------------------------------------------------------------
    def refuse(self, value: Any, problem: str, expected: str | None = None,
               column: str | None = None) -> ScenarioError:
        return ScenarioError(f"{shown(value)} {problem}", column=column or self.name,
                             expected=expected or self.allowed())

    def check(self, value: Any, *, column: str | None = None) -> None:
        """Raise ScenarioError unless ``value`` has this field's type and range; the error
        names ``column`` (a dotted name inside a nested value) or the field."""
        problem = self._problem(value)
        if problem:
            raise self.refuse(value, problem, column=column)

    def _problem(self, value: Any) -> str:
        if self.kind in ("int", "float"):
            return self._number_problem(value)
        if self.kind == "bool" and not isinstance(value, bool):
            return "is not true or false"
        if self.kind == "choice" and (not isinstance(value, str)
                                      or value not in {v for v, _ in self.choices}):
            return "is not one of the choices"
        if self.kind in ("text", "path") and not (value is None and self.kind == "path"):
            if not isinstance(value, str):
                return "is not text"
            if self.max_length is not None and len(value) > self.max_length:
                return f"is {len(value):,} characters long"
        return ""

    def _number_problem(self, value: Any) -> str:
        if isinstance(value, bool):
            return "is true/false, not a number"
        if isinstance(value, str):
            return "is text, not a number"
        if not isinstance(value, (int, float)):
            return "is not a number"
        if isinstance(value, float) and not math.isfinite(value):
            return "is not a finite number"
        if self.kind == "int" and not isinstance(value, int):
            return "is not a whole number"
        lo, hi = self.minimum, self.maximum
        below = lo is not None and (value <= lo if self.open_min else value < lo)
        above = hi is not None and (value >= hi if self.open_max else value > hi)
        return "is out of range" if below or above else ""

    def from_json(self, value: Any) -> Any:
        """A JSON scalar as this field's Python value: a whole float (890.0) becomes an int
        for an int field; everything else is checked as it is by ``check``."""
        if (self.kind == "int" and isinstance(value, float) and math.isfinite(value)
                and value.is_integer()):
            return int(value)
        return value

    def from_text(self, text: str) -> Any:
        """A value typed on the command line or into a form's text box."""
        text = text.strip()
        if self.kind == "int":
            try:
                return int(text.replace(",", "").replace("_", ""))
            except ValueError:
                raise self.refuse(text, "is not a whole number") from None
        if self.kind == "float":
            try:
                return float(text)
            except ValueError:
                raise self.refuse(text, "is not a number") from None
        if self.kind == "path":
            return text or None
        return text


def _number(value: float | None, grouped: bool = True) -> str:
    if value is None:
        return "any"
    if float(value).is_integer():
        return f"{value:,.0f}" if grouped else f"{value:.0f}"
    return f"{value:g}"


def shown(value: Any) -> str:
    """A bad value as the user wrote it (JSON: ``true``, ``NaN``, ``"890"``), cut short."""
    try:
        text = json.dumps(_as_json(value), ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= MAX_SHOWN_CHARS else f"{text[:MAX_SHOWN_CHARS]}… "\
        f"({len(text):,} characters)"


def _as_json(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_as_json(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        name = getattr(value, "name", None)       # a Shift is written by its name
        return name if isinstance(name, str) else {k: _as_json(v) for k, v in
                                                   asdict(value).items()}
    return value


def scenario_field(default: Any = MISSING, *, default_factory: Any = MISSING,
                   **spec: Any) -> Any:
    """A dataclass field carrying its ``FieldSpec`` (one declaration per field)."""
    return field(default=default, default_factory=default_factory,
                 metadata={"spec": FieldSpec(**spec)})


def specs_of(cls: type) -> dict[str, FieldSpec]:
    """The described fields of a dataclass, in declaration order, names and defaults filled."""
    out: dict[str, FieldSpec] = {}
    for f in fields(cls):
        spec = f.metadata.get("spec")
        if spec is None:
            continue
        out[f.name] = _named(spec, f)
    return out


def _named(spec: FieldSpec, f: Field) -> FieldSpec:
    default = f.default if f.default is not MISSING else (
        f.default_factory() if f.default_factory is not MISSING else None)
    return replace(spec, name=f.name, default=default)
