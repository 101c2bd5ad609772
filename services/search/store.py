"""The search read model in MongoDB: therapist cards and approaches, built only from events.

`therapists`: one document per therapist, `{_id, version, deleted, listing}` where `listing` is
one JSON text holding the public profile as the last applied event gave it and its practice
locations' coordinates (`{"profile": ..., "points": [[lat, lon], ...]}`). Nothing queries inside
a listing here (the index does), and a replica builds its index from a scan of every document:
as one string a listing costs MongoDB and the driver one value to decode and encode, where a
profile as a document is a few hundred and coordinates as arrays a few more objects each.
A delete leaves a tombstone (`deleted: true` with its version), so a late update never brings a
deleted therapist back.
`therapists` also holds each therapist's measured responsiveness (`responsiveness`, from
`domain.measure`) and the revision of that measurement (`responsivenessRevision`): a measurement is
stored only if no later one was, so two replicas measuring at once leave the later one. Inquiry
events for a therapist not listed yet leave a placeholder (version 0, no listing) that the
therapist's first event fills in.
`approaches`: `{_id (approach id), version, deleted, slug, name, aliases, previousSlugs}`.
`inquiries`: `{_id (inquiry id), version, therapistId, receivedAt, answeredAt}`, times only;
removed a while after they leave the measured window.
`responsiveness_revisions`: `{_id (therapist id), revision}`, the counter measurements take a
revision from.

Every write is conditional on the stored version being older, so duplicates and late, older
events change nothing, whichever replica applies them and in whatever order.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from servicekit.versioned import write_if_newer
from services.search.domain import InquiryTimes
from services.search.domain.responsiveness import OVERDUE_AFTER, WINDOW

THERAPISTS = "therapists"
APPROACHES = "approaches"
INQUIRIES = "inquiries"
REVISIONS = "responsiveness_revisions"
META = "meta"
REBUILD_MARKER = "rebuild"
# How long a consumer goes on using the rebuild marker it last read, instead of reading it once
# per event; a rebuild waits this long after setting or removing it (see `begin_rebuild`).
MARKER_SECONDS = 1.0
DUPLICATE_KEY = 11000
# Inquiries are kept a week past the window: long enough for the sweep to see them leave it.
INQUIRY_KEPT = WINDOW + OVERDUE_AFTER


def listing_text(profile: dict[str, Any], points: list[list[float]]) -> str:
    """A listed therapist's public profile and practice points as the read model stores them."""
    return orjson.dumps({"profile": profile, "points": points}).decode()


def therapist_fields(profile: dict[str, Any], points: list[list[float]]) -> dict[str, Any]:
    """The fields of a listed therapist's read-model document (beside `_id` and `version`)."""
    return {"deleted": False, "listing": listing_text(profile, points)}


def stored_listing(doc: dict[str, Any]) -> tuple[dict[str, Any], list[list[float]]] | None:
    """The public profile and practice points of a read-model document (None for a tombstone)."""
    listing = doc.get("listing")
    if listing is None:
        return None
    parsed = orjson.loads(listing)
    return parsed["profile"], parsed["points"]


