"""The approaches service's MongoDB collections.

- `approaches`: one document per approach (`_id` = its stable id).
- `approach_slugs`: every slug an approach holds or has held (`_id` = slug), so that a slug is
  never given to two approaches and old slugs keep resolving after a rename.
- `therapist_references`: per therapist, the latest version seen and the approach slugs its
  public profile makes statements about; counting them answers "who still uses this approach?".
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.approaches.domain import Approach


class SlugTaken(Exception):
    def __init__(self, slug: str) -> None:
        super().__init__(slug)
        self.slug = slug


class ApproachStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self.approaches = db["approaches"]
        self.slugs = db["approach_slugs"]
        self.references = db["therapist_references"]

    async def create_indexes(self) -> None:
        await self.approaches.create_index("slug", unique=True)
        await self.slugs.create_index("approachId")
        await self.references.create_index("slugs")

    # -- reads -------------------------------------------------------------------------------

    async def find_by_slug(
        self, slug: str, session: AsyncClientSession | None = None
    ) -> Approach | None:
        """The approach that this slug names now or named before a rename."""
        found = await self.find_by_slugs([slug], session=session)
        return found[0] if found else None

    async def find_by_slugs(
        self, slugs: list[str], session: AsyncClientSession | None = None
    ) -> list[Approach]:
        claims = await self.slugs.find({"_id": {"$in": slugs}}, session=session).to_list()
        ids = list({claim["approachId"] for claim in claims})
        docs = await self.approaches.find({"_id": {"$in": ids}}, session=session).to_list()
        return [_approach(doc) for doc in docs]

    async def all(self) -> list[Approach]:
        return [_approach(doc) for doc in await self.approaches.find({}).to_list()]

    async def reference_count(self, approach: Approach, session: AsyncClientSession | None = None) -> int:
        """How many therapists' current profiles make a statement about this approach."""
        return await self.references.count_documents(
            {"slugs": {"$in": approach.slugs}}, session=session
        )

    # -- writes (inside the caller's transaction) --------------------------------------------

    async def insert(self, approach: Approach, session: AsyncClientSession) -> None:
        await self._claim_slug(approach, session)
        await self.approaches.insert_one(_document(approach), session=session)

    async def replace(self, approach: Approach, session: AsyncClientSession) -> None:
        """Store the next version of an approach read in this same transaction."""
        await self._claim_slug(approach, session)
        await self.approaches.replace_one(
            {"_id": approach.id, "version": approach.version - 1}, _document(approach), session=session
        )

    async def delete(self, approach: Approach, session: AsyncClientSession) -> None:
        await self.approaches.delete_one({"_id": approach.id}, session=session)
        # Its slugs, old ones included, are free for a new approach.
        await self.slugs.delete_many({"approachId": approach.id}, session=session)

    async def _claim_slug(self, approach: Approach, session: AsyncClientSession) -> None:
        holder = await self.slugs.find_one({"_id": approach.slug}, session=session)
        if holder is not None:
            if holder["approachId"] != approach.id:
                raise SlugTaken(approach.slug)
            return
        try:
            await self.slugs.insert_one({"_id": approach.slug, "approachId": approach.id}, session=session)
        except DuplicateKeyError as exc:
            raise SlugTaken(approach.slug) from exc

    # -- therapist references (from therapist events) ------------------------------------------

    async def record_references(self, therapist_id: str, version: int, slugs: list[str]) -> bool:
        """Keep a therapist's referenced slugs at `version`; False if a newer or equal one is held.

        A deleted therapist is recorded with no slugs (a tombstone with its version), so a late
        update cannot bring its references back.
        """
        try:
            await self.references.update_one(
                {"_id": therapist_id, "version": {"$lt": version}},
                {"$set": {"version": version, "slugs": slugs}},
                upsert=True,
            )
        except DuplicateKeyError:
            # The filter missed because the stored version is not older: a duplicate or stale event.
            return False
        return True


def _document(approach: Approach) -> dict[str, Any]:
    doc = approach.model_dump()
    doc["_id"] = doc.pop("id")
    return doc


def _approach(doc: dict[str, Any]) -> Approach:
    doc = dict(doc)
    doc["id"] = doc.pop("_id")
    return Approach.model_validate(doc)
