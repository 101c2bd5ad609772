"""Conditional requests (RFC 9110): entity tags, `If-Match` and `If-None-Match`.

Headers are parsed by aiohttp; a bare version number (`If-Match: 3`) is accepted too, since the
public contract documents it. A header that is present but empty or unparseable is the caller's
mistake and answers 400 naming the header, never a silent 412 or a match.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from servicekit.errors import BadRequest

if TYPE_CHECKING:  # use cases call etag/holds; only the HTTP layer hands in requests
    from aiohttp import web

IF_MATCH = "If-Match"
IF_NONE_MATCH = "If-None-Match"


def etag(version: int | str) -> str:
    """The strong entity tag of a representation at `version`."""
    return f'"{version}"'


def _tags(request: web.Request, header: str) -> frozenset[str] | None:
    """The entity-tag values a header names (`*` stands for any); None when it is absent."""
    raw = request.headers.get(header)
    if raw is None:
        return None
    parsed = request.if_match if header == IF_MATCH else request.if_none_match
    if parsed:
        return frozenset(tag.value for tag in parsed)
    bare = [part.strip() for part in raw.split(",") if part.strip()]
    if bare and all(part.isdigit() for part in bare):
        return frozenset(bare)
    what = "empty" if not raw.strip() else "not a list of entity tags"
    raise BadRequest(
        f'The {header} header is {what}: send a version as "3" (or 3), or *',
        details=[{"field": header, "message": f"is {what}", "type": "header"}],
    )


def if_match(request: web.Request) -> frozenset[str] | None:
    """The tags of the request's `If-Match`, None when it sent none."""
    return _tags(request, IF_MATCH)


def if_none_match(request: web.Request) -> frozenset[str] | None:
    return _tags(request, IF_NONE_MATCH)


def holds(tags: frozenset[str] | None, current: int | str) -> bool:
    """A precondition on `current` holds: none given, `*`, or a tag naming it."""
    return tags is None or "*" in tags or str(current) in tags


def not_modified(request: web.Request, current_etag: str) -> bool:
    """The client's `If-None-Match` already names `current_etag` (answer 304)."""
    tags = if_none_match(request)
    return tags is not None and ("*" in tags or current_etag.strip('"') in tags)
