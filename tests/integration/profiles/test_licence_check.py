"""The licence check in the real profiles service, over the real broker and MongoDB wire
protocol: an expiry is published as an ordinary profile event with the licence expired and the
served telehealth states changed, the owner's view says why the profile is not listed, a second
run publishes nothing, and of two replicas asking for the lease at once one works."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from integration_events.therapists import THERAPIST_UPDATED, TherapistPublicProfile
from servicekit.clock import FixedClock
from servicekit.lease import MongoLease
from services.profiles.app import LICENCE_CHECK, LICENCE_CHECK_LEASE, build_app
from services.profiles.application import LicenceCheck
from services.profiles.mailer import MailSettings, SmtpMailer
from services.profiles.settings import LicenceCheckSettings
from tests.integration.profiles.conftest import SENDER, ProfilesService, new_sub
from tests.support import serving

# 09:00 in Austin on 10 March 2026, the licence's last valid day.
LAST_DAY = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
PSYCHOLOGIST = {
    "displayName": "Dr. Imogen Achterberg-Solís, PsyD",
    "title": "Clinical Psychologist",
    "location": {"city": "Austin", "state": "TX"},
    "formats": ["video"],
    # PSYPACT: a Texas psychologist may serve Colorado online; New York is not a member.
    "telehealthStates": ["TX", "CO", "NY"],
    "licences": [{"kind": "PSYCHOLOGIST", "number": "PSY-5521", "state": "TX", "expires": "2026-03-10"}],
}


@pytest.fixture(scope="module")
def clock():
    return FixedClock(LAST_DAY)


@pytest.fixture(scope="module")
async def licensed_profiles(infra, smtp, clock):
    """A profiles service of its own whose clock the tests move (its checks run when told)."""
    settings = infra.settings("profiles", database=f"profiles_lic_{uuid.uuid4().hex[:8]}")
    app = build_app(
        settings,
        relay_poll_interval=0.1,
        mailer=SmtpMailer(MailSettings(url=smtp.url, sender=SENDER)),
        clock=clock,
        licence_check=LicenceCheckSettings(interval_seconds=3600),
    )
    async with serving(app, settings.port) as url, aiohttp.ClientSession() as http:
        runtime = app["runtime"]
        await asyncio.wait_for(runtime.prepared.wait(), 30)
        await runtime.bus.wait_connected(timeout=30)
        yield ProfilesService(url, app, http)


async def test_an_expiry_publishes_a_profile_event_with_the_licence_expired(
    licensed_profiles, therapist_events, clock
):
    clock.moment = LAST_DAY
    sub = new_sub()
    created = await licensed_profiles.create(sub, **PSYCHOLOGIST)
    assert created["telehealthStatesServed"] == ["TX", "CO"]
    assert created["listing"] == {"shown": True, "reason": None}
    assert created["licenceNotices"][0]["daysLeft"] == 0
    check = licensed_profiles.app[LICENCE_CHECK]
    assert (await check.run_once()).republished == 0  # still valid through today in Texas

    clock.moment = LAST_DAY + timedelta(days=1)
    assert (await check.run_once()).republished == 1
    events = await therapist_events.for_subject(created["id"], 2)
    assert [e.type for e in events][-1] == THERAPIST_UPDATED
    expired = TherapistPublicProfile.model_validate(events[-1].data)
    assert expired.version == created["version"] + 1
    assert [lic.expired for lic in expired.licences] == [True]
    assert expired.telehealthStatesServed == [] and expired.listed is False
    assert expired.telehealthStates == ["TX", "CO", "NY"]  # what was declared is kept

    mine = await licensed_profiles.call("GET", "/v1/me", sub=sub)
    assert mine.body["listing"]["shown"] is False
    assert "All your licences have expired" in mine.body["listing"]["reason"]
    assert mine.body["licenceNotices"][0]["expired"] is True


async def test_a_second_run_publishes_nothing(licensed_profiles, therapist_events, clock):
    clock.moment = LAST_DAY
    created = await licensed_profiles.create(new_sub(), **PSYCHOLOGIST)
    clock.moment = LAST_DAY + timedelta(days=1)
    check = licensed_profiles.app[LICENCE_CHECK]
    await check.run_once()
    assert (await check.run_once()).republished == 0
    await therapist_events.for_subject(created["id"], 2)
    with contextlib.suppress(TimeoutError):  # waiting a second for an event that must not come
        await therapist_events.for_subject(created["id"], 3, timeout=1.0)
    events = [e for e in therapist_events.seen if e.subject == created["id"]]
    assert [e.data["version"] for e in events] == [1, 2]


async def test_of_two_replicas_checking_at_once_one_works(licensed_profiles, clock):
    clock.moment = LAST_DAY + timedelta(days=30)
    store = licensed_profiles.store
    await store.leases.delete_many({})
    lease = MongoLease(store.leases, LICENCE_CHECK_LEASE)
    uow = licensed_profiles.app[LICENCE_CHECK].uow
    replicas = [
        LicenceCheck(uow, clock, lease, holder=name, lease_for=timedelta(minutes=10))
        for name in ("replica-a", "replica-b")
    ]
    runs = await asyncio.gather(*(replica.run_once() for replica in replicas))
    assert sorted(run.ran for run in runs) == [False, True]
    holder = (await store.leases.find_one({"_id": LICENCE_CHECK_LEASE}))["holder"]
    assert holder == ("replica-a" if runs[0].ran else "replica-b")
    clock.moment += timedelta(minutes=11)  # the lease has expired: the other may take over
    loser = replicas[1] if runs[0].ran else replicas[0]
    assert (await loser.run_once()).ran is True
