"""The use cases of the approaches service: what an admin does with the catalogue, what anyone
reads from it, and what it learns from therapists' events.

Each use case takes its command, a unit of work and (where it stamps time) a clock, and raises
`servicekit.errors` domain errors; HTTP and MongoDB are adapters around it (`api`, `store`).
Writes run in one transaction with the events they announce.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from servicekit.clock import Clock
from servicekit.conditional import etag, holds
from servicekit.consumer import Outcome
from servicekit.envelope import CloudEvent
from servicekit.errors import Moved, PreconditionFailed
from servicekit.unit_of_work import UnitOfWork
from services.approaches.domain import (
    Approach,
    ApproachContent,
    created_event,
    deleted_event,
    new_approach,
    not_found,
    refuse_deletion_while_referenced,
    revise,
    slug_taken,
    updated_event,
    validated_patch,
)

# Where an approach is found under its current slug: what a Moved error points to.
LOCATION = "/v1/approaches/{slug}"


class ApproachRepository(Protocol):
    """The approaches themselves, by their stable id."""

    async def with_ids(self, ids: Iterable[str]) -> list[Approach]: ...

    async def all(self) -> list[Approach]: ...

    async def add(self, approach: Approach) -> None: ...

    async def replace(self, approach: Approach) -> None:
        """Store the next version of an approach read in this same transaction."""
        ...

    async def remove(self, approach: Approach) -> None: ...


class SlugRepository(Protocol):
    """Every slug an approach holds or has held, and which approach that is."""

    async def holders(self, slugs: Iterable[str]) -> dict[str, str]:
        """The id of the approach each of `slugs` names (those that name one)."""
        ...

    async def claim(self, slug: str, approach_id: str) -> None:
        """Record that `slug` names the approach; Conflict if another claimed it meanwhile."""
        ...

    async def release_all(self, approach_id: str) -> None: ...


class ReferenceRepository(Protocol):
    """Per therapist, the latest version seen and the slugs its public profile refers to."""

    async def count(self, slugs: Iterable[str]) -> int:
        """How many therapists refer to any of `slugs`."""
        ...

    async def record_if_newer(self, therapist_id: str, version: int, slugs: list[str]) -> bool:
        """Keep `slugs` at `version` unless that version or a newer one is held; True if kept."""
        ...


class CatalogueTransaction(Protocol):
    approaches: ApproachRepository
    slugs: SlugRepository
    references: ReferenceRepository

    def emit(self, event: CloudEvent) -> None: ...


# The unit of work every use case runs in: transactions over the repositories above.
Catalogue = UnitOfWork[CatalogueTransaction]


@dataclass(frozen=True)
class ChangeApproach:
    slug: str
    patch: Any  # the JSON Merge Patch as sent
    based_on: frozenset[str] | None = None  # If-Match: the versions the change may apply to


@dataclass(frozen=True)
class DeleteApproach:
    slug: str
    based_on: frozenset[str] | None = None


@dataclass(frozen=True)
class RecordTherapistReferences:
    """A therapist's profile at `version` refers to `slugs` (none once it is deleted)."""

    therapist_id: str
    version: int
    slugs: list[str]


async def _find(tx: CatalogueTransaction, slugs: Iterable[str]) -> list[Approach]:
    """The approaches these slugs name, now or before a rename."""
    holders = await tx.slugs.holders(slugs)
    return await tx.approaches.with_ids(set(holders.values()))


async def _current(tx: CatalogueTransaction, slug: str) -> Approach:
    """The approach `slug` names; NotFound, or Moved when `slug` is a former one."""
    found = await _find(tx, [slug])
    if not found:
        raise not_found(slug)
    approach = found[0]
    if approach.slug != slug:
        raise Moved(
            f"This approach's slug is now {approach.slug!r}",
            code="approach_moved",
            location=LOCATION.format(slug=approach.slug),
            details=[{"field": "slug", "message": f"renamed to {approach.slug}"}],
        )
    return approach


async def _claim_slug(tx: CatalogueTransaction, approach: Approach) -> None:
    holder = (await tx.slugs.holders([approach.slug])).get(approach.slug)
    if holder is None:
        await tx.slugs.claim(approach.slug, approach.id)
    elif holder != approach.id:
        raise slug_taken(approach.slug)


def _require_based_on_current(based_on: frozenset[str] | None, approach: Approach) -> None:
    # The entity tag this service gives, or the bare version number as the profiles service takes.
    if holds(based_on, approach.revision) or holds(based_on, approach.version):
        return
    current = etag(approach.revision)
    raise PreconditionFailed(
        f"The approach has changed: it is at version {approach.version}",
        current_etag=current,
        details=[{"field": "If-Match", "message": f"the current ETag is {current}"}],
    )


async def create_approach(content: ApproachContent, uow: Catalogue, clock: Clock) -> Approach:
    approach = new_approach(content, now=clock.now())

    async def work(tx: CatalogueTransaction) -> None:
        await _claim_slug(tx, approach)
        await tx.approaches.add(approach)
        tx.emit(created_event(approach))

    await uow.run(work)
    return approach


async def list_approaches(slugs: list[str], uow: Catalogue) -> list[Approach]:
    """Those `slugs` name (former slugs too, unknown ones skipped), or, with none, all; by name."""
    reads = uow.reads()
    approaches = await _find(reads, slugs) if slugs else await reads.approaches.all()
    return sorted(approaches, key=lambda a: (a.name.casefold(), a.slug))


async def read_approach(slug: str, uow: Catalogue) -> Approach:
    return await _current(uow.reads(), slug)


async def change_approach(command: ChangeApproach, uow: Catalogue, clock: Clock) -> Approach:
    """Apply a merge patch; the approach as it is afterwards (unchanged, and nothing announced,
    when the patch changes nothing)."""
    # A malformed patch is refused before anything is read, whatever the approach's state.
    patch = validated_patch(command.patch)

    async def work(tx: CatalogueTransaction) -> Approach:
        current = await _current(tx, command.slug)
        _require_based_on_current(command.based_on, current)
        revised = revise(current, patch, now=clock.now())
        if revised is None:
            return current
        await _claim_slug(tx, revised)
        await tx.approaches.replace(revised)
        tx.emit(updated_event(revised))
        return revised

    return await uow.run(work)


async def delete_approach(command: DeleteApproach, uow: Catalogue) -> None:
    """Remove an approach no therapist refers to; its slugs, former ones too, become free."""

    async def work(tx: CatalogueTransaction) -> None:
        approach = await _current(tx, command.slug)
        _require_based_on_current(command.based_on, approach)
        refuse_deletion_while_referenced(await tx.references.count(approach.slugs))
        await tx.approaches.remove(approach)
        await tx.slugs.release_all(approach.id)
        tx.emit(deleted_event(approach))

    await uow.run(work)


async def record_therapist_references(command: RecordTherapistReferences, uow: Catalogue) -> Outcome:
    """Keep what a therapist refers to at `command.version`; stale (nothing changed) when that
    version, or a later one, is held already. A deleted therapist stays recorded with no slugs,
    so a late update cannot bring its references back."""

    async def work(tx: CatalogueTransaction) -> Outcome:
        kept = await tx.references.record_if_newer(command.therapist_id, command.version, command.slugs)
        return Outcome.APPLIED if kept else Outcome.STALE

    # One document, decided in one conditional write: every profile edit comes through here.
    return await uow.single_write(work)
