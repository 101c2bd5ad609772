"""The profiles service's MongoDB collections, as the repositories its use cases work with.

- `therapists`: one document per profile (`_id` = profile id), private fields included; at most
  one per owner account (`ownerSub`, unique).
- `deleted_therapists`: a tombstone (id, version of the deletion, time) per deleted profile.
- `known_approaches`: the approaches learnt from approach events (id, slug, previous slugs,
  version, deleted flag), to check the slugs therapists write statements for.
- `notifications`: one document per inquiry a therapist was told of (`_id` = inquiry id, state
  `sending` or `sent`, `claimedAt`, `sentAt`), so that each notice goes out once.
- `leases`: which replica runs a scheduled job now (`servicekit.lease`; `_id` = the job).
- `licence_verifications`: the audit log of administrators' licence verification decisions (one
  document per decision: `_id`, therapist, licence, decision, what was checked, reason, who and
  when), written in the transaction that stores the decided version; read only by admins.

`ProfileStore.begin(session)` binds the repositories to a transaction's session (or to none, for
reads) for `servicekit.unit_of_work.MongoUnitOfWork`, which writes the emitted events to the
outbox in the same transaction.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from servicekit.unit_of_work import Transaction
from servicekit.versioned import write_if_newer
from services.profiles.domain import (
    Notification,
    NotificationInProgress,
    ProfileExists,
    TherapistProfile,
    VerificationRecord,
    VersionConflict,
    log_cursor,
    parse_log_cursor,
)

TOP_LEVEL_TIMES = ("createdAt", "updatedAt", "availabilityConfirmedAt")
RECENT_LIMIT = 10_000


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


class RecentProfiles:
    """The profiles this process wrote last, to spare the read before the next write. Safe
    because every write names the version it replaces: a stale entry only costs a conflict and
    a re-read."""

    def __init__(self, limit: int = RECENT_LIMIT) -> None:
        self.limit = limit
        self._profiles: OrderedDict[str, TherapistProfile] = OrderedDict()

    def get(self, therapist_id: str) -> TherapistProfile | None:
        return self._profiles.get(therapist_id)

    def remember(self, profile: TherapistProfile) -> None:
        self._profiles[profile.id] = profile
        self._profiles.move_to_end(profile.id)
        if len(self._profiles) > self.limit:
            self._profiles.popitem(last=False)

    def forget(self, therapist_id: str) -> None:
        self._profiles.pop(therapist_id, None)


class MongoProfiles:
    """Therapist profiles, seen from one transaction (or from none, for reads)."""

    def __init__(self, store: ProfileStore, tx: ProfilesTransaction) -> None:
        self.therapists = store.therapists
        self.tombstones = store.tombstones
        self.recent = store.recent
        self.tx = tx
        self.session = tx.session

    async def get(self, therapist_id: str, *, recent_ok: bool = False) -> TherapistProfile | None:
        """The profile from MongoDB, or (`recent_ok`) as this process last wrote it."""
        if recent_ok and (recent := self.recent.get(therapist_id)) is not None:
            return recent
        document = await self.therapists.find_one({"_id": therapist_id}, session=self.session)
        return from_document(document) if document is not None else None

    async def page(self, after: str | None, limit: int) -> list[TherapistProfile]:
        """Profiles in id order, after `after`: a stable walk for rebuilding read models."""
        query = {"_id": {"$gt": after}} if after else {}
        documents = await self.therapists.find(
            query, sort=[("_id", 1)], limit=limit, session=self.session
        ).to_list()
        return [from_document(document) for document in documents]

    async def id_owned_by(self, owner_sub: str) -> str | None:
        document = await self.therapists.find_one({"ownerSub": owner_sub}, {"_id": 1}, session=self.session)
        return document["_id"] if document is not None else None

    async def owned_by(self, owner_sub: str) -> TherapistProfile | None:
        """The account's profile, found by the unique `ownerSub` index (always read, never recent:
        an owner's own view must show what is stored)."""
        document = await self.therapists.find_one({"ownerSub": owner_sub}, session=self.session)
        return from_document(document) if document is not None else None

    async def add(self, profile: TherapistProfile) -> None:
        """Store a new profile; ProfileExists if its owner has one already."""
        try:
            await self.therapists.insert_one(to_document(profile), session=self.session)
        except DuplicateKeyError:
            raise ProfileExists(None) from None
        self.tx.after_commit(lambda: self.recent.remember(profile))

    async def replace(self, profile: TherapistProfile) -> None:
        """Store the next version of a profile; VersionConflict if it moved on."""
        result = await self.therapists.replace_one(
            {"_id": profile.id, "version": profile.version - 1}, to_document(profile), session=self.session
        )
        if result.matched_count != 1:
            self.recent.forget(profile.id)
            raise VersionConflict(profile.id)
        self.tx.after_commit(lambda: self.recent.remember(profile))

    async def remove(self, profile: TherapistProfile, *, version: int, at: datetime) -> None:
        """Remove a profile and leave its tombstone at `version`; VersionConflict if it moved on."""
        self.recent.forget(profile.id)
        result = await self.therapists.delete_one(
            {"_id": profile.id, "version": profile.version}, session=self.session
        )
        if result.deleted_count != 1:
            raise VersionConflict(profile.id)
        await self.tombstones.replace_one(
            {"_id": profile.id}, {"version": version, "deletedAt": at}, upsert=True, session=self.session
        )


