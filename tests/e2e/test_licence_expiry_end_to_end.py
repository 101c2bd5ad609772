"""A licence expires in the whole system: profiles' licence check publishes the change, search
stops listing the therapist (search results, approach pages), the telehealth filter follows the
states the licences allow, and the owner's `myProfile` says why, as the REST owner view does."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from servicekit.clock import FixedClock
from services.profiles.app import LICENCE_CHECK
from tests.e2e.test_approach_page_end_to_end import (
    SEARCH,
    create_approach,
    create_therapist,
    put_statement,
    specialists,
)
from tests.stack import directory_running
from tests.support import auth_header, eventually

# 09:00 in Austin on 10 March 2026, the licence's last valid day.
LAST_DAY = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
MY_LISTING = """
query { myProfile { id listing { shown reason } licenceNotices { kind state expired daysLeft }
  telehealthStatesServed telehealthStatesNotServed } }"""
PUBLIC = """
query($id: ID!) { therapist(id: $id) { id licenceStatus listed telehealthStatesServed
  licences { kind state expired } } }"""


@pytest.fixture(scope="module")
def clock():
    return FixedClock(LAST_DAY)


@pytest.fixture(scope="module")
async def directory(infra, clock):
    async with directory_running(infra, tag="licence", profiles_clock=clock) as running:
        yield running


async def found(directory, text: str, **filter_: str) -> set[str]:
    data = await directory.graphql(SEARCH, {"text": text, "filter": filter_, "first": 50})
    return {edge["node"]["id"] for edge in data["searchTherapists"]["edges"]}


async def test_a_therapist_whose_licences_all_expired_is_listed_nowhere(directory, clock):
    slug = f"licence-e2e-{uuid.uuid4().hex[:6]}"
    await create_approach(directory, slug, "Compassion Focused Therapy")
    sub = f"e2e-licensed-{uuid.uuid4().hex[:6]}"
    name = f"Dr. Ottilie Brennan-Achebe {uuid.uuid4().hex[:4]}, PsyD"
    therapist_id = await create_therapist(
        directory,
        sub,
        {
            "displayName": name,
            "title": "Clinical Psychologist",
            "location": {"city": "Austin", "state": "TX"},
            "formats": ["video"],
            "newClientStatus": "newpt",
            "telehealthStates": ["TX", "CO", "NY"],
            "licences": [{"kind": "PSYCHOLOGIST", "number": "PSY-1", "state": "TX", "expires": "2026-03-10"}],
        },
    )
    await put_statement(directory, sub, therapist_id, slug, "I work with what compassion makes possible.")

    async def on_the_page() -> bool:
        return therapist_id in {e["node"]["id"] for e in await specialists(directory, slug)}

    await eventually(on_the_page, what="listed on the approach page")
    # PSYPACT: licensed in Texas, so Colorado is served online; New York is declared but not served.
    assert therapist_id in await found(directory, name, telehealthState="CO")
    assert therapist_id not in await found(directory, name, telehealthState="NY")

    clock.moment = LAST_DAY + timedelta(days=1)
    assert (await directory.apps["profiles"][LICENCE_CHECK].run_once()).republished >= 1

    async def gone() -> bool:
        return not await on_the_page() and therapist_id not in await found(directory, name, state="TX")

    await eventually(gone, what="no longer listed in search or on the approach page")
    public = (await directory.graphql(PUBLIC, {"id": therapist_id}))["therapist"]
    assert public["licenceStatus"] == "EXPIRED" and public["listed"] is False
    assert public["telehealthStatesServed"] == [] and public["licences"][0]["expired"] is True

    mine = (await directory.graphql(MY_LISTING, headers=auth_header(sub, "therapist")))["myProfile"]
    async with directory.http.get(
        f"{directory.urls['profiles']}/v1/me", headers=auth_header(sub, "therapist")
    ) as response:
        rest = await response.json()
    assert mine["listing"] == rest["listing"] and mine["listing"]["shown"] is False
    assert mine["licenceNotices"] == [
        {"kind": "PSYCHOLOGIST", "state": "TX", "expired": True, "daysLeft": -1}
    ]
    assert mine["telehealthStatesNotServed"] == ["TX", "CO", "NY"]
