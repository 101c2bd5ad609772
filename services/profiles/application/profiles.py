"""The profiles use cases: what therapists and admins do with profiles, what anyone reads of
them, whether a caller owns one (other services ask), and what approach events teach.

Each use case takes its command, a unit of work and (where it stamps time) a clock, and raises
`servicekit.errors` domain errors; HTTP and MongoDB are adapters around it (`api`, `store`).
Anyone reads the public view. A therapist creates one profile for their account and changes only
their own; an admin may create one for any account and change any. Every change is one
transaction holding the new version and its event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from integration_events.approaches import ApproachDeleted, ApproachSnapshot
from integration_events.therapists import NewClientStatus, TherapistPublicProfile
from servicekit.auth import Principal
from servicekit.clock import Clock
from servicekit.conditional import etag, holds
from servicekit.consumer import Outcome
from servicekit.envelope import CloudEvent
from servicekit.errors import Forbidden, NotFound, PreconditionFailed
from servicekit.unit_of_work import UnitOfWork
from services.profiles.domain import (
    NewTherapistProfile,
    ProfileContent,
    ProfileExists,
    PublicProfilePage,
    TherapistProfile,
    VerificationRecord,
    VersionConflict,
    canonical_statements,
    check_verification_unchanged,
    created_event,
    deleted_event,
    editable_content,
    kept_verification,
    new_profile,
    patched_content,
    profile_not_found,
    public_view,
    revised,
    unknown_approach,
    updated_event,
    with_availability,
    with_standing,
    with_statement,
    without_statement,
)

# A change that meets a newer version re-reads and tries again, this many times in all.
WRITE_ATTEMPTS = 3


class ProfileRepository(Protocol):
    async def get(self, therapist_id: str, *, recent_ok: bool = False) -> TherapistProfile | None:
        """`recent_ok` accepts the version this process wrote last instead of reading it."""
        ...

    async def page(self, after: str | None, limit: int) -> list[TherapistProfile]: ...

    async def id_owned_by(self, owner_sub: str) -> str | None: ...

    async def owned_by(self, owner_sub: str) -> TherapistProfile | None:
        """The account's profile (an account has at most one)."""
        ...

    async def add(self, profile: TherapistProfile) -> None:
        """ProfileExists if the owner has a profile already."""
        ...

    async def replace(self, profile: TherapistProfile) -> None:
        """VersionConflict unless the stored version is the one before `profile`'s."""
        ...

    async def remove(self, profile: TherapistProfile, *, version: int, at: datetime) -> None:
        """VersionConflict unless `profile` is the stored version; leaves a tombstone at `version`."""
        ...


class ApproachRepository(Protocol):
    async def current_slugs(self, slugs: Iterable[str]) -> dict[str, str]:
        """Each known slug (current or previous) among `slugs` -> the approach's current slug."""
        ...

    async def record_if_newer(self, approach_id: str, version: int, fields: dict[str, Any]) -> bool:
        """Keep `fields` at `version` unless that version or a newer one is held; True if kept."""
        ...


class VerificationLog(Protocol):
    """The audit log of licence verification decisions."""

    async def add(self, record: VerificationRecord) -> None: ...

    async def page(
        self, after: str | None, limit: int, *, therapist_id: str | None = None
    ) -> tuple[list[VerificationRecord], str | None]:
        """Decisions newest first, after the cursor `after`; and the cursor of the next page."""
        ...


class ProfileRecords(Protocol):
    """What a use case holds inside one transaction."""

    profiles: ProfileRepository
    approaches: ApproachRepository
    verifications: VerificationLog

    def emit(self, event: CloudEvent) -> None: ...


# The unit of work every use case runs in: transactions over the repositories above.
Profiles = UnitOfWork[ProfileRecords]


@dataclass(frozen=True)
class ProfileTarget:
    """The profile a request addresses, who asks, and the versions a change may apply to (If-Match)."""

    therapist_id: str
    caller: Principal
    if_match: frozenset[str] | None = None


@dataclass(frozen=True)
class CreateProfile:
    caller: Principal
    profile: NewTherapistProfile


@dataclass(frozen=True)
class ChangeProfile:
    target: ProfileTarget
    patch: BaseModel  # a validated ProfilePatch


@dataclass(frozen=True)
class SetStatement:
    target: ProfileTarget
    slug: str
    statement: str


@dataclass(frozen=True)
class RemoveStatement:
    target: ProfileTarget
    slug: str


@dataclass(frozen=True)
class ConfirmAvailability:
    target: ProfileTarget
    status: NewClientStatus


# --- reads --------------------------------------------------------------------------------


