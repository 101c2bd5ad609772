"""Cursors: opaque, they carry the sort they belong to, the sort key and the id of the last item
(and its position, as a hint for text pages whose scores drift)."""

from __future__ import annotations

import base64
from typing import Any

import orjson

from servicekit.errors import BadRequest


def encode_cursor(sort: str, key: Any, therapist_id: str, position: int) -> str:
    raw = orjson.dumps({"s": sort, "k": key, "i": therapist_id, "p": position})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, str, int]:
    """The key, id and position of a cursor made for `sort`; BadRequest for any other."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = orjson.loads(raw)
        key, therapist_id, position = data["k"], data["i"], int(data["p"])
        if data["s"] != sort or not isinstance(therapist_id, str) or position < 0:
            raise ValueError("cursor of another sort")
        if not isinstance(key, int | float) or isinstance(key, bool):
            raise ValueError("bad key")
    except (ValueError, KeyError, TypeError, orjson.JSONDecodeError) as exc:
        raise BadRequest(
            "The 'after' cursor is not valid for this query",
            code="invalid_cursor",
            details=[{"field": "after", "message": "unknown or mismatched cursor"}],
        ) from exc
    return key, therapist_id, position