class MongoKnownApproaches:
    """The approaches learnt from approach events, seen from one transaction (or from none)."""

    def __init__(self, store: ProfileStore, session: AsyncClientSession | None) -> None:
        self.approaches = store.approaches
        self.session = session

    async def current_slugs(self, slugs: Iterable[str]) -> dict[str, str]:
        """Each given slug the directory knows (current or previous) -> the approach's current slug."""
        wanted = sorted(set(slugs))
        if not wanted:
            return {}
        found = await self.approaches.find(
            {"deleted": False, "$or": [{"slug": {"$in": wanted}}, {"previousSlugs": {"$in": wanted}}]},
            {"slug": 1, "previousSlugs": 1},
            session=self.session,
        ).to_list()
        mapping: dict[str, str] = {}
        for approach in found:
            for old in approach.get("previousSlugs", []):
                mapping.setdefault(old, approach["slug"])
        # A slug in current use wins over the same slug once used by another approach.
        mapping.update({approach["slug"]: approach["slug"] for approach in found})
        return {slug: mapping[slug] for slug in wanted if slug in mapping}

    async def record_if_newer(self, approach_id: str, version: int, fields: dict[str, Any]) -> bool:
        return await write_if_newer(self.approaches, approach_id, version, fields, session=self.session)


def _notification_document(notification: Notification) -> dict[str, Any]:
    return {
        "_id": notification.inquiryId,
        "therapistId": notification.therapistId,
        "state": notification.state.value,
        "claimedAt": notification.claimedAt,
        "sentAt": notification.sentAt,
    }


def _held_as(notification: Notification) -> dict[str, Any]:
    """The filter matching `notification` only while it is what is held."""
    return {
        "_id": notification.inquiryId,
        "state": notification.state.value,
        "claimedAt": notification.claimedAt,
    }


class MongoNotifications:
    """The notices of inquiries, sent or being sent, seen from one transaction (or from none)."""

    def __init__(self, store: ProfileStore, session: AsyncClientSession | None) -> None:
        self.notifications = store.notifications
        self.session = session

    async def get(self, inquiry_id: str) -> Notification | None:
        document = await self.notifications.find_one({"_id": inquiry_id}, session=self.session)
        if document is None:
            return None
        fields = dict(document)
        return Notification.model_validate({**fields, "inquiryId": fields.pop("_id")})

    async def claim(self, claim: Notification, *, replacing: Notification | None) -> None:
        """Write `claim` if `replacing` is still what is held; NotificationInProgress if not."""
        document = _notification_document(claim)
        if replacing is None:
            try:
                await self.notifications.insert_one(document, session=self.session)
            except DuplicateKeyError:
                raise NotificationInProgress(claim.inquiryId) from None
            return
        result = await self.notifications.replace_one(_held_as(replacing), document, session=self.session)
        if result.matched_count != 1:
            raise NotificationInProgress(claim.inquiryId)

    async def release(self, claim: Notification) -> None:
        await self.notifications.delete_one(_held_as(claim), session=self.session)

    async def record(self, notification: Notification) -> None:
        await self.notifications.replace_one(
            {"_id": notification.inquiryId},
            _notification_document(notification),
            upsert=True,
            session=self.session,
        )


class MongoVerificationLog:
    """The audit log of licence verification decisions, seen from one transaction (or from none)."""

    def __init__(self, store: ProfileStore, session: AsyncClientSession | None) -> None:
        self.verifications = store.verifications
        self.session = session

    async def add(self, record: VerificationRecord) -> None:
        document = record.model_dump(mode="json", exclude={"id"})
        document["_id"] = record.id
        document["decidedAt"] = record.decidedAt  # a BSON date, sorted on
        await self.verifications.insert_one(document, session=self.session)

    async def page(
        self, after: str | None, limit: int, *, therapist_id: str | None = None
    ) -> tuple[list[VerificationRecord], str | None]:
        """Newest first, (decidedAt, _id) descending; `after` continues below the record it names."""
        query: dict[str, Any] = {"therapistId": therapist_id} if therapist_id else {}
        if after:
            at, record_id = parse_log_cursor(after)
            query["$or"] = [{"decidedAt": {"$lt": at}}, {"decidedAt": at, "_id": {"$lt": record_id}}]
        documents = await self.verifications.find(
            query, sort=[("decidedAt", -1), ("_id", -1)], limit=limit + 1, session=self.session
        ).to_list()
        records = [
            VerificationRecord.model_validate({**document, "id": document["_id"]}) for document in documents
        ]
        more = len(records) > limit
        records = records[:limit]
        return records, log_cursor(records[-1]) if more else None


class ProfilesTransaction(Transaction):
    """The profiles service's repositories, bound to one transaction (or, with no session, for reads)."""

    def __init__(self, store: ProfileStore, session: AsyncClientSession | None = None) -> None:
        super().__init__(session)
        self.profiles = MongoProfiles(store, self)
        self.approaches = MongoKnownApproaches(store, session)
        self.notifications = MongoNotifications(store, session)
        self.verifications = MongoVerificationLog(store, session)


class ProfileStore:
    """The service's collections, and what outlives one transaction (the recent profiles)."""

    def __init__(self, db: AsyncDatabase) -> None:
        self.therapists = db["therapists"]
        self.tombstones = db["deleted_therapists"]
        self.approaches = db["known_approaches"]
        self.notifications = db["notifications"]
        self.leases = db["leases"]
        self.verifications = db["licence_verifications"]
        self.recent = RecentProfiles()

    async def create_indexes(self) -> None:
        await self.therapists.create_index("ownerSub", unique=True, name="one_profile_per_account")
        await self.approaches.create_index("slug")
        await self.approaches.create_index("previousSlugs")
        await self.verifications.create_index([("decidedAt", -1), ("_id", -1)], name="newest_first")
        await self.verifications.create_index(
            [("therapistId", 1), ("decidedAt", -1), ("_id", -1)], name="newest_first_by_therapist"
        )

    def begin(self, session: AsyncClientSession | None) -> ProfilesTransaction:
        return ProfilesTransaction(self, session)
