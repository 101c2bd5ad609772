"""The inquiries service's MongoDB collections, as the repositories its use cases work with.

- `inquiries`: one document per inquiry, `{_id, therapistId, receivedAt, status, answeredAt,
  sealed, idempotencyKey?}`. `sealed` holds everything the visitor wrote as one encrypted block
  (`sealing`); nothing a visitor wrote is stored in the clear. Indexed by `(therapistId,
  receivedAt)` for the therapist's pages and by `receivedAt` for the retention purge.
- `idempotency_keys`: `{_id: key, inquiryId, therapistId, receivedAt}` for each inquiry sent with
  a key, written in the inquiry's transaction. The key as `_id` makes it unique and its look-up
  the cheapest one a server has (a partial unique index on the inquiries is not used by every
  query planner for an equality match, and a scan per send grows with the collection).
- `therapists`: the therapists the service has heard of, `{_id, version, deleted}`.

`InquiryStore.begin(session)` binds the repositories to a transaction's session (or to none, for
reads) for `servicekit.unit_of_work.MongoUnitOfWork`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from servicekit.unit_of_work import Transaction
from servicekit.versioned import write_if_newer
from services.inquiries.application import InquiryRepository, TherapistRepository
from services.inquiries.domain import (
    IdempotencyKeyTaken,
    Inquiry,
    InquiryStatus,
    KnownTherapist,
    PagePosition,
)
from services.inquiries.sealing import VisitorSeal

NEWEST_FIRST = [("receivedAt", DESCENDING), ("_id", DESCENDING)]


def inquiry_document(inquiry: Inquiry, seal: VisitorSeal) -> dict[str, Any]:
    """The stored form of an inquiry: ids, times and status in the clear, the visitor's part sealed."""
    doc: dict[str, Any] = {
        "_id": inquiry.id,
        "therapistId": inquiry.therapistId,
        "receivedAt": inquiry.receivedAt,
        "status": inquiry.status.value,
        "answeredAt": inquiry.answeredAt,
        "sealed": seal.seal(inquiry.id, inquiry.visitor),
    }
    if inquiry.idempotencyKey is not None:
        doc["idempotencyKey"] = inquiry.idempotencyKey
    return doc


def idempotency_key_document(inquiry: Inquiry) -> dict[str, Any]:
    """The record that `inquiry.idempotencyKey` (not None) has been used, and by which inquiry."""
    return {
        "_id": inquiry.idempotencyKey,
        "inquiryId": inquiry.id,
        "therapistId": inquiry.therapistId,
        "receivedAt": inquiry.receivedAt,
    }


def stored_inquiry(doc: dict[str, Any], seal: VisitorSeal) -> Inquiry:
    return Inquiry(
        id=doc["_id"],
        therapistId=doc["therapistId"],
        receivedAt=doc["receivedAt"],
        status=doc["status"],
        answeredAt=doc.get("answeredAt"),
        visitor=seal.unseal(doc["_id"], doc["sealed"]),
        idempotencyKey=doc.get("idempotencyKey"),
    )


