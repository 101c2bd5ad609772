"""The shared execution of identical subscriptions (gateway.fanout), over a stand-in source: each
reader gets the results from when it joined, a slow one the latest rather than a backlog, and
the source is closed when the last reader leaves."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from gateway.fanout import SharedSubscriptions


class Source:
    """Results given one by one, and whether the execution let go of them."""

    def __init__(self) -> None:
        self.pending: asyncio.Queue[int | None] = asyncio.Queue()
        self.started = 0
        self.closed = 0

    async def start(self) -> AsyncIterator[int]:
        self.started += 1
        return self._results()

    async def _results(self) -> AsyncIterator[int]:
        try:
            while (result := await self.pending.get()) is not None:
                yield result
        finally:
            self.closed += 1

    async def give(self, *results: int | None) -> None:
        for result in results:
            self.pending.put_nowait(result)
            await asyncio.sleep(0.01)  # the execution hands it on


async def joined(reader: AsyncIterator[int]) -> asyncio.Task[int]:
    """The reader's next result, awaited in the background once it has joined."""
    task = asyncio.ensure_future(anext(reader))
    await asyncio.sleep(0.01)
    return task


async def test_every_reader_gets_each_result_from_when_it_joined():
    source, shared = Source(), SharedSubscriptions()
    early = shared.results("k", source.start)
    first = await joined(early)
    await source.give(1)
    late = shared.results("k", source.start)
    second, late_first = await joined(early), await joined(late)
    await source.give(2)
    assert (await first, await second, await late_first) == (1, 2, 2)
    assert source.started == 1 and len(shared) == 1


async def test_a_slow_reader_gets_the_latest_result_not_a_backlog():
    source, shared = Source(), SharedSubscriptions()
    reader = shared.results("k", source.start)
    first = await joined(reader)
    await source.give(1, 2, 3)  # the reader is busy with 1 meanwhile
    assert await first == 1
    assert await anext(reader) == 3


async def test_the_source_is_let_go_when_the_last_reader_leaves():
    source, shared = Source(), SharedSubscriptions()
    readers = [shared.results("k", source.start) for _ in range(2)]
    waiting = [await joined(reader) for reader in readers]
    for task, reader in zip(waiting, readers, strict=True):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await reader.aclose()
        await asyncio.sleep(0.01)
    assert source.closed == 1 and len(shared) == 0
    again = shared.results("k", source.start)  # a new execution for the next one
    next_result = await joined(again)
    await source.give(4)
    assert await next_result == 4 and source.started == 2


async def test_readers_finish_when_the_source_ends():
    source, shared = Source(), SharedSubscriptions()
    reader = shared.results("k", source.start)
    first = await joined(reader)
    await source.give(1, None)
    assert await first == 1
    assert [result async for result in reader] == []
    assert len(shared) == 0
