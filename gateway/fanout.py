"""One execution per update for identical subscriptions, its result handed to each subscriber.

Subscriptions to `SHARED_FIELDS` with the same document, operation, variables and token get the
same results: a field there answers with the current state of what it watches, whoever asks and
whenever they started. This replica runs each such operation once (a `SharedExecution`, through
strawberry as any subscription runs) and gives every result to each of its subscribers, whose
own protocol handler sends it under the subscriber's id. A subscriber still subscribes on its
own, through every extension: parsed, validated, priced, charged to its client and holding one
of its client's slots (gateway.schema). The execution stops when its last subscriber leaves.

A subscriber that reads slowly gets the latest result, never a backlog: each result is the whole
current state. Errors are those of the shared result, masked once (an internal one names the
request id of the subscriber that started the execution, under which it is logged).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Hashable
from typing import Any

import structlog

log = structlog.get_logger(__name__)

# Subscription fields whose every result is the current state of what they watch, the same for
# every subscriber with the same arguments and token (newMatches is not: each subscription
# remembers whom it has told of).
SHARED_FIELDS = frozenset({"therapistChanged"})

Source = Callable[[], Awaitable[AsyncGenerator[Any, None]]]


class SharedExecution:
    """One running subscription and the latest result it gave, for its subscribers to read."""

    def __init__(self, start: Source, forget: Callable[[SharedExecution], None]) -> None:
        self.subscribers = 0
        self.latest: Any = None
        self.version = 0  # results so far: a subscriber has read up to the one it saw
        self.ended = False
        self._changed = asyncio.Event()
        self._forget = forget
        self._task = asyncio.create_task(self._run(start), name="gateway-shared-subscription")

    async def _run(self, start: Source) -> None:
        try:
            results = await start()
            async with contextlib.aclosing(results):
                async for result in results:
                    self.latest = result
                    self.version += 1
                    self._changed.set()  # wakes every subscriber waiting now
                    self._changed.clear()
        except Exception:  # strawberry reports the operation's own errors as results
            log.exception("shared_subscription_failed")
        finally:
            self.ended = True
            self._forget(self)
            self._changed.set()

    async def results(self) -> AsyncIterator[Any]:
        """Each result from now on (the latest one, when several came while this reader was busy),
        until the execution ends."""
        self.subscribers += 1
        seen = self.version
        try:
            while True:
                if self.version != seen:
                    seen = self.version
                    yield self.latest
                elif self.ended:
                    return
                else:
                    await self._changed.wait()
        finally:
            self.subscribers -= 1
            if not self.subscribers:
                self._forget(self)
                self._task.cancel()  # nobody reads it: the resolver lets go of what it watches


class SharedSubscriptions:
    """The shared executions running on this replica, by what makes subscriptions identical."""

    def __init__(self) -> None:
        self._running: dict[Hashable, SharedExecution] = {}

    def __len__(self) -> int:
        return len(self._running)

    def results(self, key: Hashable, start: Source) -> AsyncIterator[Any]:
        """The results of the execution of `key`, started with `start` if none runs."""
        execution = self._running.get(key)
        if execution is None:

            def forget(ended: SharedExecution) -> None:
                if self._running.get(key) is ended:
                    del self._running[key]

            execution = self._running[key] = SharedExecution(start, forget)
        return execution.results()
