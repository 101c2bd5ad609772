"""Real-time: the change events this replica already hears, fanned out to its own subscribers.

Each replica consumes every event (gateway.events), so a subscriber connected to any replica
hears every change; a subscription needs no broker queue of its own, only a place in this
replica's `ChangeHub`. A subscriber is told that something changed, then reads the current
public card afresh: a burst of events for one therapist reaches a slow subscriber as one update,
and what it gets is what any visitor would read at that moment.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter, defaultdict
from collections.abc import AsyncIterator

import strawberry
from prometheus_client import Gauge

from gateway.context import context_of
from gateway.errors import GatewayError
from gateway.types.therapists import Therapist

SUBSCRIPTIONS = Gauge("directory_gateway_subscriptions", "Open GraphQL subscriptions on this replica")
_CLOSED = object()


class SubscriptionLimitExceeded(GatewayError):
    code = "SUBSCRIPTION_LIMIT_EXCEEDED"


class ChangeHub:
    def __init__(self, *, per_client: int) -> None:
        self.per_client = per_client
        self._watchers: dict[str, set[asyncio.Queue]] = defaultdict(set)
        self._open_by_client: Counter[str] = Counter()
        self._closing = False

    def therapist_changed(self, therapist_id: str) -> None:
        for queue in self._watchers.get(therapist_id, ()):
            if queue.empty():  # one pending "changed" is enough: the read after it is fresh
                queue.put_nowait(therapist_id)

    def close(self) -> None:
        """Shutting down: every subscription ends (its client is told it completed)."""
        self._closing = True
        for queues in self._watchers.values():
            for queue in queues:
                queue.put_nowait(_CLOSED)

    @contextlib.asynccontextmanager
    async def watch(self, client: str, therapist_id: str) -> AsyncIterator[AsyncIterator[str]]:
        """Changes of `therapist_id` for as long as the block runs; SubscriptionLimitExceeded
        when `client` already holds `per_client` subscriptions on this replica."""
        if self._open_by_client[client] >= self.per_client:
            raise SubscriptionLimitExceeded(
                f"This client already has {self.per_client} subscriptions open here, the most allowed",
                limit=self.per_client,
            )
        queue: asyncio.Queue = asyncio.Queue()
        self._watchers[therapist_id].add(queue)
        self._open_by_client[client] += 1
        SUBSCRIPTIONS.inc()
        try:
            yield self._changes(queue)
        finally:
            SUBSCRIPTIONS.dec()
            self._open_by_client[client] -= 1
            if not self._open_by_client[client]:
                del self._open_by_client[client]
            watchers = self._watchers[therapist_id]
            watchers.discard(queue)
            if not watchers:
                del self._watchers[therapist_id]

    async def _changes(self, queue: asyncio.Queue) -> AsyncIterator[str]:
        while not self._closing:
            change = await queue.get()
            if change is _CLOSED:
                return
            yield change


async def therapist_changed(info: strawberry.Info, id: strawberry.ID) -> AsyncIterator[Therapist | None]:
    """The therapist's public profile each time it changes; null when it is deleted."""
    context = context_of(info)
    assert context.hub is not None
    async with context.hub.watch(context.client or f"address:{context.client_address}", str(id)) as changes:
        async for _ in changes:
            context.fresh_reads()  # a subscription lives long: no read of one update serves the next
            yield await context.loaders.therapist.load(str(id))
