"""The unit of work: one transaction, the changes a use case makes in it, and the events those
changes announce, published only once the transaction has committed.

A use case is written against `UnitOfWork`:

    async def rename(uow, command):
        async def work(tx):
            thing = await tx.things.get(command.id)
            await tx.things.replace(thing.renamed(command.name))
            tx.emit(renamed_event(thing))
        return await uow.run(work)

`tx` is the service's own `Transaction` subclass, holding its repositories bound to the
transaction. `MongoUnitOfWork` runs `work` in a MongoDB transaction (retried by the driver on
transient errors; each attempt gets a fresh `tx`) and writes the emitted events to the outbox in
that same transaction; after the commit it hands them to the outbox relay of this process. No
module state: what an attempt emitted lives on its `tx` and dies with it.
`InMemoryUnitOfWork` runs the same use cases over in-memory repositories for fast unit tests.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Awaitable, Callable
from typing import Any, Generic, Protocol, TypeVar

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.mongo_client import AsyncMongoClient
from pymongo.errors import AutoReconnect, ConnectionFailure

from servicekit.envelope import CloudEvent
from servicekit.outbox import Outbox

T = TypeVar("T")

# The driver retries a transaction that failed transiently for up to 120 s. For a write conflict
# that is right; for an unreachable MongoDB it would hold the request for two minutes, so once an
# attempt has failed for want of a connection, no new attempt starts after this many seconds.
UNREACHABLE_RETRY_SECONDS = 2.0


class Transaction:
    """What a use case holds inside a unit of work. Services subclass it to add repositories
    bound to `session` (None outside MongoDB: reads, and the in-memory unit of work)."""

    def __init__(self, session: AsyncClientSession | None = None) -> None:
        self.session = session
        self.events: list[CloudEvent] = []
        self.commit_actions: list[Callable[[], None]] = []

    def emit(self, event: CloudEvent) -> None:
        """Announce `event` if, and only if, this transaction commits."""
        self.events.append(event)

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run `action` once this transaction has committed (a cache of what it wrote, say)."""
        self.commit_actions.append(action)


Tx = TypeVar("Tx", bound=Transaction)
Work = Callable[[Tx], Awaitable[T]]


class UnitOfWork(Protocol[Tx]):
    async def run(self, work: Callable[[Tx], Awaitable[T]]) -> T:
        """Run `work` in one transaction; its events are published after it commits."""
        ...

    def reads(self) -> Tx:
        """Repositories for reads that need no transaction."""
        ...

    async def single_write(self, work: Callable[[Tx], Awaitable[T]]) -> T:
        """Run `work` outside any transaction: for one write that is atomic on its own (one
        document), where a transaction would only add round trips. It may emit no events."""
        ...


def _finish_single_write(tx: Transaction) -> None:
    if tx.events:
        raise RuntimeError("events travel only with a transaction: use run()")
    for action in tx.commit_actions:
        action()


async def run_in_transaction(
    client: AsyncMongoClient, work: Callable[[AsyncClientSession], Awaitable[T]]
) -> T:
    """Run `work` in a MongoDB transaction, retried by the driver on transient errors, but given
    up soon (ConnectionFailure) while MongoDB cannot be reached."""
    async with client.start_session() as session:
        started = time.monotonic()
        unreachable: list[ConnectionFailure] = []

        async def attempt(s: AsyncClientSession) -> T:
            if unreachable and time.monotonic() - started > UNREACHABLE_RETRY_SECONDS:
                # Not labelled transient, so the driver gives up: the caller sees a ConnectionFailure.
                raise AutoReconnect(f"MongoDB unreachable; transaction abandoned: {unreachable[-1]}")
            try:
                return await work(s)
            except ConnectionFailure as exc:
                unreachable.append(exc)
                raise

        return await session.with_transaction(attempt)


class MongoUnitOfWork(Generic[Tx]):
    def __init__(
        self,
        client: AsyncMongoClient,
        begin: Callable[[AsyncClientSession | None], Tx],
        outbox: Outbox | None = None,
    ) -> None:
        self.client = client
        self.begin = begin
        self.outbox = outbox

    def reads(self) -> Tx:
        return self.begin(None)

    async def single_write(self, work: Callable[[Tx], Awaitable[T]]) -> T:
        tx = self.begin(None)
        result = await work(tx)
        _finish_single_write(tx)
        return result

    async def run(self, work: Callable[[Tx], Awaitable[T]]) -> T:
        async def attempt(session: AsyncClientSession) -> tuple[T, Tx, list[tuple[str, CloudEvent]]]:
            tx = self.begin(session)
            result = await work(tx)
            if tx.events and self.outbox is None:
                raise RuntimeError("this service publishes no events: it has no outbox")
            rows = [await self.outbox.add(event, session) for event in tx.events] if tx.events else []
            return result, tx, rows

        result, tx, rows = await run_in_transaction(self.client, attempt)
        if rows:
            self.outbox.hand_over(rows)
        for action in tx.commit_actions:
            action()
        return result


class InMemoryUnitOfWork(Generic[Tx]):
    """Runs use cases over in-memory repositories: the state is restored when `work` raises, and
    the events of committed work are collected in `published`, in order."""

    def __init__(self, state: Any, begin: Callable[[Any], Tx]) -> None:
        self.state = state
        self.begin = begin
        self.published: list[CloudEvent] = []
        self.commits = 0

    def reads(self) -> Tx:
        return self.begin(self.state)

    async def single_write(self, work: Callable[[Tx], Awaitable[T]]) -> T:
        tx = self.begin(self.state)
        result = await work(tx)
        _finish_single_write(tx)
        return result

    async def run(self, work: Callable[[Tx], Awaitable[T]]) -> T:
        saved = copy.deepcopy(self.state.__dict__)
        tx = self.begin(self.state)
        try:
            result = await work(tx)
        except BaseException:
            self.state.__dict__.clear()
            self.state.__dict__.update(saved)
            raise
        self.commits += 1
        self.published.extend(tx.events)
        for action in tx.commit_actions:
            action()
        return result
