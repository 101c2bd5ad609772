"""The connections one service process owns, started and stopped with its web application.

A service builds a `ServiceRuntime`, registers what it consumes and what must be prepared in
MongoDB (indexes), and attaches the runtime to its aiohttp app. A service starts even while
MongoDB or RabbitMQ is down: it reports not-ready and prepares itself once they are back.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from integration_events.subscriptions import Subscription
from servicekit.auth import TokenVerifier
from servicekit.backoff import until_it_succeeds
from servicekit.bus import EventBus
from servicekit.consumer import EventApplier, EventConsumer
from servicekit.http import ReadinessCheck
from servicekit.mongo import connect, is_reachable
from servicekit.outbox import Outbox, OutboxRelay
from servicekit.settings import ServiceSettings

Preparation = Callable[[], Awaitable[None]]
# A readiness probe must answer quickly: while MongoDB is down the driver would otherwise hold
# the ping for its whole server-selection timeout, longer than probes and callers wait.
READINESS_PING_TIMEOUT = 1.0


class ServiceRuntime:
    def __init__(
        self, settings: ServiceSettings, *, publishes: bool = True, relay_poll_interval: float = 1.0
    ) -> None:
        """`publishes=False` for a service that announces nothing: it gets no outbox and no relay."""
        self.settings = settings
        self.mongo = connect(settings.mongodb_uri, app_name=settings.service)
        self.db = self.mongo.get_database(settings.database)
        self.bus = EventBus(
            settings.amqp_url,
            service=settings.service,
            exchange=settings.events_exchange,
            dead_letter_exchange=settings.dead_letter_exchange,
            delivery_limit=settings.delivery_limit,
        )
        self.outbox = Outbox(self.db["outbox"]) if publishes else None
        self.relay = (
            OutboxRelay(self.outbox, self.bus, service=settings.service, poll_interval=relay_poll_interval)
            if self.outbox is not None
            else None
        )
        self.verifier = TokenVerifier(settings.auth)
        self.consumers: list[EventConsumer] = []
        self.preparations: list[Preparation] = []
        self.prepared = asyncio.Event()
        self._prepare_task: asyncio.Task | None = None

    def consume(self, subscription: Subscription, applier: EventApplier) -> None:
        self.consumers.append(
            EventConsumer(self.bus, subscription, applier.apply, service=self.settings.service)
        )

    def prepare(self, step: Preparation) -> None:
        """Run `step` at start-up (retried until MongoDB answers) before consuming events."""
        self.preparations.append(step)

    def readiness(self) -> dict[str, ReadinessCheck]:
        async def mongodb() -> bool:
            try:
                return await asyncio.wait_for(is_reachable(self.mongo), READINESS_PING_TIMEOUT)
            except TimeoutError:
                return False

        async def rabbitmq() -> bool:
            return self.bus.is_connected

        async def prepared() -> bool:
            return self.prepared.is_set()

        return {"mongodb": mongodb, "rabbitmq": rabbitmq, "prepared": prepared}

    async def _prepare_then_consume(self) -> None:
        for step in self.preparations:
            await until_it_succeeds("startup_step_failed", step=step.__qualname__)(step)
        self.prepared.set()
        for consumer in self.consumers:
            consumer.start()
        if self.relay is not None:
            self.relay.start()

    async def start(self) -> None:
        await self.bus.start()
        self._prepare_task = asyncio.create_task(self._prepare_then_consume())

    async def stop(self) -> None:
        if self._prepare_task is not None:
            self._prepare_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._prepare_task
        for consumer in self.consumers:
            await consumer.stop()
        if self.relay is not None:
            await self.relay.stop()
        await self.bus.close()
        await self.mongo.close()

    def attach(self, app: web.Application) -> None:
        async def lifecycle(_: web.Application) -> AsyncIterator[None]:
            await self.start()
            yield
            await self.stop()

        app.cleanup_ctx.append(lifecycle)
