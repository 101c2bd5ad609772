"""The in-memory unit of work: what use-case tests rely on."""

from __future__ import annotations

import pytest

from servicekit.envelope import new_event
from servicekit.unit_of_work import InMemoryUnitOfWork, Transaction


class Shelf:
    def __init__(self) -> None:
        self.items: dict[str, int] = {}


class ShelfTransaction(Transaction):
    def __init__(self, shelf: Shelf) -> None:
        super().__init__()
        self.shelf = shelf


def _event(n: int):
    return new_event(type="test.thing.changed.v1", source="/tests", subject="thing", data={"version": n})


async def test_committed_work_keeps_its_changes_and_publishes_its_events_in_order():
    uow = InMemoryUnitOfWork(Shelf(), ShelfTransaction)

    async def work(tx: ShelfTransaction) -> str:
        tx.shelf.items["a"] = 1
        tx.emit(_event(1))
        tx.emit(_event(2))
        return "done"

    assert await uow.run(work) == "done"
    assert uow.state.items == {"a": 1}
    assert [e.data["version"] for e in uow.published] == [1, 2]
    assert uow.commits == 1


async def test_work_that_raises_leaves_no_change_and_no_event():
    uow = InMemoryUnitOfWork(Shelf(), ShelfTransaction)
    uow.state.items["kept"] = 7

    async def work(tx: ShelfTransaction) -> None:
        tx.shelf.items["kept"] = 8
        tx.shelf.items["new"] = 1
        tx.emit(_event(1))
        raise LookupError("the change itself failed")

    with pytest.raises(LookupError):
        await uow.run(work)
    assert uow.state.items == {"kept": 7}
    assert uow.published == []
    assert uow.commits == 0


async def test_reads_see_the_committed_state():
    uow = InMemoryUnitOfWork(Shelf(), ShelfTransaction)

    async def work(tx: ShelfTransaction) -> None:
        tx.shelf.items["a"] = 3

    await uow.run(work)
    assert uow.reads().shelf.items == {"a": 3}


async def test_after_commit_actions_run_only_when_the_work_commits():
    uow = InMemoryUnitOfWork(Shelf(), ShelfTransaction)
    done: list[str] = []

    async def work(tx: ShelfTransaction, fail: bool) -> None:
        tx.after_commit(lambda: done.append("remembered"))
        if fail:
            raise LookupError("the change itself failed")

    with pytest.raises(LookupError):
        await uow.run(lambda tx: work(tx, True))
    assert done == []
    await uow.run(lambda tx: work(tx, False))
    assert done == ["remembered"]


async def test_a_single_write_keeps_its_change_without_a_transaction():
    uow = InMemoryUnitOfWork(Shelf(), ShelfTransaction)

    async def work(tx: ShelfTransaction) -> None:
        tx.shelf.items["a"] = 5

    await uow.single_write(work)
    assert uow.reads().shelf.items == {"a": 5}
    assert uow.commits == 0  # no transaction was involved


async def test_a_single_write_may_not_announce_events():
    uow = InMemoryUnitOfWork(Shelf(), ShelfTransaction)

    async def work(tx: ShelfTransaction) -> None:
        tx.emit(_event(1))

    with pytest.raises(RuntimeError, match="transaction"):
        await uow.single_write(work)
    assert uow.published == []