async def read_public_profile(therapist_id: str, uow: Profiles) -> TherapistPublicProfile:
    profile = await uow.reads().profiles.get(therapist_id)
    if profile is None:
        raise profile_not_found(therapist_id)
    return public_view(profile)


async def list_public_profiles(after: str | None, first: int, uow: Profiles) -> PublicProfilePage:
    """Every profile's public view, a page at a time (for read models that rebuild)."""
    profiles = await uow.reads().profiles.page(after, first)
    return PublicProfilePage(
        items=[public_view(profile) for profile in profiles],
        next=profiles[-1].id if len(profiles) == first else None,
    )


async def read_owner_view(target: ProfileTarget, uow: Profiles) -> TherapistProfile:
    return await _owned(uow.reads(), target)


async def read_my_profile(caller: Principal, uow: Profiles) -> TherapistProfile:
    """The caller's own profile, private fields included; NotFound while the account has none."""
    profile = await uow.reads().profiles.owned_by(caller.sub)
    if profile is None:
        raise NotFound("This account has no therapist profile yet; create it with POST /v1/therapists")
    return profile


async def confirm_ownership(target: ProfileTarget, uow: Profiles) -> None:
    """Nothing if the caller owns the profile or is an admin; NotFound or Forbidden otherwise.

    Other services ask this instead of holding who owns which profile themselves.
    """
    await _owned(uow.reads(), target)


# --- writes -------------------------------------------------------------------------------


async def create_profile(command: CreateProfile, uow: Profiles, clock: Clock) -> TherapistProfile:
    caller, submitted = command.caller, command.profile
    owner = submitted.ownerSub or caller.sub
    if owner != caller.sub and not caller.is_admin:
        raise Forbidden("Only an administrator can create a profile for another account")
    check_verification_unchanged(None, submitted)
    reads = uow.reads()
    existing = await reads.profiles.id_owned_by(owner)
    if existing is not None:
        raise ProfileExists(existing)
    content = await _with_known_approaches(reads, submitted, held=())
    profile = new_profile(kept_verification(None, content), owner_sub=owner, at=clock.now())

    async def work(tx: ProfileRecords) -> None:
        await tx.profiles.add(profile)
        tx.emit(created_event(profile))

    try:
        await uow.run(work)
    except ProfileExists:  # created concurrently, a moment ago
        raise ProfileExists(await reads.profiles.id_owned_by(owner)) from None
    return profile


async def change_profile(command: ChangeProfile, uow: Profiles, clock: Clock) -> TherapistProfile:
    """Apply a merge patch; a patch that changes nothing makes no new version and no event."""
    changes = command.patch.model_dump(mode="json", exclude_unset=True)

    async def patched(reads: ProfileRecords, profile: TherapistProfile) -> TherapistProfile | None:
        before = editable_content(profile)
        content = patched_content(before, changes)
        check_verification_unchanged(profile, content)
        content = kept_verification(profile, content)  # when it was verified is the directory's to say
        if "approaches" in changes:
            content = await _with_known_approaches(reads, content, held=[a.slug for a in profile.approaches])
        at = clock.now()
        content = with_standing(content, at)  # a licence's `expired` is the directory's to say
        if content.model_dump(mode="json") == before:
            return None
        return revised(profile, content, at=at)

    return await _change(command.target, uow, patched)


async def set_statement(command: SetStatement, uow: Profiles, clock: Clock) -> TherapistProfile:
    """The therapist's own words about an approach, stored under the approach's current slug."""
    reads = uow.reads()
    current = (await reads.approaches.current_slugs([command.slug])).get(command.slug)
    if current is None:
        raise unknown_approach(command.slug, field="slug", code="unknown_approach")

    async def stated(_: ProfileRecords, profile: TherapistProfile) -> TherapistProfile:
        return revised(profile, with_statement(profile, current, command.statement), at=clock.now())

    return await _change(command.target, uow, stated)


async def remove_statement(command: RemoveStatement, uow: Profiles, clock: Clock) -> TherapistProfile:
    """Remove the statement for an approach, named by its current slug or an earlier one."""

    async def removed(reads: ProfileRecords, profile: TherapistProfile) -> TherapistProfile:
        content = without_statement(profile, command.slug)
        if content is None:
            current = (await reads.approaches.current_slugs([command.slug])).get(command.slug, command.slug)
            content = without_statement(profile, current)
        if content is None:
            raise NotFound(f"This profile has no statement for approach {command.slug!r}")
        return revised(profile, content, at=clock.now())

    return await _change(command.target, uow, removed)


async def confirm_availability(command: ConfirmAvailability, uow: Profiles, clock: Clock) -> TherapistProfile:
    """Set the new-client status and stamp when it was confirmed, even if it did not change."""

    async def confirmed(_: ProfileRecords, profile: TherapistProfile) -> TherapistProfile:
        return with_availability(profile, command.status, at=clock.now())

    return await _change(command.target, uow, confirmed)