class MongoInquiries:
    def __init__(
        self,
        collection: AsyncCollection,
        keys: AsyncCollection,
        session: AsyncClientSession | None,
        seal: VisitorSeal,
    ) -> None:
        self.collection = collection
        self.keys = keys
        self.session = session
        self.seal = seal

    async def _one(self, query: dict[str, Any]) -> Inquiry | None:
        doc = await self.collection.find_one(query, session=self.session)
        return None if doc is None else stored_inquiry(doc, self.seal)

    async def get(self, inquiry_id: str) -> Inquiry | None:
        return await self._one({"_id": inquiry_id})

    async def with_idempotency_key(self, key: str) -> Inquiry | None:
        used = await self.keys.find_one({"_id": key}, session=self.session)
        return None if used is None else await self.get(used["inquiryId"])

    async def add(self, inquiry: Inquiry) -> None:
        if inquiry.idempotencyKey is not None:
            try:
                await self.keys.insert_one(idempotency_key_document(inquiry), session=self.session)
            except DuplicateKeyError as exc:
                raise IdempotencyKeyTaken(inquiry.idempotencyKey) from exc
        await self.collection.insert_one(inquiry_document(inquiry, self.seal), session=self.session)

    async def mark_answered(self, inquiry: Inquiry) -> None:
        await self.collection.update_one(
            {"_id": inquiry.id, "status": InquiryStatus.NEW.value},
            {"$set": {"status": inquiry.status.value, "answeredAt": inquiry.answeredAt}},
            session=self.session,
        )

    async def page(self, therapist_id: str, after: PagePosition | None, limit: int) -> list[Inquiry]:
        # After a position: first the inquiries received at the same moment with a smaller id,
        # then the older ones. Two queries that each fit the (therapistId, receivedAt) index,
        # where one `$or` of both may make a planner scan the collection.
        if after is None:
            queries = [{"therapistId": therapist_id}]
        else:
            queries = [
                {
                    "therapistId": therapist_id,
                    "receivedAt": after.received_at,
                    "_id": {"$lt": after.inquiry_id},
                },
                {"therapistId": therapist_id, "receivedAt": {"$lt": after.received_at}},
            ]
        docs: list[dict[str, Any]] = []
        for query in queries:
            if len(docs) < limit:
                found = self.collection.find(
                    query, sort=NEWEST_FIRST, limit=limit - len(docs), session=self.session
                )
                docs += await found.to_list()
        return [stored_inquiry(doc, self.seal) for doc in docs]

    async def count(self, therapist_id: str) -> int:
        return await self.collection.count_documents({"therapistId": therapist_id}, session=self.session)

    async def remove_of_therapist(self, therapist_id: str) -> int:
        await self.keys.delete_many({"therapistId": therapist_id}, session=self.session)
        result = await self.collection.delete_many({"therapistId": therapist_id}, session=self.session)
        return result.deleted_count

    async def remove_received_before(self, moment: datetime) -> int:
        await self.keys.delete_many({"receivedAt": {"$lt": moment}}, session=self.session)
        result = await self.collection.delete_many({"receivedAt": {"$lt": moment}}, session=self.session)
        return result.deleted_count


class MongoTherapists:
    def __init__(self, collection: AsyncCollection, session: AsyncClientSession | None) -> None:
        self.collection = collection
        self.session = session

    async def get(self, therapist_id: str) -> KnownTherapist | None:
        doc = await self.collection.find_one({"_id": therapist_id}, session=self.session)
        return (
            None
            if doc is None
            else KnownTherapist(id=doc["_id"], version=doc["version"], deleted=doc["deleted"])
        )

    async def record_if_newer(self, therapist: KnownTherapist) -> bool:
        return await write_if_newer(
            self.collection,
            therapist.id,
            therapist.version,
            {"deleted": therapist.deleted},
            session=self.session,
        )


class InquiriesTransaction(Transaction):
    """The service's repositories, bound to one transaction (or, with no session, for reads)."""

    def __init__(
        self,
        inquiries: InquiryRepository,
        therapists: TherapistRepository,
        session: AsyncClientSession | None = None,
    ) -> None:
        super().__init__(session)
        self.inquiries = inquiries
        self.therapists = therapists


class InquiryStore:
    def __init__(self, db: AsyncDatabase, seal: VisitorSeal) -> None:
        self.inquiries = db["inquiries"]
        self.idempotency_keys = db["idempotency_keys"]
        self.therapists = db["therapists"]
        self.seal = seal

    async def create_indexes(self) -> None:
        await self.inquiries.create_index([("therapistId", ASCENDING), ("receivedAt", DESCENDING)])
        await self.inquiries.create_index("receivedAt")
        await self.idempotency_keys.create_index("therapistId")
        await self.idempotency_keys.create_index("receivedAt")

    def begin(self, session: AsyncClientSession | None) -> InquiriesTransaction:
        return InquiriesTransaction(
            MongoInquiries(self.inquiries, self.idempotency_keys, session, self.seal),
            MongoTherapists(self.therapists, session),
            session,
        )
