"""The profiles service's MongoDB collections.

- `therapists`: one document per profile (`_id` = profile id), private fields included; at most
  one per owner account (`ownerSub`, unique).
- `deleted_therapists`: a tombstone (id, last version) per deleted profile.
- `known_approaches`: the approaches learnt from approach events (id, slug, previous slugs,
  version, deleted flag), to check the slugs therapists write statements for.
- `outbox`: events written in the same transaction as the change they announce.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.asynchronous.mongo_client import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from integration_events.approaches import ApproachDeleted, ApproachSnapshot
from servicekit.envelope import CloudEvent
from servicekit.outbox import Outbox
from servicekit.unit_of_work import run_in_transaction
from services.profiles.domain import TherapistProfile, now

TOP_LEVEL_TIMES = ("createdAt", "updatedAt", "availabilityConfirmedAt")
RECENT_LIMIT = 10_000


class VersionConflict(Exception):
    """The profile changed (or vanished) since it was read; nothing was written."""


def to_document(profile: TherapistProfile) -> dict[str, Any]:
    document = profile.model_dump(mode="json", exclude={"id"})
    # Timestamps stay BSON dates (queryable, sortable); nested dates are ISO strings.
    for name in TOP_LEVEL_TIMES:
        document[name] = getattr(profile, name)
    document["_id"] = profile.id
    return document


def from_document(document: dict[str, Any]) -> TherapistProfile:
    fields = dict(document)
    fields["id"] = fields.pop("_id")
    return TherapistProfile.model_validate(fields)


class ProfileStore:
    def __init__(self, client: AsyncMongoClient, db: AsyncDatabase, outbox: Outbox) -> None:
        self.client = client
        self.therapists = db["therapists"]
        self.tombstones = db["deleted_therapists"]
        self.approaches = db["known_approaches"]
        self.outbox = outbox
        # Profiles this process wrote last, to spare a read before the next write. Safe because
        # every write names the version it replaces: a stale entry only costs a conflict and a re-read.
        self._recent: OrderedDict[str, TherapistProfile] = OrderedDict()

    async def create_indexes(self) -> None:
        await self.therapists.create_index("ownerSub", unique=True, name="one_profile_per_account")
        await self.approaches.create_index("slug")
        await self.approaches.create_index("previousSlugs")

    # --- profiles -------------------------------------------------------------------------

    async def find(self, therapist_id: str, *, recent_ok: bool = False) -> TherapistProfile | None:
        """The profile from MongoDB, or (`recent_ok`) as this process last wrote it."""
        if recent_ok and (recent := self._recent.get(therapist_id)) is not None:
            return recent
        document = await self.therapists.find_one({"_id": therapist_id})
        return from_document(document) if document is not None else None

    def _remember(self, profile: TherapistProfile) -> None:
        self._recent[profile.id] = profile
        self._recent.move_to_end(profile.id)
        if len(self._recent) > RECENT_LIMIT:
            self._recent.popitem(last=False)

    def _forget(self, therapist_id: str) -> None:
        self._recent.pop(therapist_id, None)

    async def page(self, after: str | None, limit: int) -> list[TherapistProfile]:
        """Profiles in id order, after `after`: a stable walk for rebuilding read models."""
        query = {"_id": {"$gt": after}} if after else {}
        documents = await self.therapists.find(query, sort=[("_id", 1)], limit=limit).to_list()
        return [from_document(document) for document in documents]

    async def id_owned_by(self, owner_sub: str) -> str | None:
        document = await self.therapists.find_one({"ownerSub": owner_sub}, {"_id": 1})
        return document["_id"] if document is not None else None

    async def insert(self, profile: TherapistProfile, event: CloudEvent) -> None:
        """Store a new profile and its event; DuplicateKeyError if its owner has one already."""

        async def work(session: AsyncClientSession) -> None:
            await self.therapists.insert_one(to_document(profile), session=session)
            return await self.outbox.add(event, session)

        self.outbox.hand_over([await run_in_transaction(self.client, work)])
        self._remember(profile)

    async def replace(self, profile: TherapistProfile, event: CloudEvent) -> None:
        """Store the next version of a profile and its event; VersionConflict if it moved on."""

        async def work(session: AsyncClientSession) -> None:
            result = await self.therapists.replace_one(
                {"_id": profile.id, "version": profile.version - 1}, to_document(profile), session=session
            )
            if result.matched_count != 1:
                raise VersionConflict(profile.id)
            return await self.outbox.add(event, session)

        await self._committed(profile.id, work)
        self._remember(profile)

    async def delete(self, profile: TherapistProfile, event: CloudEvent) -> None:
        """Remove a profile, leave its tombstone and store its event; VersionConflict if it moved on."""

        async def work(session: AsyncClientSession) -> None:
            result = await self.therapists.delete_one(
                {"_id": profile.id, "version": profile.version}, session=session
            )
            if result.deleted_count != 1:
                raise VersionConflict(profile.id)
            await self.tombstones.replace_one(
                {"_id": profile.id}, {"version": event.version, "deletedAt": now()},
                upsert=True, session=session,
            )
            return await self.outbox.add(event, session)

        await self._committed(profile.id, work)
        self._forget(profile.id)

    async def _committed(self, therapist_id: str, work: Any) -> None:
        try:
            row = await run_in_transaction(self.client, work)
        except VersionConflict:
            self._forget(therapist_id)
            raise
        self.outbox.hand_over([row])

    # --- approaches learnt from events -------------------------------------------------

    async def current_slugs(self, slugs: Iterable[str]) -> dict[str, str]:
        """Each given slug the directory knows (current or previous) -> the approach's current slug."""
        wanted = sorted(set(slugs))
        if not wanted:
            return {}
        found = await self.approaches.find(
            {"deleted": False, "$or": [{"slug": {"$in": wanted}}, {"previousSlugs": {"$in": wanted}}]},
            {"slug": 1, "previousSlugs": 1},
        ).to_list()
        mapping: dict[str, str] = {}
        for approach in found:
            for old in approach.get("previousSlugs", []):
                mapping.setdefault(old, approach["slug"])
        # A slug in current use wins over the same slug once used by another approach.
        mapping.update({approach["slug"]: approach["slug"] for approach in found})
        return {slug: mapping[slug] for slug in wanted if slug in mapping}

    async def learn_approach(self, approach: ApproachSnapshot) -> str:
        return await self._record_approach(approach.id, approach.version, {
            "slug": approach.slug, "name": approach.name, "previousSlugs": approach.previousSlugs,
            "deleted": False,
        })

    async def forget_approach(self, approach: ApproachDeleted) -> str:
        # A tombstone, so that a late created/updated event cannot bring it back.
        return await self._record_approach(approach.id, approach.version, {
            "slug": approach.slug, "previousSlugs": [], "deleted": True,
        })

    async def _record_approach(self, approach_id: str, version: int, fields: dict[str, Any]) -> str:
        try:
            result = await self.approaches.update_one(
                {"_id": approach_id, "version": {"$lt": version}},
                {"$set": {**fields, "version": version}},
                upsert=True,
            )
        except DuplicateKeyError:  # we hold this version or a newer one already
            return "stale"
        return "applied" if result.upserted_id is not None or result.modified_count else "stale"
