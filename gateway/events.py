"""Hearing the services' change events, to invalidate this replica's caches.

Each gateway replica binds its OWN exclusive, auto-delete queue to the `directory.events`
topic exchange: every replica hears every event and invalidates its own caches, and nothing
is left behind when a replica stops. While this queue is not being consumed (broker down,
reconnecting) the caches are emptied and switched off, since changes could be missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from collections.abc import Sequence

import aio_pika
import structlog
from aio_pika.abc import AbstractIncomingMessage

from gateway.cache import TaggedCache, invalidation_for
from gateway.cdn import CdnPurger
from gateway.new_matches import NewMatchesHub
from gateway.subscriptions import ChangeHub
from integration_events.approaches import APPROACH_EVENT_TYPES
from integration_events.inquiries import INQUIRY_EVENT_TYPES
from integration_events.therapists import THERAPIST_DELETED, THERAPIST_EVENT_TYPES
from servicekit.bus import EventBus
from servicekit.envelope import CloudEvent, InvalidEnvelope
from servicekit.metrics import EVENTS_CONSUMED

log = structlog.get_logger(__name__)

WATCHED_EVENT_TYPES = THERAPIST_EVENT_TYPES + APPROACH_EVENT_TYPES + INQUIRY_EVENT_TYPES


class ChangeEventListener:
    def __init__(
        self,
        bus: EventBus,
        caches: Sequence[TaggedCache],
        *,
        purger: CdnPurger | None = None,
        hub: ChangeHub | None = None,
        new_matches: NewMatchesHub | None = None,
    ) -> None:
        """`purger`, when a CDN is in front, is told the same tags as the caches (gateway.cdn);
        `hub` and `new_matches` hear which therapist changed, once the caches no longer hold the
        old profile."""
        self.bus = bus
        self.hub = hub
        self.new_matches = new_matches
        self.caches = tuple(caches)
        self.purger = purger
        self._listened_before = False
        self.queue_name = f"gateway.{socket.gethostname()}.{uuid.uuid4().hex[:8]}"
        self.consuming = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._channel: aio_pika.abc.AbstractChannel | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="gateway-change-events")

    async def stop(self) -> None:
        self._suspend()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._channel is not None and not self._channel.is_closed:
            with contextlib.suppress(Exception):
                await self._channel.close()

    async def _listen(self) -> None:
        await self.bus.wait_connected()
        connection = self.bus.connection
        assert connection is not None
        connection.close_callbacks.add(self._suspend)
        connection.reconnect_callbacks.add(self._resume)
        channel = await connection.channel()
        self._channel = channel
        channel.close_callbacks.add(self._suspend)
        channel.reopen_callbacks.add(self._resume)
        await channel.set_qos(prefetch_count=256)
        exchange = await channel.declare_exchange(
            self.bus.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(self.queue_name, exclusive=True, auto_delete=True)
        for event_type in WATCHED_EVENT_TYPES:
            await queue.bind(exchange, routing_key=event_type)
        await queue.consume(self.on_message, no_ack=True)
        log.info("change_events_listening", queue=self.queue_name)
        self._resume()

    def _resume(self, *_: object) -> None:
        for cache in self.caches:
            cache.clear()  # whatever happened while we were not listening is unknown
            cache.enabled = True
        if self.purger is not None and self._listened_before:
            self.purger.purge_everything()  # events may have been missed while away
        self._listened_before = True
        self.consuming.set()

    def _suspend(self, *_: object) -> None:
        self.consuming.clear()
        for cache in self.caches:
            cache.enabled = False
            cache.clear()

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        try:
            event = CloudEvent.from_json(message.body)
            invalidation = invalidation_for(event.type, event.data, event.changed_fields)
        except (InvalidEnvelope, KeyError, TypeError) as exc:
            # Unreadable: we cannot tell what changed, so forget everything.
            log.warning("change_event_unreadable", message_id=message.message_id, error=str(exc)[:200])
            for cache in self.caches:
                cache.clear()
            return
        for cache in self.caches:
            cache.invalidate(invalidation.now, settling=invalidation.settling)
        if self.purger is not None:
            self.purger.purge(invalidation.now, settling=invalidation.settling)
        if self.hub is not None and event.type in THERAPIST_EVENT_TYPES:
            self.hub.therapist_changed(str(event.data["id"]))
        if self.new_matches is not None and event.type in THERAPIST_EVENT_TYPES:
            version = event.data.get("version")
            self.new_matches.therapist_changed(
                str(event.data["id"]),
                version if isinstance(version, int) else 0,  # unknown: whatever search answers
                deleted=event.type == THERAPIST_DELETED,
            )
        EVENTS_CONSUMED.labels("gateway", event.type, "applied").inc()