async def delete_profile(target: ProfileTarget, uow: Profiles, clock: Clock) -> None:
    """Remove the profile everywhere: its deletion event carries the version after its last."""

    async def delete(_: ProfileRecords, profile: TherapistProfile) -> None:
        event = deleted_event(profile)

        async def work(tx: ProfileRecords) -> None:
            await tx.profiles.remove(profile, version=event.version, at=clock.now())
            tx.emit(event)

        await uow.run(work)

    await _retried(target, uow, delete)


# --- what approach events teach -----------------------------------------------------------


async def learn_approach(approach: ApproachSnapshot, uow: Profiles) -> Outcome:
    fields = {
        "slug": approach.slug,
        "name": approach.name,
        "previousSlugs": approach.previousSlugs,
        "deleted": False,
    }
    return await _record_approach(uow, approach.id, approach.version, fields)


async def forget_approach(approach: ApproachDeleted, uow: Profiles) -> Outcome:
    # A tombstone, so that a late created/updated event cannot bring it back.
    fields = {"slug": approach.slug, "previousSlugs": [], "deleted": True}
    return await _record_approach(uow, approach.id, approach.version, fields)


async def _record_approach(uow: Profiles, approach_id: str, version: int, fields: dict[str, Any]) -> Outcome:
    """Idempotent and order-safe: an event older than (or as old as) what is held changes nothing."""

    async def work(tx: ProfileRecords) -> Outcome:
        kept = await tx.approaches.record_if_newer(approach_id, version, fields)
        return Outcome.APPLIED if kept else Outcome.STALE

    return await uow.single_write(work)


# --- shared steps -------------------------------------------------------------------------

T = TypeVar("T")
Write = Callable[[ProfileRecords, TherapistProfile], Awaitable[T]]
Revision = Callable[[ProfileRecords, TherapistProfile], Awaitable[TherapistProfile | None]]


async def _owned(
    reads: ProfileRecords, target: ProfileTarget, *, recent_ok: bool = False
) -> TherapistProfile:
    """The addressed profile, if the caller may change it and `If-Match` holds.

    `recent_ok` accepts the version this process wrote last: the write that follows names the
    version it replaces, so a stale one fails safely and is retried with a fresh read.
    """
    profile = await reads.profiles.get(target.therapist_id, recent_ok=recent_ok)
    if profile is None:
        raise profile_not_found(target.therapist_id)
    if profile.ownerSub != target.caller.sub and not target.caller.is_admin:
        raise Forbidden("Only the profile's owner or an administrator can do this")
    if not holds(target.if_match, profile.version):
        if recent_ok:
            return await _owned(reads, target)
        raise _stale(profile)
    return profile


async def _retried(target: ProfileTarget, uow: Profiles, write: Write[T], *, recent_ok: bool = False) -> T:
    """`write` the addressed profile; read it again and retry if it moved on meanwhile.

    The read is outside the transaction: the write names the version it replaces, so a profile
    that moved on is a VersionConflict, not a lost change. With If-Match, that is a failed
    precondition instead. `recent_ok` spares the first read (see `_owned`).
    """
    reads = uow.reads()
    for attempt in range(WRITE_ATTEMPTS):
        profile = await _owned(reads, target, recent_ok=recent_ok and attempt == 0)
        try:
            return await write(reads, profile)
        except VersionConflict:
            if target.if_match is not None:
                raise _stale(profile) from None
    raise VersionConflict(target.therapist_id)


async def _change(target: ProfileTarget, uow: Profiles, revise: Revision) -> TherapistProfile:
    """Store the profile `revise` makes, with its event; unchanged (None) stores nothing."""

    async def store(reads: ProfileRecords, profile: TherapistProfile) -> TherapistProfile:
        changed = await revise(reads, profile)
        if changed is None:
            return profile

        async def work(tx: ProfileRecords) -> TherapistProfile:
            await tx.profiles.replace(changed)
            tx.emit(updated_event(changed, profile))
            return changed

        return await uow.run(work)

    return await _retried(target, uow, store, recent_ok=True)


async def _with_known_approaches(
    reads: ProfileRecords, content: ProfileContent, *, held: Iterable[str]
) -> ProfileContent:
    current = await reads.approaches.current_slugs(a.slug for a in content.approaches)
    return canonical_statements(content, current, held)


def _stale(profile: TherapistProfile) -> PreconditionFailed:
    return PreconditionFailed(
        f"If-Match does not name the current version ({profile.version}); read the profile again and retry",
        current_etag=etag(profile.version),
    )
