"""The catalogue in memory: repositories with the behaviour of `services.approaches.store`, for
use-case tests run by `servicekit.unit_of_work.InMemoryUnitOfWork`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from servicekit.unit_of_work import InMemoryUnitOfWork
from services.approaches.domain import Approach, slug_taken
from services.approaches.store import ApproachesTransaction


@dataclass
class CatalogueState:
    approaches: dict[str, Approach] = field(default_factory=dict)  # by id
    slugs: dict[str, str] = field(default_factory=dict)  # slug -> approach id
    # therapist id -> (version seen, slugs referred to)
    references: dict[str, tuple[int, list[str]]] = field(default_factory=dict)


class InMemoryApproaches:
    def __init__(self, state: CatalogueState) -> None:
        self.state = state

    async def with_ids(self, ids: Iterable[str]) -> list[Approach]:
        return [self.state.approaches[i] for i in ids if i in self.state.approaches]

    async def all(self) -> list[Approach]:
        return list(self.state.approaches.values())

    async def add(self, approach: Approach) -> None:
        assert approach.id not in self.state.approaches
        self.state.approaches[approach.id] = approach

    async def replace(self, approach: Approach) -> None:
        assert self.state.approaches[approach.id].version == approach.version - 1
        self.state.approaches[approach.id] = approach

    async def remove(self, approach: Approach) -> None:
        del self.state.approaches[approach.id]


class InMemorySlugs:
    def __init__(self, state: CatalogueState) -> None:
        self.state = state

    async def holders(self, slugs: Iterable[str]) -> dict[str, str]:
        return {slug: self.state.slugs[slug] for slug in slugs if slug in self.state.slugs}

    async def claim(self, slug: str, approach_id: str) -> None:
        if slug in self.state.slugs:
            raise slug_taken(slug)
        self.state.slugs[slug] = approach_id

    async def release_all(self, approach_id: str) -> None:
        self.state.slugs = {s: held_by for s, held_by in self.state.slugs.items() if held_by != approach_id}


class InMemoryReferences:
    def __init__(self, state: CatalogueState) -> None:
        self.state = state

    async def count(self, slugs: Iterable[str]) -> int:
        wanted = set(slugs)
        return sum(1 for _, referenced in self.state.references.values() if wanted & set(referenced))

    async def record_if_newer(self, therapist_id: str, version: int, slugs: list[str]) -> bool:
        held = self.state.references.get(therapist_id)
        if held is not None and held[0] >= version:
            return False
        self.state.references[therapist_id] = (version, slugs)
        return True


def begin(state: CatalogueState) -> ApproachesTransaction:
    return ApproachesTransaction(InMemoryApproaches(state), InMemorySlugs(state), InMemoryReferences(state))


def in_memory_catalogue() -> InMemoryUnitOfWork[ApproachesTransaction]:
    return InMemoryUnitOfWork(CatalogueState(), begin)
