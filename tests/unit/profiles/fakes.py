"""In-memory repositories for the profiles use cases: the same contract as `services.profiles.store`
(versions checked on every write, one profile per account), held in plain dictionaries, and a
mailer that keeps what it is given."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from servicekit.clock import FixedClock
from servicekit.unit_of_work import InMemoryUnitOfWork, Transaction
from services.profiles.application import MailerUnavailable
from services.profiles.domain import (
    InquiryNotice,
    Notification,
    NotificationInProgress,
    ProfileExists,
    TherapistProfile,
    VerificationRecord,
    VersionConflict,
    log_cursor,
    parse_log_cursor,
)


class Directory:
    """What the service holds: profiles by id, tombstones, the approaches it has learnt, the
    notices of inquiries by inquiry id."""

    def __init__(self) -> None:
        self.profiles: dict[str, TherapistProfile] = {}
        self.tombstones: dict[str, dict[str, Any]] = {}
        self.approaches: dict[str, dict[str, Any]] = {}
        self.notifications: dict[str, Notification] = {}
        self.verifications: list[VerificationRecord] = []
        # What `get(recent_ok=True)` may answer instead of the held version, like the store's cache.
        self.recent: dict[str, TherapistProfile] = {}


class InMemoryProfiles:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    async def get(self, therapist_id: str, *, recent_ok: bool = False) -> TherapistProfile | None:
        if recent_ok and therapist_id in self.directory.recent:
            return self.directory.recent[therapist_id]
        return self.directory.profiles.get(therapist_id)

    async def page(self, after: str | None, limit: int) -> list[TherapistProfile]:
        ids = sorted(i for i in self.directory.profiles if after is None or i > after)[:limit]
        return [self.directory.profiles[i] for i in ids]

    async def id_owned_by(self, owner_sub: str) -> str | None:
        return next((p.id for p in self.directory.profiles.values() if p.ownerSub == owner_sub), None)

    async def owned_by(self, owner_sub: str) -> TherapistProfile | None:
        return next((p for p in self.directory.profiles.values() if p.ownerSub == owner_sub), None)

    async def add(self, profile: TherapistProfile) -> None:
        if await self.id_owned_by(profile.ownerSub) is not None:
            raise ProfileExists(None)
        self.directory.profiles[profile.id] = profile

    async def replace(self, profile: TherapistProfile) -> None:
        held = self.directory.profiles.get(profile.id)
        if held is None or held.version != profile.version - 1:
            raise VersionConflict(profile.id)
        self.directory.profiles[profile.id] = profile

    async def remove(self, profile: TherapistProfile, *, version: int, at: datetime) -> None:
        held = self.directory.profiles.get(profile.id)
        if held is None or held.version != profile.version:
            raise VersionConflict(profile.id)
        del self.directory.profiles[profile.id]
        self.directory.tombstones[profile.id] = {"version": version, "deletedAt": at}


class InMemoryApproaches:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    async def current_slugs(self, slugs: Iterable[str]) -> dict[str, str]:
        known = [a for a in self.directory.approaches.values() if not a["deleted"]]
        mapping = {old: a["slug"] for a in known for old in a["previousSlugs"]}
        mapping |= {a["slug"]: a["slug"] for a in known}
        return {slug: mapping[slug] for slug in set(slugs) if slug in mapping}

    async def record_if_newer(self, approach_id: str, version: int, fields: dict[str, Any]) -> bool:
        held = self.directory.approaches.get(approach_id)
        if held is not None and held["version"] >= version:
            return False
        self.directory.approaches[approach_id] = {
            **self.directory.approaches.get(approach_id, {}),
            **fields,
            "version": version,
        }
        return True


class InMemoryNotifications:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    async def get(self, inquiry_id: str) -> Notification | None:
        return self.directory.notifications.get(inquiry_id)

    async def claim(self, claim: Notification, *, replacing: Notification | None) -> None:
        if self.directory.notifications.get(claim.inquiryId) != replacing:
            raise NotificationInProgress(claim.inquiryId)
        self.directory.notifications[claim.inquiryId] = claim

    async def release(self, claim: Notification) -> None:
        if self.directory.notifications.get(claim.inquiryId) == claim:
            del self.directory.notifications[claim.inquiryId]

    async def record(self, notification: Notification) -> None:
        self.directory.notifications[notification.inquiryId] = notification


class InMemoryVerifications:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    async def add(self, record: VerificationRecord) -> None:
        self.directory.verifications.append(record)

    async def page(
        self, after: str | None, limit: int, *, therapist_id: str | None = None
    ) -> tuple[list[VerificationRecord], str | None]:
        found = sorted(
            (r for r in self.directory.verifications if therapist_id in (None, r.therapistId)),
            key=lambda r: (r.decidedAt, r.id),
            reverse=True,
        )
        if after:
            bound = parse_log_cursor(after)
            found = [r for r in found if (r.decidedAt, r.id) < bound]
        more = len(found) > limit
        found = found[:limit]
        return found, log_cursor(found[-1]) if more else None


class InMemoryTransaction(Transaction):
    def __init__(self, directory: Directory) -> None:
        super().__init__()
        self.profiles = InMemoryProfiles(directory)
        self.approaches = InMemoryApproaches(directory)
        self.notifications = InMemoryNotifications(directory)
        self.verifications = InMemoryVerifications(directory)


class RecordingMailer:
    """A mailer that keeps what it is given; its first `failures` sends fail as they would while
    the mail server is down."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.attempts = 0
        self.sent: list[InquiryNotice] = []

    async def send(self, notice: InquiryNotice) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise MailerUnavailable("the test's mail server is down")
        self.sent.append(notice)


def unit_of_work() -> InMemoryUnitOfWork[InMemoryTransaction]:
    return InMemoryUnitOfWork(Directory(), InMemoryTransaction)


def clock() -> FixedClock:
    return FixedClock()
