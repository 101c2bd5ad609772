"""The scheduled licence check over an in-memory unit of work: an expiry is published once as an
ordinary profile change, a second run changes nothing, and only the lease's holder works."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from integration_events.therapists import THERAPIST_UPDATED, TherapistPublicProfile
from servicekit.auth import Principal
from servicekit.clock import FixedClock
from services.profiles import application as app
from services.profiles.domain import NewTherapistProfile, parse_patch
from services.profiles.settings import LicenceCheckSettings

OWNER = Principal("acct-licensed", frozenset({"therapist"}))
LEASE_FOR = timedelta(minutes=10)


class MemoryLease:
    """The lease's contract in memory: held by one holder until it expires."""

    def __init__(self) -> None:
        self.holder: str | None = None
        self.expires = datetime.min.replace(tzinfo=UTC)

    async def take(self, holder: str, at: datetime, duration: timedelta) -> bool:
        if self.holder not in (None, holder) and at < self.expires:
            return False
        self.holder, self.expires = holder, at + duration
        return True


def check(uow, clock, lease, holder="replica-a") -> app.LicenceCheck:
    return app.LicenceCheck(uow, clock, lease, holder=holder, lease_for=LEASE_FOR, page_size=2)


async def licensed_profile(uow, clock, **fields):
    submitted = NewTherapistProfile.model_validate(
        {
            "displayName": "Wren O'Halloran-Buckley, LMFT",
            "title": "Licensed Marriage & Family Therapist",
            "location": {"city": "Austin", "state": "TX"},
            "licences": [{"kind": "LMFT", "number": "LMFT-1", "state": "TX", "expires": "2026-01-10"}],
            "telehealthStates": ["TX"],
            **fields,
        }
    )
    return await app.create_profile(app.CreateProfile(OWNER, submitted), uow, clock)


async def test_an_expiry_is_published_as_a_profile_update_with_the_licence_expired(uow):
    clock = FixedClock(datetime(2026, 1, 10, 12, 0, tzinfo=UTC))
    created = await licensed_profile(uow, clock)
    lease = MemoryLease()
    assert await check(uow, clock, lease).run_once() == app.LicenceCheckRun(ran=True, republished=0)

    clock.moment = datetime(2026, 1, 11, 6, 0, tzinfo=UTC)  # 11 January in Texas
    assert await check(uow, clock, lease).run_once() == app.LicenceCheckRun(ran=True, republished=1)
    event = uow.published[-1]
    assert event.type == THERAPIST_UPDATED and event.subject == created.id
    snapshot = TherapistPublicProfile.model_validate(event.data)
    assert snapshot.version == created.version + 1
    assert snapshot.licences[0].expired is True
    assert snapshot.telehealthStatesServed == [] and snapshot.listed is False


async def test_a_second_run_publishes_nothing(uow):
    clock = FixedClock(datetime(2026, 1, 10, 12, 0, tzinfo=UTC))
    await licensed_profile(uow, clock)
    clock.advance(days=2)
    runner = check(uow, clock, MemoryLease())
    published = len(uow.published)
    first, second = await runner.run_once(), await runner.run_once()
    assert (first.republished, second.republished) == (1, 0)
    assert len(uow.published) == published + 1


async def test_only_the_holder_of_the_lease_works(uow):
    clock = FixedClock(datetime(2026, 1, 12, 12, 0, tzinfo=UTC))
    await licensed_profile(uow, clock)  # expired already when created: nothing for the check
    lease = MemoryLease()
    assert (await check(uow, clock, lease, "replica-a").run_once()).ran is True
    assert (await check(uow, clock, lease, "replica-b").run_once()).ran is False
    clock.advance(minutes=11)  # the lease has expired: another replica may take over
    assert (await check(uow, clock, lease, "replica-b").run_once()).ran is True


async def test_a_renewed_licence_is_listed_again(uow):
    clock = FixedClock(datetime(2026, 1, 12, 12, 0, tzinfo=UTC))
    created = await licensed_profile(uow, clock)
    assert created.licences[0].expired is True
    renewed = [{"kind": "LMFT", "number": "LMFT-1", "state": "TX", "expires": "2028-01-10", "expired": True}]
    target = app.ProfileTarget(created.id, OWNER)
    changed = await app.change_profile(
        app.ChangeProfile(target, parse_patch({"licences": renewed})), uow, clock
    )
    assert changed.licences[0].expired is False and changed.telehealthStatesServed == ["TX"]


def test_the_interval_and_lease_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("LICENCE_CHECK_INTERVAL_SECONDS", "120")
    monkeypatch.setenv("LICENCE_CHECK_LEASE_SECONDS", "")  # empty: the default
    settings = LicenceCheckSettings.from_env()
    assert settings.interval_seconds == 120.0 and settings.lease_for == timedelta(minutes=10)
