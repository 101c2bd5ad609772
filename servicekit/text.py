"""Free text as people write it: kept exactly (case, spacing, accents, typographic punctuation),
but refused when it holds control characters.

C0 and C1 control characters (a NUL, an escape, a form feed, ...) are never part of what a person
means to show, and shown to visitors they break pages and terminals. Line breaks (line feed and
carriage return) and tab are text. A refusal is a validation error on the field (422), so the
caller learns which field to fix; nothing is silently changed.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints, WithJsonSchema

# Everything in C0 (U+0000-U+001F) but tab, line feed and carriage return; DEL; all of C1.
CONTROL_CHARACTERS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")
NO_CONTROLS_PATTERN = f"^[^{CONTROL_CHARACTERS}]*$"


def refuse_control_characters(value: str) -> str:
    found = _CONTROL.search(value)
    if found is not None:
        raise ValueError(
            f"must not contain control characters (found U+{ord(found.group()):04X} at position "
            f"{found.start()}); line breaks and tabs are fine"
        )
    return value


def _visible(value: str) -> str:
    if not value.strip():
        raise ValueError("must contain visible characters")
    return value


def free_text(max_length: int, *, required: bool = False) -> Any:
    """A string kept as written, at most `max_length` characters, without control characters;
    `required` text must hold something visible."""
    checks: list[Any] = [
        StringConstraints(min_length=1 if required else 0, max_length=max_length),
        AfterValidator(refuse_control_characters),
    ]
    if required:
        checks.append(AfterValidator(_visible))
    schema: dict[str, Any] = {"type": "string", "maxLength": max_length, "pattern": NO_CONTROLS_PATTERN}
    if required:
        schema["minLength"] = 1
    checks.append(WithJsonSchema(schema))
    return Annotated[str, *checks]
