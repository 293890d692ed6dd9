"""Parse a JSON document that a user handed us (a project or scenario file), turning every
way it can fail into an ``InputError`` that names the file: bad syntax (with the line) and
nesting so deep that the parser gives up (a 200,000-deep ``[[[[...`` is a RecursionError,
which would otherwise escape as a traceback)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from workstation.errors import InputError


def loads_json(text: str, *, path: str | Path | None = None, what: str = "file",
               hint: str | None = None) -> Any:
    """``json.loads`` with specific errors. NaN and Infinity are parsed (as Python does)
    so that the field checks can name the field that holds them."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{what} is not valid JSON ({exc.msg})", path=path, row=exc.lineno,
                         hint=hint) from exc
    except RecursionError:
        raise InputError(f"{what} is nested too deeply to read", path=path,
                         expected="a JSON object a few levels deep", hint=hint) from None
