"""The transactional outbox: an event is stored in the same transaction as the change it
describes, then published to RabbitMQ by a relay, so a committed change is never lost and an
uncommitted one is never announced.

Two paths publish an event. The fast one: once its transaction has committed, the event is
handed to the relay of the same process, which publishes it at once without reading it back.
The sweep: what is still unpublished after a grace period (the process died, the broker was
down, another replica wrote it) is read from the collection, leased and published.

Delivery is at-least-once: a relay that crashes between the broker's confirm and marking the
event published will publish it again, and consumers are idempotent (they compare versions).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import structlog
from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.mongo_client import AsyncMongoClient
from pymongo.errors import AutoReconnect, ConnectionFailure

from servicekit.bus import EventBus
from servicekit.envelope import CloudEvent
from servicekit.metrics import EVENTS_PUBLISHED, OUTBOX_BACKLOG
from servicekit.tracing import with_current_trace

log = structlog.get_logger(__name__)
T = TypeVar("T")

LEASE = timedelta(seconds=30)
# Published events are kept this long (for inspection), then pruned by the relays: a TTL index
# would be one more index to maintain on every event written.
KEEP_PUBLISHED = timedelta(days=7)
PRUNE_EVERY = 3600.0
# Unpublished events younger than this are left to the fast path of the process that wrote them.
SWEEP_AFTER = timedelta(seconds=5)
# Events kept in memory for the fast path while the broker is away; the sweep covers the rest.
MAX_FRESH = 10_000
# Confirmed events are marked published together: after this long, or once this many wait. A
# crash in between only means they are published again (delivery is at-least-once anyway).
MARK_EVERY = 0.2
MARK_BATCH = 500

# The driver retries a transaction that failed transiently for up to 120 s. For a write conflict
# that is right; for an unreachable MongoDB it would hold the request for two minutes, so once
# an attempt has failed for want of a connection, no new attempt starts after this many seconds.
UNREACHABLE_RETRY_SECONDS = 2.0

# Events added inside run_in_transaction, by session, until the transaction's outcome is known.
_staged: dict[int, list[tuple[Outbox, CloudEvent]]] = {}


async def run_in_transaction(
    client: AsyncMongoClient, work: Callable[[AsyncClientSession], Awaitable[T]]
) -> T:
    """Run `work` in a MongoDB transaction, retried by the driver on transient errors.

    Outbox events added by `work` go to their relay's fast path only once the transaction has
    committed; those of an aborted or retried attempt are dropped with it.
    """
    async with client.start_session() as session:
        key = id(session)
        started = time.monotonic()
        unreachable: list[ConnectionFailure] = []

        async def attempt(s: AsyncClientSession) -> T:
            if unreachable and time.monotonic() - started > UNREACHABLE_RETRY_SECONDS:
                # Not labelled transient, so the driver gives up: the caller sees a ConnectionFailure.
                raise AutoReconnect(f"MongoDB unreachable; transaction abandoned: {unreachable[-1]}")
            _staged[key] = []
            try:
                return await work(s)
            except ConnectionFailure as exc:
                unreachable.append(exc)
                raise

        try:
            result = await session.with_transaction(attempt)
            committed = _staged.get(key, [])
        finally:
            _staged.pop(key, None)
    for outbox, event in committed:
        outbox.hand_over(event)
    return result


class Outbox:
    def __init__(self, collection: AsyncCollection) -> None:
        self.collection = collection
        self._pending = asyncio.Event()
        self._fresh: list[CloudEvent] = []

    async def create_indexes(self) -> None:
        # The one secondary index: the sweep (unpublished, oldest first) and the pruning of old
        # published events both read it.
        await self.collection.create_index([("publishedAt", ASCENDING), ("createdAt", ASCENDING)])
        if "expire_published" in await self.collection.index_information():
            await self.collection.drop_index("expire_published")  # the TTL index of earlier versions

    async def prune(self, now: datetime) -> int:
        """Delete events published more than KEEP_PUBLISHED ago; returns how many."""
        result = await self.collection.delete_many({"publishedAt": {"$lt": now - KEEP_PUBLISHED}})
        return result.deleted_count

    async def add(self, event: CloudEvent, session: AsyncClientSession) -> None:
        """Store `event`; call inside the transaction that makes the change."""
        event = with_current_trace(event)
        await self.collection.insert_one(
            {
                "_id": event.id,
                "type": event.type,
                "envelope": event.model_dump(mode="json", exclude_none=True),
                "createdAt": datetime.now(UTC),
                "publishedAt": None,
                "leaseUntil": None,
            },
            session=session,
        )
        staged = _staged.get(id(session))
        if staged is not None:
            staged.append((self, event))

    def hand_over(self, event: CloudEvent) -> None:
        """A committed event, for the relay to publish without reading it back."""
        if len(self._fresh) < MAX_FRESH:
            self._fresh.append(event)
        self._pending.set()

    def take_fresh(self) -> list[CloudEvent]:
        fresh, self._fresh = self._fresh, []
        return fresh

    def notify(self) -> None:
        """Wake the relay after a commit, so publishing does not wait for the next poll."""
        self._pending.set()

    async def wait_for_work(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._pending.wait(), timeout)
        self._pending.clear()

    async def pending_count(self) -> int:
        return await self.collection.count_documents({"publishedAt": None})


class OutboxRelay:
    """Publishes pending outbox events with publisher confirms, oldest first."""

    def __init__(
        self, outbox: Outbox, bus: EventBus, *, service: str, poll_interval: float = 1.0,
        batch_size: int = 200, sweep_after: timedelta = SWEEP_AFTER,
    ) -> None:
        self.outbox = outbox
        self.bus = bus
        self.service = service
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.sweep_after = sweep_after
        self._last_sweep = 0.0
        self._last_prune = 0.0
        self._confirmed: list[str] = []
        self._confirmed_since = 0.0
        self.owner = f"{service}-{uuid.uuid4().hex[:8]}"
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"{self.service}-outbox-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(Exception):  # else the sweep publishes them again later
            await self._mark_published(force=True)

    async def _run(self) -> None:
        while True:
            try:
                await self.publish_pending_events(settle=False)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # MongoDB or RabbitMQ down: try again on the next round
                log.warning("outbox_relay_round_failed", error=str(exc))
            await self.outbox.wait_for_work(MARK_EVERY if self._confirmed else self.poll_interval)

    async def publish_pending_events(self, *, settle: bool = True) -> int:
        """Publish everything pending now; returns how many events this call published.

        With `settle`, every confirmed event is marked published before this returns; otherwise
        the marks may wait for the next round, to be written together with later ones.
        """
        published = await self._publish_pending()
        await self._mark_published(force=settle)
        return published

    async def _publish_pending(self) -> int:
        if not self.bus.is_connected:
            return 0
        published = 0
        fresh = self.outbox.take_fresh()
        if fresh:
            published += await self._publish(fresh)
            # Under a steady stream of writes, sweep once per poll interval, not every round.
            if time.monotonic() - self._last_sweep < self.poll_interval:
                return published
        self._last_sweep = time.monotonic()
        if self._last_sweep - self._last_prune >= PRUNE_EVERY or not self._last_prune:
            self._last_prune = self._last_sweep
            await self.outbox.prune(datetime.now(UTC))
        while True:
            now = datetime.now(UTC)
            # Leases are checked here rather than in the query: a top-level `$or` keeps some
            # servers (the embedded one among them) from using the index, and the query then
            # reads every published event too. Only unpublished events come back, so few.
            candidates = await self.outbox.collection.find(
                {"publishedAt": None, "createdAt": {"$lt": now - self.sweep_after}},
                sort=[("createdAt", ASCENDING)],
                limit=self.batch_size,
            ).to_list()
            batch = [doc for doc in candidates if _lease_free(doc, now)]
            OUTBOX_BACKLOG.labels(self.service).set(len(batch))
            if not batch:
                return published
            claimed = await self._claim(batch, now)
            published += await self._publish([CloudEvent.model_validate(d["envelope"]) for d in claimed])
            await self._mark_published(force=True)  # before the next batch is read
            if len(candidates) < self.batch_size:
                OUTBOX_BACKLOG.labels(self.service).set(0)
                return published

    async def _claim(self, batch: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
        ids = [doc["_id"] for doc in batch]
        await self.outbox.collection.update_many(
            {
                "_id": {"$in": ids},
                "publishedAt": None,
                "$or": [{"leaseUntil": None}, {"leaseUntil": {"$lt": now}}],
            },
            {"$set": {"leaseUntil": now + LEASE, "leaseOwner": self.owner}},
        )
        mine = await self.outbox.collection.find(
            {"_id": {"$in": ids}, "leaseOwner": self.owner, "publishedAt": None}, {"_id": 1}
        ).to_list()
        owned = {doc["_id"] for doc in mine}
        return [doc for doc in batch if doc["_id"] in owned]

    async def _publish(self, events: list[CloudEvent]) -> int:
        """Publish concurrently; confirmed events wait to be marked published in one write.

        Order across aggregates does not matter, and consumers ignore versions older than the
        one they hold, so concurrent publishing is safe.
        """
        results = await asyncio.gather(*(self.bus.publish(e) for e in events), return_exceptions=True)
        confirmed = [e for e, result in zip(events, results, strict=True) if result is None]
        failed = [e.id for e, result in zip(events, results, strict=True) if result is not None]
        if confirmed:
            if not self._confirmed:
                self._confirmed_since = time.monotonic()
            self._confirmed += [e.id for e in confirmed]
            for event in confirmed:
                EVENTS_PUBLISHED.labels(self.service, event.type).inc()
        if failed:
            # Give the leases back so the next round (after the broker returns) retries them.
            await self.outbox.collection.update_many(
                {"_id": {"$in": failed}, "leaseOwner": self.owner}, {"$set": {"leaseUntil": None}}
            )
            first_error = next(r for r in results if r is not None)
            raise RuntimeError(f"{len(failed)} outbox events not confirmed") from first_error
        return len(confirmed)

    async def _mark_published(self, *, force: bool) -> None:
        if not self._confirmed:
            return
        due = len(self._confirmed) >= MARK_BATCH or time.monotonic() - self._confirmed_since >= MARK_EVERY
        if not (force or due):
            return
        ids, self._confirmed = self._confirmed, []
        try:
            await self.outbox.collection.update_many(
                {"_id": {"$in": ids}}, {"$set": {"publishedAt": datetime.now(UTC), "leaseUntil": None}}
            )
        except Exception:
            self._confirmed = ids + self._confirmed  # MongoDB away: mark them on a later round
            raise


def _lease_free(doc: dict[str, Any], now: datetime) -> bool:
    lease = doc.get("leaseUntil")
    if lease is None:
        return True
    if lease.tzinfo is None:  # BSON dates come back naive (UTC) unless the client is tz-aware
        lease = lease.replace(tzinfo=UTC)
    return lease < now
