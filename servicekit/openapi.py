"""What every service's OpenAPI module shares: the checked-in document's text, and the command
that prints it or rewrites the checked-in file (`python -m services.<svc>.openapi [--write]`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def document_text(document: dict[str, Any]) -> str:
    """The document as checked in: ASCII only, so control characters in patterns stay escaped."""
    return json.dumps(document, indent=2) + "\n"


def document_command(build: Callable[[], dict[str, Any]], path: Path, argv: list[str] | None = None) -> int:
    """Print the document built by `build`, or with `--write` rewrite `path` with it."""
    text = document_text(build())
    if "--write" in (argv if argv is not None else sys.argv[1:]):
        path.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
