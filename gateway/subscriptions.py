"""Real-time: the change events this replica already hears, fanned out to its own subscribers.

Each replica consumes every event (gateway.events), so a subscriber connected to any replica
hears every change; a subscription needs no broker queue of its own, only a place in this
replica's `ChangeHub`. A subscriber is told that something changed, then reads the current
public card afresh: a burst of events for one therapist reaches a slow subscriber as one update,
and what it gets is what any visitor would read at that moment. Identical `therapistChanged`
subscriptions share one execution of each update (gateway.fanout).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator

import strawberry

from gateway.context import context_of
from gateway.subscription_slots import SubscriptionSlots, subscriber_of
from gateway.types.therapists import Therapist


class Changes:
    """What one watcher of a therapist has not read yet: whether a change came (a burst of them
    is one) and whether the hub closed. Small, as there may be one per subscription."""

    __slots__ = ("_waiter", "closed", "pending", "therapist_id")

    def __init__(self, therapist_id: str, *, closed: bool = False) -> None:
        self.therapist_id = therapist_id
        self.pending = False
        self.closed = closed
        self._waiter: asyncio.Future[None] | None = None

    def changed(self) -> None:
        self.pending = True
        self._wake()

    def close(self) -> None:
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def __aiter__(self) -> Changes:
        return self

    async def __anext__(self) -> str:
        while not self.closed and not self.pending:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        if self.closed:  # shutting down: a pending change is not read any more
            raise StopAsyncIteration
        self.pending = False
        return self.therapist_id


class ChangeHub:
    def __init__(self, *, per_client: int) -> None:
        self.per_client = per_client
        # Shared with the other kinds of subscription (gateway.new_matches): one limit per client.
        self.slots = SubscriptionSlots(per_client)
        self._watchers: dict[str, set[Changes]] = defaultdict(set)
        self._closing = False

    def therapist_changed(self, therapist_id: str) -> None:
        for changes in self._watchers.get(therapist_id, ()):
            changes.changed()

    def close(self) -> None:
        """Shutting down: every subscription ends (its client is told it completed)."""
        self._closing = True
        for watchers in self._watchers.values():
            for changes in watchers:
                changes.close()

    @contextlib.asynccontextmanager
    async def watch(self, client: str, therapist_id: str) -> AsyncIterator[AsyncIterator[str]]:
        """Changes of `therapist_id` for as long as the block runs; SubscriptionLimitExceeded
        when `client` already holds `per_client` subscriptions on this replica."""
        with self.slots.held(client), self.changes(therapist_id) as changes:
            yield changes

    @contextlib.contextmanager
    def changes(self, therapist_id: str) -> Iterator[Changes]:
        """Changes of `therapist_id` for as long as the block runs, holding no client's slot: for
        an execution whose subscribers hold theirs (gateway.fanout)."""
        changes = Changes(therapist_id, closed=self._closing)
        self._watchers[therapist_id].add(changes)
        try:
            yield changes
        finally:
            watchers = self._watchers[therapist_id]
            watchers.discard(changes)
            if not watchers:
                del self._watchers[therapist_id]


async def therapist_changed(info: strawberry.Info, id: strawberry.ID) -> AsyncIterator[Therapist | None]:
    """The therapist's public profile each time it changes; null when it is deleted."""
    context = context_of(info)
    assert context.hub is not None
    # Run once for all identical subscriptions (gateway.fanout), each of which holds its own slot.
    slot = contextlib.nullcontext() if context.shared else context.hub.slots.held(subscriber_of(context))
    with slot, context.hub.changes(str(id)) as changes:
        async for _ in changes:
            context.fresh_reads()  # a subscription lives long: no read of one update serves the next
            yield await context.loaders.therapist.load(str(id))
