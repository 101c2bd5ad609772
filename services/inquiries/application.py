"""The use cases of the inquiries service: a visitor sends an inquiry, its therapist (or an admin)
reads and marks it answered; the service learns which therapists exist and forgets what it no
longer may keep.

Each use case takes its command, a unit of work, and the ports it needs (a clock, the sending
limits, the ownership check), and raises `servicekit.errors` domain errors; HTTP, MongoDB, the
profiles service and the rate-limit library are adapters around it. An inquiry is stored, with
its `received` event in the outbox, in one transaction before the visitor is answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from servicekit.clock import Clock
from servicekit.consumer import Outcome
from servicekit.envelope import CloudEvent
from servicekit.unit_of_work import UnitOfWork
from services.inquiries.domain import (
    IdempotencyKeyTaken,
    Inquiry,
    InquiryConnection,
    InquiryForm,
    InquiryReceipt,
    KnownTherapist,
    PagePosition,
    RateLimited,
    accepts_inquiries,
    answered,
    answered_event,
    connection,
    decode_cursor,
    decoy_receipt,
    inquiry_not_found,
    is_honeypot_filled,
    new_inquiry,
    receipt,
    received_event,
    require_contact,
    retention_cutoff,
    therapist_not_found,
)


class InquiryRepository(Protocol):
    async def get(self, inquiry_id: str) -> Inquiry | None: ...

    async def with_idempotency_key(self, key: str) -> Inquiry | None: ...

    async def add(self, inquiry: Inquiry) -> None:
        """IdempotencyKeyTaken when another inquiry holds its idempotency key."""
        ...

    async def mark_answered(self, inquiry: Inquiry) -> None:
        """Store the answered state of an inquiry read in this same transaction."""
        ...

    async def page(self, therapist_id: str, after: PagePosition | None, limit: int) -> list[Inquiry]:
        """A therapist's inquiries, newest first, after `after`."""
        ...

    async def count(self, therapist_id: str) -> int: ...

    async def remove_of_therapist(self, therapist_id: str) -> int: ...

    async def remove_received_before(self, moment: datetime) -> int: ...


class TherapistRepository(Protocol):
    """The therapists the service has heard of (from therapist events), tombstones included."""

    async def get(self, therapist_id: str) -> KnownTherapist | None: ...

    async def record_if_newer(self, therapist: KnownTherapist) -> bool:
        """Keep `therapist` unless its version or a newer one is held; True if kept."""
        ...


class InquiriesTransaction(Protocol):
    inquiries: InquiryRepository
    therapists: TherapistRepository

    def emit(self, event: CloudEvent) -> None: ...


# The unit of work every use case runs in: transactions over the repositories above.
Inquiries = UnitOfWork[InquiriesTransaction]


class SendingLimits(Protocol):
    """How often inquiries may be sent: per client, and per therapist written to."""

    async def wait_before_sending(self, client: str, therapist_id: str) -> int | None:
        """None when an inquiry may be sent now (it is counted against both limits); otherwise the
        seconds until it may."""
        ...


class OwnershipChecker(Protocol):
    """Who may read a therapist's inquiries: the profile's owner and admins. The profiles service
    knows who owns a profile; this service never keeps it."""

    async def may_read(self, therapist_id: str, credentials: str) -> bool:
        """Whether the holder of `credentials` (the caller's Authorization) owns the profile or is
        an admin; False as well when there is no such profile. Unauthenticated for credentials that
        are not valid, Unavailable when the answer cannot be had."""
        ...


@dataclass(frozen=True)
class SendInquiry:
    form: InquiryForm
    client: str  # the visitor's address: the key of the per-client limit


@dataclass(frozen=True)
class Sent:
    receipt: InquiryReceipt
    replayed: bool = False  # the idempotency key was used before: nothing new was stored


@dataclass(frozen=True)
class ListInquiries:
    therapist_id: str
    credentials: str
    first: int = 20
    after: str | None = None


@dataclass(frozen=True)
class MarkAnswered:
    inquiry_id: str
    credentials: str


@dataclass(frozen=True)
class TherapistChange:
    """A therapist event: the therapist at `version` exists, or (deleted) no longer does."""

    therapist_id: str
    version: int
    deleted: bool = False


