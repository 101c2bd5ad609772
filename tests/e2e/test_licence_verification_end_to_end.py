"""An administrator's licence verification in the whole system: the REST decision in profiles
reaches the search card ("licence verified <date>"), the `verifiedOnly` filter and its facet, and
the public page, within the propagation time; a rejection takes it off again, its reason nowhere."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from tests.e2e.test_approach_page_end_to_end import ADMIN, create_therapist
from tests.stack import directory_running
from tests.support import eventually

CARDS = """
query($text: String, $filter: TherapistFilter) {
  searchTherapists(text: $text, filter: $filter, first: 20) {
    totalCount
    edges { node { id verifiedLicences { kind state verifiedAt } } }
    facets { verified { value count } }
  }
}"""
PAGE = """
query($id: ID!) { therapist(id: $id) { id verifiedLicences { kind state verifiedAt }
  licences { kind state verificationStatus verifiedAt } } }"""
LICENCE = {"kind": "LCSW", "number": "TX-LCSW-55120", "state": "TX", "expires": "2031-08-31"}


@pytest.fixture(scope="module")
async def directory(infra):
    async with directory_running(infra, tag="verify") as running:
        yield running


async def decide(directory, therapist_id: str, decision: str, **fields) -> dict:
    body = {
        "licence": {key: LICENCE[key] for key in ("kind", "state", "number")},
        "decision": decision,
        "checked": "Texas BHEC register, by licence number",
        **fields,
    }
    url = f"{directory.urls['profiles']}/v1/therapists/{therapist_id}/licence-verifications"
    async with directory.http.post(url, json=body, headers=ADMIN) as response:
        assert response.status == 201, await response.text()
        return await response.json()


async def test_a_verification_shows_on_the_card_and_a_rejection_takes_it_off(directory):
    word = f"zw{uuid.uuid4().hex[:8]}"
    therapist_id = await create_therapist(
        directory,
        f"e2e-verify-{uuid.uuid4().hex[:6]}",
        {
            "displayName": f"Thandiwe Okafor-Lund {word}, LCSW",
            "title": "Licensed Clinical Social Worker",
            "location": {"city": "Austin", "state": "TX"},
            "licences": [LICENCE],
        },
    )

    async def search(**filter_) -> dict:
        return (await directory.graphql(CARDS, {"text": word, "filter": filter_}))["searchTherapists"]

    async def listed() -> bool:
        return (await search())["totalCount"] == 1

    await eventually(listed, what="listed by search")
    assert (await search(verifiedOnly=True))["totalCount"] == 0

    record = await decide(directory, therapist_id, "verified")

    async def verified_card() -> dict | None:
        page = await search(verifiedOnly=True)
        return page if page["totalCount"] == 1 else None

    page = await eventually(verified_card, what="the verified card")
    [edge] = page["edges"]
    [shown] = edge["node"]["verifiedLicences"]
    assert (shown["kind"], shown["state"]) == ("LCSW", "TX")
    assert datetime.fromisoformat(shown["verifiedAt"]) == datetime.fromisoformat(record["decidedAt"])
    assert page["facets"]["verified"] == [{"value": "true", "count": 1}]
    public = (await directory.graphql(PAGE, {"id": therapist_id}))["therapist"]
    assert public["licences"][0]["verificationStatus"] == "VERIFIED"
    assert len(public["verifiedLicences"]) == 1

    reason = "The register lists this number for someone else"
    await decide(directory, therapist_id, "rejected", reason=reason)

    async def unverified() -> bool:
        return (await search(verifiedOnly=True))["totalCount"] == 0

    await eventually(unverified, what="the rejection in search")
    everyone = await search()
    assert everyone["edges"][0]["node"]["verifiedLicences"] == []
    public = await directory.graphql(PAGE, {"id": therapist_id})
    assert public["therapist"]["licences"][0]["verificationStatus"] == "REJECTED"
    assert reason not in str(public) and reason not in str(everyone)
