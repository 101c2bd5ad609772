"""The inquiries service in memory: repositories with the behaviour of `services.inquiries.store`,
for use-case tests run by `servicekit.unit_of_work.InMemoryUnitOfWork`, and fakes of its ports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from servicekit.errors import Unauthenticated
from servicekit.unit_of_work import InMemoryUnitOfWork
from services.inquiries.domain import IdempotencyKeyTaken, Inquiry, KnownTherapist, PagePosition, is_news
from services.inquiries.store import InquiriesTransaction


@dataclass
class InquiriesState:
    inquiries: dict[str, Inquiry] = field(default_factory=dict)  # by id
    therapists: dict[str, KnownTherapist] = field(default_factory=dict)


class InMemoryInquiries:
    def __init__(self, state: InquiriesState) -> None:
        self.state = state

    async def get(self, inquiry_id: str) -> Inquiry | None:
        return self.state.inquiries.get(inquiry_id)

    async def with_idempotency_key(self, key: str) -> Inquiry | None:
        return next((i for i in self.state.inquiries.values() if i.idempotencyKey == key), None)

    async def add(self, inquiry: Inquiry) -> None:
        if inquiry.idempotencyKey is not None and await self.with_idempotency_key(inquiry.idempotencyKey):
            raise IdempotencyKeyTaken(inquiry.idempotencyKey)
        self.state.inquiries[inquiry.id] = inquiry

    async def mark_answered(self, inquiry: Inquiry) -> None:
        self.state.inquiries[inquiry.id] = inquiry

    async def page(self, therapist_id: str, after: PagePosition | None, limit: int) -> list[Inquiry]:
        theirs = sorted(
            (i for i in self.state.inquiries.values() if i.therapistId == therapist_id),
            key=lambda i: (i.receivedAt, i.id),
            reverse=True,
        )
        if after is not None:
            theirs = [i for i in theirs if (i.receivedAt, i.id) < (after.received_at, after.inquiry_id)]
        return theirs[:limit]

    async def count(self, therapist_id: str) -> int:
        return sum(1 for i in self.state.inquiries.values() if i.therapistId == therapist_id)

    async def _remove(self, doomed: list[str]) -> int:
        for inquiry_id in doomed:
            del self.state.inquiries[inquiry_id]
        return len(doomed)

    async def remove_of_therapist(self, therapist_id: str) -> int:
        return await self._remove(
            [i.id for i in self.state.inquiries.values() if i.therapistId == therapist_id]
        )

    async def remove_received_before(self, moment: datetime) -> int:
        return await self._remove([i.id for i in self.state.inquiries.values() if i.receivedAt < moment])


class InMemoryTherapists:
    def __init__(self, state: InquiriesState) -> None:
        self.state = state

    async def get(self, therapist_id: str) -> KnownTherapist | None:
        return self.state.therapists.get(therapist_id)

    async def record_if_newer(self, therapist: KnownTherapist) -> bool:
        if not is_news(self.state.therapists.get(therapist.id), therapist.version):
            return False
        self.state.therapists[therapist.id] = therapist
        return True


def begin(state: InquiriesState) -> InquiriesTransaction:
    return InquiriesTransaction(InMemoryInquiries(state), InMemoryTherapists(state))


def in_memory_inquiries(*known_therapists: str) -> InMemoryUnitOfWork[InquiriesTransaction]:
    state = InquiriesState(therapists={t: KnownTherapist(id=t, version=1) for t in known_therapists})
    return InMemoryUnitOfWork(state, begin)


class Owners:
    """The profiles service's answer, as a table: which credentials may read which therapist's
    inquiries. Credentials named in `invalid` are tokens that are not valid."""

    def __init__(
        self, owners: dict[str, set[str]] | None = None, *, invalid: frozenset[str] = frozenset()
    ) -> None:
        self.owners = owners or {}
        self.invalid = invalid
        self.asked: list[tuple[str, str]] = []

    async def may_read(self, therapist_id: str, credentials: str) -> bool:
        self.asked.append((therapist_id, credentials))
        if credentials in self.invalid:
            raise Unauthenticated("The bearer token is not valid")
        return credentials in self.owners.get(therapist_id, set())


class NoLimits:
    async def wait_before_sending(self, client: str, therapist_id: str) -> int | None:
        return None