class ReadModel:
    def __init__(self, db: AsyncDatabase, *, marker_seconds: float = MARKER_SECONDS) -> None:
        self.db = db
        self.marker_seconds = marker_seconds
        self._targets: list[str] = []
        self._targets_until = float("-inf")  # monotonic time the marker last read stops counting

    @property
    def therapists(self):
        return self.db[THERAPISTS]

    @property
    def approaches(self):
        return self.db[APPROACHES]

    async def create_indexes(self) -> None:
        await self.approaches.create_index([("slug", ASCENDING)])
        await self.approaches.create_index([("previousSlugs", ASCENDING)])
        await self.db[INQUIRIES].create_index([("therapistId", ASCENDING), ("receivedAt", ASCENDING)])
        await self.db[INQUIRIES].create_index(
            [("receivedAt", ASCENDING)], expireAfterSeconds=int(INQUIRY_KEPT.total_seconds())
        )

    async def write_if_newer(
        self, collection: str, doc_id: str, version: int, fields: dict[str, Any]
    ) -> bool:
        """Upsert `fields` unless a document of this version or newer exists; True if applied."""
        return await write_if_newer(
            self.db[collection], doc_id, version, {**fields, "appliedAt": datetime.now(UTC)}
        )

    async def write_many_if_newer(
        self, collection: str, writes: Sequence[tuple[str, int, dict[str, Any]]]
    ) -> int:
        """Each `(doc_id, version, fields)` as `write_if_newer` would, in two unordered bulk
        writes; returns how many were applied.

        Most writes of a bulk load are of documents not stored yet: inserted in one go (an
        insert never overwrites). Only those whose id is taken get the version-conditional upsert.
        """
        if not writes:
            return 0
        applied_at = datetime.now(UTC)
        docs = [
            {"_id": doc_id, "version": version, **fields, "appliedAt": applied_at}
            for doc_id, version, fields in writes
        ]
        try:
            await self.db[collection].insert_many(docs, ordered=False)
            return len(docs)
        except BulkWriteError as exc:
            taken = _duplicates(exc)
            applied = exc.details["nInserted"]
        updates = [
            UpdateOne(
                {"_id": docs[i]["_id"], "version": {"$lt": docs[i]["version"]}},
                {"$set": {k: v for k, v in docs[i].items() if k != "_id"}},
                upsert=True,
            )
            for i in taken
        ]
        try:
            result = await self.db[collection].bulk_write(updates, ordered=False)
        except BulkWriteError as exc:
            _duplicates(exc)  # the stored version is the same or newer
            return applied + exc.details["nModified"] + exc.details["nUpserted"]
        return applied + result.modified_count + result.upserted_count

    async def begin_rebuild(self, collection: str) -> None:
        """Set the marker, and return once every consumer writes into `collection` too.

        Consumers read the marker at most `marker_seconds` late; what they applied before they
        saw it is in the live collection, which the rebuild merges forward afterwards."""
        await self.db[META].replace_one({"_id": REBUILD_MARKER}, {"collection": collection}, upsert=True)
        await asyncio.sleep(self.marker_seconds)

    async def finish_rebuild(self, collection: str) -> None:
        """Swap the rebuilt collection in (readers keep the old one until the rename)."""
        await self.db.client.admin.command(
            {
                "renameCollection": f"{self.db.name}.{collection}",
                "to": f"{self.db.name}.{THERAPISTS}",
                "dropTarget": True,
            }
        )
        await self.abandon_rebuild(collection)

    async def abandon_rebuild(self, collection: str) -> None:
        """Remove the marker, then `collection` once no consumer writes into it any more (those
        that have not seen the marker gone go on writing there for up to `marker_seconds`)."""
        await self.db[META].delete_one({"_id": REBUILD_MARKER})
        await asyncio.sleep(self.marker_seconds)
        await self.db.drop_collection(collection)

    async def rebuild_targets(self) -> list[str]:
        """Collections being rebuilt right now; events go there too, so the rebuild misses none."""
        now = time.monotonic()
        if now >= self._targets_until:
            marker = await self.db[META].find_one({"_id": REBUILD_MARKER})
            self._targets = [marker["collection"]] if marker else []
            self._targets_until = now + self.marker_seconds
        return self._targets

    async def _write_everywhere(self, base: str, write: Callable[[str], Awaitable[bool]]) -> bool:
        """`write` into `base` and into any rebuild of it; whether `base` took it."""
        applied = await write(base)
        for target in await self.rebuild_targets():
            if target.startswith(base + "_"):
                await write(target)
        return applied

    async def _versioned(self, base: str, doc_id: str, version: int, fields: dict[str, Any]) -> bool:
        return await self._write_everywhere(
            base, lambda collection: self.write_if_newer(collection, doc_id, version, fields)
        )

    async def put_therapist(
        self, therapist_id: str, version: int, profile: dict[str, Any], points: list[list[float]]
    ) -> bool:
        return await self._versioned(THERAPISTS, therapist_id, version, therapist_fields(profile, points))

    async def delete_therapist(self, therapist_id: str, version: int) -> bool:
        return await self._versioned(THERAPISTS, therapist_id, version, {"deleted": True, "listing": None})

    async def put_approach(self, approach_id: str, version: int, fields: dict[str, Any]) -> bool:
        return await self._versioned(APPROACHES, approach_id, version, {"deleted": False, **fields})

    async def delete_approach(self, approach_id: str, version: int, slug: str) -> bool:
        return await self._versioned(
            APPROACHES,
            approach_id,
            version,
            {"deleted": True, "slug": slug, "name": "", "aliases": [], "previousSlugs": []},
        )

    async def collection_ids(self) -> dict[str, str | None]:
        """The identity (UUID, hex) of the collections an index is built from; None for one that
        does not exist. A rebuild replaces `therapists` with a new collection, so a new identity."""
        found: dict[str, str | None] = {THERAPISTS: None, APPROACHES: None}
        async for info in await self.db.list_collections(filter={"name": {"$in": list(found)}}):
            identity = info.get("info", {}).get("uuid")
            if isinstance(identity, uuid.UUID):
                found[info["name"]] = identity.hex
            elif identity is not None:
                found[info["name"]] = bytes(identity).hex()
        return found

    async def therapists_by_id(self, ids: list[str]) -> list[dict[str, Any]]:
        return await self.therapists.find({"_id": {"$in": ids}}).to_list()

    async def live_approaches(self) -> list[dict[str, Any]]:
        return await self.approaches.find({"deleted": False}).to_list()

    # ------------------------------------------------------------------ inquiries, responsiveness

    async def put_inquiry(self, inquiry_id: str, version: int, fields: dict[str, Any]) -> bool:
        return await self.write_if_newer(INQUIRIES, inquiry_id, version, fields)

    async def inquiry_times(
        self, therapist_id: str, received_since: datetime, answered_since: datetime
    ) -> list[InquiryTimes]:
        """A therapist's inquiries received since `received_since` or answered since `answered_since`."""
        # Selected here rather than by an `$or` beside the therapist, which may make a planner scan
        # the whole collection: a therapist's rows are few (the TTL index drops old ones).
        found = self.db[INQUIRIES].find(
            {"therapistId": therapist_id}, {"_id": 0, "receivedAt": 1, "answeredAt": 1}
        )
        times = [InquiryTimes(doc["receivedAt"], doc.get("answeredAt")) async for doc in found]
        return [
            inquiry
            for inquiry in times
            if inquiry.received_at >= received_since
            or (inquiry.answered_at is not None and inquiry.answered_at >= answered_since)
        ]

    async def therapists_to_remeasure(self, received_since: datetime, window_start: datetime) -> list[str]:
        """Therapists whose measurement time passing can change: with an inquiry received since
        `received_since` that is still unanswered, or that has left the window (`window_start`)."""
        return await self.db[INQUIRIES].distinct(
            "therapistId",
            {
                "receivedAt": {"$gte": received_since},
                "$or": [{"answeredAt": None}, {"receivedAt": {"$lt": window_start}}],
            },
        )

    async def next_revision(self, therapist_id: str) -> int:
        """A revision for a new measurement of the therapist, higher than any taken before."""
        # Compare-and-set rather than findAndModify: the embedded development server answers a
        # findAndModify by scanning the whole collection, one counter per therapist.
        counters = self.db[REVISIONS]
        while True:
            held = await counters.find_one({"_id": therapist_id})
            if held is None:
                try:
                    await counters.insert_one({"_id": therapist_id, "revision": 1})
                    return 1
                except DuplicateKeyError:  # another replica's first measurement came first
                    continue
            taken = held["revision"] + 1
            result = await counters.update_one(
                {"_id": therapist_id, "revision": held["revision"]}, {"$set": {"revision": taken}}
            )
            if result.modified_count:
                return taken

    async def write_responsiveness(
        self, collection: str, therapist_id: str, revision: int, measured: dict[str, Any]
    ) -> bool:
        """Store a measurement unless one of a later revision is stored; True if stored."""
        # `$not: {$gte}` also matches a therapist never measured; an `$or` of the two cases beside
        # the `_id` may make a planner scan the collection.
        not_later = {"responsivenessRevision": {"$not": {"$gte": revision}}}
        update = {
            "$set": {"responsiveness": measured, "responsivenessRevision": revision},
            "$setOnInsert": {"version": 0},  # a placeholder until the therapist's first event
        }
        try:
            result = await self.db[collection].update_one(
                {"_id": therapist_id, **not_later}, update, upsert=True
            )
        except DuplicateKeyError:  # a later measurement is stored
            return False
        return result.matched_count > 0 or result.upserted_id is not None

    async def put_responsiveness(self, therapist_id: str, revision: int, measured: dict[str, Any]) -> bool:
        return await self._write_everywhere(
            THERAPISTS,
            lambda collection: self.write_responsiveness(collection, therapist_id, revision, measured),
        )

    async def carry_responsiveness(self, target: str) -> int:
        """Every stored measurement into `target`, a collection being rebuilt (later ones win)."""
        carried = 0
        stored = self.therapists.find(
            {"responsivenessRevision": {"$exists": True}}, {"responsiveness": 1, "responsivenessRevision": 1}
        )
        async for doc in stored:
            revision, measured = doc["responsivenessRevision"], doc["responsiveness"]
            carried += await self.write_responsiveness(target, doc["_id"], revision, measured)
        return carried


def _duplicates(exc: BulkWriteError) -> list[int]:
    """The positions of a bulk write's writes refused for a taken id; re-raises any other error."""
    errors = exc.details.get("writeErrors", [])
    if any(error["code"] != DUPLICATE_KEY for error in errors) or exc.details.get("writeConcernErrors"):
        raise exc
    return [error["index"] for error in errors]
