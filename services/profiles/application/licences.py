"""The licence check: the scheduled job that keeps what licences make of a profile true as time
passes (a licence expires, a state starts practising under a compact, the compact data changes).

Every replica runs it on a schedule; the replica holding the lease (`servicekit.lease`) works,
the others skip that round. A run walks every profile and, for each whose licences' standing or
served telehealth states differ from those stored (`domain.current_standing`), stores the next
version and publishes it as an ordinary `therapist.updated` event, in one transaction through the
outbox. It is idempotent by licence state: a second run finds nothing to change and publishes
nothing; a profile changed meanwhile is re-read and judged again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from servicekit.clock import Clock
from servicekit.lease import Lease
from services.profiles.application.profiles import WRITE_ATTEMPTS, ProfileRecords, Profiles
from services.profiles.domain import TherapistProfile, VersionConflict, current_standing, updated_event

PAGE_SIZE = 200


@dataclass(frozen=True)
class LicenceCheckRun:
    """What one run did: whether this replica held the lease, and how many profiles it republished."""

    ran: bool
    republished: int = 0


class LicenceCheck:
    def __init__(
        self,
        uow: Profiles,
        clock: Clock,
        lease: Lease,
        *,
        holder: str,
        lease_for: timedelta,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.lease = lease
        self.holder = holder
        self.lease_for = lease_for
        self.page_size = page_size

    async def run_once(self) -> LicenceCheckRun:
        """One round: nothing unless this replica holds the lease (renewed before each page)."""
        republished = 0
        after: str | None = None
        while True:
            if not await self.lease.take(self.holder, self.clock.now(), self.lease_for):
                return LicenceCheckRun(ran=after is not None, republished=republished)
            page = await self.uow.reads().profiles.page(after, self.page_size)
            for profile in page:
                try:
                    republished += int(await restand(profile, self.uow, self.clock))
                except VersionConflict:  # busy with its owner's edits: the next round sees it
                    continue
            if len(page) < self.page_size:
                return LicenceCheckRun(ran=True, republished=republished)
            after = page[-1].id


async def restand(profile: TherapistProfile, uow: Profiles, clock: Clock) -> bool:
    """Store and announce what time has made of `profile`'s licences; False if nothing changed."""
    for _ in range(WRITE_ATTEMPTS):
        changed = current_standing(profile, clock.now())
        if changed is None:
            return False

        async def work(
            tx: ProfileRecords, changed: TherapistProfile = changed, before: TherapistProfile = profile
        ) -> None:
            await tx.profiles.replace(changed)
            tx.emit(updated_event(changed, before))

        try:
            await uow.run(work)
            return True
        except VersionConflict:  # changed meanwhile: judge the new version
            fresh = await uow.reads().profiles.get(profile.id)
            if fresh is None:
                return False
            profile = fresh
    raise VersionConflict(profile.id)
