"""Types and helpers shared across the schema: page info, locations, dates, pagination."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NewType

import strawberry

from gateway.errors import BadUserInput

MAX_PAGE_SIZE = 100


def read_field(source: Any, name: str) -> Any:
    """The schema's default resolver: JSON objects by key, Python objects by attribute."""
    if type(source) is dict:
        return source.get(name)
    return getattr(source, name)


def _iso(value: Any) -> str:
    return value if isinstance(value, str) else value.isoformat()


# The services send ISO 8601 text; it is passed through as it came.
DateTime = strawberry.scalar(
    NewType("DateTime", datetime),
    name="DateTime",
    description="An ISO 8601 date and time (UTC).",
    serialize=_iso,
    parse_value=datetime.fromisoformat,
)
Date = strawberry.scalar(
    NewType("Date", date),
    name="Date",
    description="An ISO 8601 calendar date.",
    serialize=_iso,
    parse_value=date.fromisoformat,
)
SCALAR_OVERRIDES = {datetime: DateTime, date: Date}


@strawberry.type(description="Relay page information for forward pagination.")
class PageInfo:
    hasNextPage: bool
    hasPreviousPage: bool
    startCursor: str | None
    endCursor: str | None


def page_info(page: dict[str, Any], after: str | None) -> dict[str, Any]:
    """Relay's PageInfo from a service page ({hasNextPage, endCursor} plus its edges)."""
    edges = page.get("edges") or []
    info = page.get("pageInfo") or {}
    return {
        "hasNextPage": bool(info.get("hasNextPage")),
        "hasPreviousPage": after is not None,
        "startCursor": edges[0].get("cursor") if edges else None,
        "endCursor": info.get("endCursor"),
    }


DEFAULT_PAGE_SIZE = 20


def page_params(first: int | None, after: str | None) -> list[tuple[str, str]]:
    first = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(f"first must be between 1 and {MAX_PAGE_SIZE}", argument="first")
    params = [("first", str(first))]
    if after is not None:
        params.append(("after", after))
    return params


@strawberry.type(description="Where a therapist practises. `city` may be empty.")
class Location:
    state: str

    @strawberry.field
    def city(self, root: strawberry.Parent[dict[str, Any]]) -> str:
        return root.get("city") or ""
