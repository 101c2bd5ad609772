"""The approaches service's MongoDB collections, as the repositories its use cases work with.

- `approaches`: one document per approach (`_id` = its stable id).
- `approach_slugs`: every slug an approach holds or has held (`_id` = slug), so that a slug is
  never given to two approaches and old slugs keep resolving after a rename.
- `therapist_references`: per therapist, the latest version seen and the approach slugs its
  public profile makes statements about; counting them answers "who still uses this approach?".

`ApproachStore.begin(session)` binds the repositories to a transaction's session (or to none, for
reads) for `servicekit.unit_of_work.MongoUnitOfWork`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from servicekit.unit_of_work import Transaction
from servicekit.versioned import write_if_newer
from services.approaches.application import ApproachRepository, ReferenceRepository, SlugRepository
from services.approaches.domain import Approach, slug_taken


class _Repository:
    """One collection, seen from one transaction (`session`), or outside any (None)."""

    def __init__(self, collection: AsyncCollection, session: AsyncClientSession | None) -> None:
        self.collection = collection
        self.session = session


class MongoApproaches(_Repository):
    async def with_ids(self, ids: Iterable[str]) -> list[Approach]:
        docs = await self.collection.find({"_id": {"$in": list(ids)}}, session=self.session).to_list()
        return [_approach(doc) for doc in docs]

    async def all(self) -> list[Approach]:
        return [_approach(doc) for doc in await self.collection.find({}, session=self.session).to_list()]

    async def add(self, approach: Approach) -> None:
        await self.collection.insert_one(_document(approach), session=self.session)

    async def replace(self, approach: Approach) -> None:
        await self.collection.replace_one(
            {"_id": approach.id, "version": approach.version - 1}, _document(approach), session=self.session
        )

    async def remove(self, approach: Approach) -> None:
        await self.collection.delete_one({"_id": approach.id}, session=self.session)


class MongoSlugs(_Repository):
    async def holders(self, slugs: Iterable[str]) -> dict[str, str]:
        claims = await self.collection.find({"_id": {"$in": list(slugs)}}, session=self.session).to_list()
        return {claim["_id"]: claim["approachId"] for claim in claims}

    async def claim(self, slug: str, approach_id: str) -> None:
        try:
            await self.collection.insert_one({"_id": slug, "approachId": approach_id}, session=self.session)
        except DuplicateKeyError as exc:
            raise slug_taken(slug) from exc

    async def release_all(self, approach_id: str) -> None:
        await self.collection.delete_many({"approachId": approach_id}, session=self.session)


class MongoReferences(_Repository):
    async def count(self, slugs: Iterable[str]) -> int:
        return await self.collection.count_documents({"slugs": {"$in": list(slugs)}}, session=self.session)

    async def record_if_newer(self, therapist_id: str, version: int, slugs: list[str]) -> bool:
        return await write_if_newer(
            self.collection, therapist_id, version, {"slugs": slugs}, session=self.session
        )


class ApproachesTransaction(Transaction):
    """The catalogue's repositories, bound to one transaction (or, with no session, for reads)."""

    def __init__(
        self,
        approaches: ApproachRepository,
        slugs: SlugRepository,
        references: ReferenceRepository,
        session: AsyncClientSession | None = None,
    ) -> None:
        super().__init__(session)
        self.approaches = approaches
        self.slugs = slugs
        self.references = references


class ApproachStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self.approaches = db["approaches"]
        self.slugs = db["approach_slugs"]
        self.references = db["therapist_references"]

    async def create_indexes(self) -> None:
        await self.approaches.create_index("slug", unique=True)
        await self.slugs.create_index("approachId")
        await self.references.create_index("slugs")

    def begin(self, session: AsyncClientSession | None) -> ApproachesTransaction:
        return ApproachesTransaction(
            MongoApproaches(self.approaches, session),
            MongoSlugs(self.slugs, session),
            MongoReferences(self.references, session),
            session,
        )


def _document(approach: Approach) -> dict[str, Any]:
    doc = approach.model_dump()
    doc["_id"] = doc.pop("id")
    return doc


def _approach(doc: dict[str, Any]) -> Approach:
    doc = dict(doc)
    doc["id"] = doc.pop("_id")
    return Approach.model_validate(doc)
