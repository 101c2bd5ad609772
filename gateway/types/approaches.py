"""Approaches and the approach page's specialists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from gateway.card_fields import card_keys
from gateway.context import context_of
from gateway.types.common import PageInfo, page_info, page_params
from gateway.types.therapists import TherapistCard


@strawberry.type(description="A specialist on an approach page, with their statement about it.")
class SpecialistEdge:
    cursor: str
    statement: str
    node: TherapistCard


@strawberry.type(description="Therapists who practise an approach (Relay connection).")
class SpecialistConnection:
    totalCount: int
    pageInfo: PageInfo
    edges: list[SpecialistEdge]


@strawberry.type(description="The plain-language sections of an approach page.")
class ApproachSections:
    whatItIs: str | None
    howItWorks: str | None
    helpsWith: str | None
    whatYouLearn: str | None


@strawberry.type(description="A therapy approach (Relational Therapy, CBT, EMDR, ...).")
class Approach:
    id: strawberry.ID
    slug: str
    name: str
    aliases: list[str]
    summary: str
    description: str
    sections: ApproachSections | None
    issues: list[str] = strawberry.field(description="Issue slugs the approach suits best.")
    previousSlugs: list[str]
    createdAt: datetime | None
    updatedAt: datetime | None

    @strawberry.field(description="Related approaches.")
    async def related(self, root: strawberry.Parent[dict[str, Any]], info: strawberry.Info) -> list[Approach]:
        found = await context_of(info).loaders.approach.load_many(root.get("related") or [])
        return [approach for approach in found if approach is not None]

    @strawberry.field(description="Meet the specialists: therapists who practise this approach.")
    async def specialists(
        self,
        root: strawberry.Parent[dict[str, Any]],
        info: strawberry.Info,
        first: int | None = 20,
        after: str | None = None,
    ) -> SpecialistConnection:
        context = context_of(info)
        fields = card_keys(info, ("edges", "node"))
        # The id always: the page is cached under the tags of the therapists it shows.
        fields = None if fields is None else sorted({"id", *fields})
        params = page_params(first, after) + [("field", name) for name in fields or ()]
        page = await context.clients.specialists(root["slug"], params, context.trace, context.visitor_session)
        return {  # type: ignore[return-value]
            "totalCount": page.get("totalCount", 0),
            "pageInfo": page_info(page, after),
            "edges": page.get("edges") or [],
        }


async def approach(info: strawberry.Info, slug: str) -> Approach | None:
    """One approach by slug (an old slug finds the approach it was renamed to)."""
    context = context_of(info)
    return await context.clients.approach(slug, context.trace)


async def approaches(info: strawberry.Info) -> list[Approach]:
    """Every approach, by name."""
    context = context_of(info)
    return await context.clients.all_approaches(context.trace)