async def _earlier(uow: Inquiries, form: InquiryForm) -> Inquiry | None:
    if form.idempotencyKey is None:
        return None
    return await uow.reads().inquiries.with_idempotency_key(form.idempotencyKey)


async def send_inquiry(command: SendInquiry, uow: Inquiries, clock: Clock, limits: SendingLimits) -> Sent:
    """Store the inquiry and announce it; the same answer, and nothing new, for a key used before."""
    form = command.form
    require_contact(form)
    if is_honeypot_filled(form):
        return Sent(decoy_receipt(form, now=clock.now()))
    earlier = await _earlier(uow, form)
    if earlier is not None:
        return Sent(receipt(earlier), replayed=True)
    if not accepts_inquiries(await uow.reads().therapists.get(form.therapistId)):
        raise therapist_not_found(form.therapistId)
    wait = await limits.wait_before_sending(command.client, form.therapistId)
    if wait is not None:
        raise RateLimited(wait)
    inquiry = new_inquiry(form, now=clock.now())

    async def work(tx: InquiriesTransaction) -> None:
        await tx.inquiries.add(inquiry)
        tx.emit(received_event(inquiry))

    try:
        await uow.run(work)
    except IdempotencyKeyTaken:
        # The same form sent twice at once: the first one stored is the answer to both.
        earlier = await _earlier(uow, form)
        if earlier is None:
            raise
        return Sent(receipt(earlier), replayed=True)
    return Sent(receipt(inquiry))


async def list_inquiries(
    command: ListInquiries, uow: Inquiries, ownership: OwnershipChecker
) -> InquiryConnection:
    """A page of the therapist's inquiries, newest first, for the owner or an admin; anyone else
    is told there is no such therapist."""
    if not await ownership.may_read(command.therapist_id, command.credentials):
        raise therapist_not_found(command.therapist_id)
    after = decode_cursor(command.after) if command.after else None
    reads = uow.reads()
    found = await reads.inquiries.page(command.therapist_id, after, command.first + 1)
    total = await reads.inquiries.count(command.therapist_id)
    return connection(found[: command.first], total=total, has_next=len(found) > command.first)


async def mark_inquiry_answered(
    command: MarkAnswered, uow: Inquiries, clock: Clock, ownership: OwnershipChecker
) -> Inquiry:
    """Mark the inquiry answered (announced once; marking it again changes nothing); anyone but
    its therapist or an admin is told there is no such inquiry."""
    inquiry = await uow.reads().inquiries.get(command.inquiry_id)
    if inquiry is None or not await ownership.may_read(inquiry.therapistId, command.credentials):
        raise inquiry_not_found(command.inquiry_id)

    async def work(tx: InquiriesTransaction) -> Inquiry:
        current = await tx.inquiries.get(command.inquiry_id)
        if current is None:
            raise inquiry_not_found(command.inquiry_id)
        changed = answered(current, now=clock.now())
        if changed is None:
            return current
        await tx.inquiries.mark_answered(changed)
        tx.emit(answered_event(changed))
        return changed

    return await uow.run(work)


async def apply_therapist_event(change: TherapistChange, uow: Inquiries) -> Outcome:
    """Keep which therapists exist; a deleted therapist's inquiries are deleted with them. Stale
    (nothing changed) for a version held already or older; a deletion stays as a tombstone."""

    therapist = KnownTherapist(id=change.therapist_id, version=change.version, deleted=change.deleted)

    async def work(tx: InquiriesTransaction) -> Outcome:
        if not await tx.therapists.record_if_newer(therapist):
            return Outcome.STALE
        if change.deleted:
            await tx.inquiries.remove_of_therapist(change.therapist_id)
        return Outcome.APPLIED

    # A deletion takes the therapist's inquiries with it, all or nothing; any other change is one
    # document, decided in one conditional write (every profile edit comes through here).
    return await (uow.run(work) if change.deleted else uow.single_write(work))


async def purge_expired(uow: Inquiries, clock: Clock, retention_days: int) -> int:
    """Delete the inquiries received longer ago than the retention period; how many there were."""
    cutoff = retention_cutoff(clock.now(), retention_days)

    async def work(tx: InquiriesTransaction) -> int:
        return await tx.inquiries.remove_received_before(cutoff)

    return await uow.run(work)
