"""The transactional outbox: an event is stored in the same transaction as the change it
describes, then published to RabbitMQ by a relay, so a committed change is never lost and an
uncommitted one is never announced.

Two paths publish an event. The fast one: once its transaction has committed, the event is
handed to the relay of the same process, which publishes it at once without reading it back.
The sweep: what is still unpublished after a grace period (the process died, the broker was
down, another replica wrote it) is read from the collection, leased and published.

Once the broker has confirmed an event, its row is deleted: the collection holds only what is
still to be published. A row's key starts with its creation time, so the `_id` index alone
serves the sweep (oldest first) and writing an event maintains no other index.

Delivery is at-least-once: a relay that crashes between the broker's confirm and deleting the
row will publish the event again, and consumers are idempotent (they compare versions).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection

from servicekit.bus import EventBus
from servicekit.envelope import CloudEvent
from servicekit.metrics import EVENTS_PUBLISHED, OUTBOX_BACKLOG
from servicekit.tracing import with_current_trace

log = structlog.get_logger(__name__)

LEASE = timedelta(seconds=30)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Unpublished events younger than this are left to the fast path of the process that wrote them.
SWEEP_AFTER = timedelta(seconds=5)
# Events kept in memory for the fast path while the broker is away; the sweep covers the rest.
MAX_FRESH = 10_000
# Rows of confirmed events are deleted together: after this long, or once this many wait. A
# crash in between only means they are published again (delivery is at-least-once anyway); the
# sweep leaves rows younger than SWEEP_AFTER alone, so rows waiting here are republished only if
# their delete comes seconds late.
# Deleting once a second keeps the deletes off most requests' way; batches stay small because a
# delete of many ids grows faster than their number on the embedded server.
DELETE_EVERY = 1.0
DELETE_BATCH = 500


def row_key(created: datetime, event_id: str) -> str:
    """An outbox row's `_id`: its creation time (microseconds, fixed-width hex), then the event's
    id. Keys sort by age, and every key made before `created` sorts before `key_floor(created)`."""
    return f"{key_floor(created)}-{event_id}"


def key_floor(moment: datetime) -> str:
    return f"{(moment - EPOCH) // timedelta(microseconds=1):014x}"


class Outbox:
    def __init__(self, collection: AsyncCollection) -> None:
        self.collection = collection
        self._pending = asyncio.Event()
        self._fresh: list[tuple[str, CloudEvent]] = []

    async def add(self, event: CloudEvent, session: AsyncClientSession) -> tuple[str, CloudEvent]:
        """Store `event` inside the transaction that makes the change; returns its row key and the
        event as stored, for `hand_over` once the transaction has committed."""
        event = with_current_trace(event)
        created = datetime.now(UTC)
        key = row_key(created, event.id)
        await self.collection.insert_one(
            {
                "_id": key,
                "type": event.type,
                "envelope": event.model_dump(mode="json", exclude_none=True),
                "createdAt": created,
            },
            session=session,
        )
        return key, event

    def hand_over(self, rows: list[tuple[str, CloudEvent]]) -> None:
        """Committed events (with their rows' keys), for the relay to publish at once without
        reading them back; past MAX_FRESH they are left to the sweep."""
        room = MAX_FRESH - len(self._fresh)
        self._fresh.extend(rows[: max(room, 0)])
        self._pending.set()

    def take_fresh(self) -> list[tuple[str, CloudEvent]]:
        fresh, self._fresh = self._fresh, []
        return fresh

    async def wait_for_work(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._pending.wait(), timeout)
        self._pending.clear()

    async def pending_count(self) -> int:
        return await self.collection.count_documents({})


class OutboxRelay:
    """Publishes pending outbox events with publisher confirms, oldest first."""

    def __init__(
        self,
        outbox: Outbox,
        bus: EventBus,
        *,
        service: str,
        poll_interval: float = 1.0,
        batch_size: int = 200,
        sweep_after: timedelta = SWEEP_AFTER,
    ) -> None:
        self.outbox = outbox
        self.bus = bus
        self.service = service
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.sweep_after = sweep_after
        self._last_sweep = 0.0
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
            await self._delete_published(force=True)

    async def _run(self) -> None:
        while True:
            try:
                await self.publish_pending_events(settle=False)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # MongoDB or RabbitMQ down: try again on the next round
                log.warning("outbox_relay_round_failed", error=str(exc))
            await self.outbox.wait_for_work(DELETE_EVERY if self._confirmed else self.poll_interval)

    async def publish_pending_events(self, *, settle: bool = True) -> int:
        """Publish everything pending now; returns how many events this call published.

        With `settle`, the rows of every confirmed event are deleted before this returns;
        otherwise they may wait for the next round, to be deleted together with later ones.
        """
        published = await self._publish_pending()
        await self._delete_published(force=settle)
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
        while True:
            now = datetime.now(UTC)
            # Leases are checked here rather than in the query, which then reads the `_id` index
            # alone; the rows are unpublished events older than the grace period, so few.
            candidates = await self.outbox.collection.find(
                {"_id": {"$lt": key_floor(now - self.sweep_after)}},
                sort=[("_id", ASCENDING)],
                limit=self.batch_size,
            ).to_list()
            batch = [row for row in candidates if _lease_free(row, now)]
            OUTBOX_BACKLOG.labels(self.service).set(len(batch))
            if not batch:
                return published
            claimed = await self._claim(batch, now)
            published += await self._publish(
                [(row["_id"], CloudEvent.model_validate(row["envelope"])) for row in claimed]
            )
            await self._delete_published(force=True)  # before the next batch is read
            if len(candidates) < self.batch_size:
                OUTBOX_BACKLOG.labels(self.service).set(0)
                return published

    async def _claim(self, batch: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
        ids = [doc["_id"] for doc in batch]
        await self.outbox.collection.update_many(
            {
                "_id": {"$in": ids},
                # Unleased or lease run out, in one condition (an `$or` may make a planner scan).
                "leaseUntil": {"$not": {"$gte": now}},
            },
            {"$set": {"leaseUntil": now + LEASE, "leaseOwner": self.owner}},
        )
        mine = await self.outbox.collection.find(
            {"_id": {"$in": ids}, "leaseOwner": self.owner}, {"_id": 1}
        ).to_list()
        owned = {doc["_id"] for doc in mine}
        return [doc for doc in batch if doc["_id"] in owned]

    async def _publish(self, events: list[tuple[str, CloudEvent]]) -> int:
        """Publish concurrently; the rows of confirmed events wait to be deleted in one write.

        Order across aggregates does not matter, and consumers ignore versions older than the
        one they hold, so concurrent publishing is safe.
        """
        results = await asyncio.gather(*(self.bus.publish(e) for _, e in events), return_exceptions=True)
        confirmed = [item for item, result in zip(events, results, strict=True) if result is None]
        failed = [key for (key, _), result in zip(events, results, strict=True) if result is not None]
        if confirmed:
            if not self._confirmed:
                self._confirmed_since = time.monotonic()
            self._confirmed += [key for key, _ in confirmed]
            for _, event in confirmed:
                EVENTS_PUBLISHED.labels(self.service, event.type).inc()
        if failed:
            # Give the leases back so the next round (after the broker returns) retries them.
            await self.outbox.collection.update_many(
                {"_id": {"$in": failed}, "leaseOwner": self.owner}, {"$set": {"leaseUntil": None}}
            )
            first_error = next(r for r in results if r is not None)
            raise RuntimeError(f"{len(failed)} outbox events not confirmed") from first_error
        return len(confirmed)

    async def _delete_published(self, *, force: bool) -> None:
        if not self._confirmed:
            return
        due = len(self._confirmed) >= DELETE_BATCH or time.monotonic() - self._confirmed_since >= DELETE_EVERY
        if not (force or due):
            return
        keys, self._confirmed = self._confirmed, []
        try:
            await self.outbox.collection.delete_many({"_id": {"$in": keys}})
        except Exception:
            self._confirmed = keys + self._confirmed  # MongoDB away: delete them on a later round
            raise


def _aware(moment: datetime) -> datetime:
    """BSON dates come back naive (UTC) unless the client is tz-aware."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _lease_free(row: dict[str, Any], now: datetime) -> bool:
    lease = row.get("leaseUntil")
    return lease is None or _aware(lease) < now
