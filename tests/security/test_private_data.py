"""Private profile fields (email, phone, unpublished licence numbers, private street addresses)
never leave the profiles service: not in events on the exchange, not in the search read model,
not in the gateway's output schema or answers, not in any process's logs. Questionnaire answers
never reach the logs either (search and gateway), whether valid or rejected."""

from __future__ import annotations

import asyncio
import time

import aio_pika
import pytest
from bson import json_util
from pymongo import AsyncMongoClient

from integration_events.vocabulary import LICENCE_KINDS
from tests.reliability.processes import eventually
from tests.security.conftest import Caller
from tests.support import token

OWNER = f"sec-private-{time.time_ns()}"
KIND = next(iter(LICENCE_KINDS))
PRIVATE = {
    "email": "hidden.inbox.5521@example.test",
    "phone": "(512) 555-0199",
    "licence": "SECRETLIC77201",
    "street": "1487 Hiddenbrook Lane",
    "patched phone": "(737) 555-0142",
}
PUBLIC = {"licence": "PUBLICLIC30411", "street": "200 Open Plaza"}
ANSWERS = {
    "city": "Marrowfield Crossing",
    "gender": "quillfeather-gender",
    "faith": "lanternwick-faith",
    "raceEthnicity": "tamberly-heritage",
}

PROFILE = {
    "displayName": "Private Data Probe",
    "title": "Licensed Professional Counselor",
    "location": {"city": "Austin", "state": "TX"},
    "email": PRIVATE["email"],
    "phone": PRIVATE["phone"],
    "licences": [
        {"kind": KIND, "number": PRIVATE["licence"], "state": "TX", "numberPublic": False},
        {"kind": KIND, "number": PUBLIC["licence"], "state": "NM", "numberPublic": True},
    ],
    "locations": [
        {
            "label": "Home office",
            "street": PRIVATE["street"],
            "city": "Austin",
            "state": "TX",
            "postalCode": "78704",
            "point": {"lat": 30.2401, "lon": -97.7702},
            "isPrivate": True,
        },
        {
            "label": "Downtown",
            "street": PUBLIC["street"],
            "city": "Austin",
            "state": "TX",
            "isPrivate": False,
        },
    ],
}


def leaked(text: str, secrets: dict[str, str]) -> list[str]:
    return [name for name, value in secrets.items() if value.lower() in text.lower()]


@pytest.fixture(scope="module")
async def observed(stack, caller: Caller, approach: str):
    """The probe profile created, patched and given a statement while the exchange is observed;
    yields (profile id, raw bodies of every event published meanwhile)."""
    connection = await aio_pika.connect(stack.amqp_url, timeout=15)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind("directory.events", routing_key="#")
        headers = {"Authorization": f"Bearer {token(OWNER)}"}
        status, created, _ = await caller.call(
            "profiles", "POST", "/v1/therapists", headers=headers, json=PROFILE
        )
        assert status == 201, created
        path = f"/v1/therapists/{created['id']}"
        status, body, _ = await caller.call(
            "profiles",
            "PATCH",
            path,
            headers=headers,
            json={"phone": PRIVATE["patched phone"], "pronouns": "they/them"},
        )
        assert status == 200, body
        status, body = await caller.put_statement(created["id"], approach, "I work relationally.", headers)
        assert status == 200, body
        bodies: list[bytes] = []

        async def three_events_of_the_probe() -> bool:
            while (message := await queue.get(no_ack=True, fail=False, timeout=2)) is not None:
                bodies.append(message.body)
            return sum(created["id"].encode() in b for b in bodies) >= 3

        await eventually(three_events_of_the_probe, what="the probe's three events")
    yield created["id"], bodies


async def test_private_fields_never_appear_in_events(observed):
    _, bodies = observed
    for body in bodies:
        assert not leaked(body.decode(), PRIVATE), body[:300]
    assert any(PUBLIC["licence"].encode() in b for b in bodies)  # published data does travel


async def test_private_fields_never_reach_the_search_read_model(stack, caller: Caller, observed):
    therapist_id, _ = observed
    async with AsyncMongoClient(stack.mongo.uri) as mongo:
        await eventually(lambda: _indexed_at(mongo, therapist_id, 3), what="search at version 3")
        db = mongo.search
        dump = []
        for name in await db.list_collection_names():
            dump.extend([json_util.dumps(doc) async for doc in db[name].find()])
    text = "\n".join(dump)
    assert PUBLIC["street"] in text
    assert not leaked(text, PRIVATE)
    for query in (PRIVATE["licence"], "Hiddenbrook", "hidden.inbox.5521"):
        status, body, _ = await caller.call("search", "GET", f"/v1/therapists?text={query}")
        assert status == 200 and body["totalCount"] == 0, (query, body)


async def _indexed_at(mongo, therapist_id: str, version: int) -> bool:
    doc = await mongo.search.therapists.find_one({"_id": therapist_id})
    return bool(doc and doc["version"] >= version)


# Object types that carry private fields for one reader alone: an inquiry, the contact details a
# visitor gave, for its therapist (tests/security/test_inquiry_privacy.py); `MyProfile`, the
# therapist's own profile, for them, read with their token and never cached
# (tests/integration/gateway/test_owner_operations.py, and below).
FOR_ONE_READER = {"Inquiry", "MyProfile"}
MY_PROFILE = "{ myProfile { id email phone licences { number } locations { street } } }"


async def test_the_gateway_schema_has_no_private_output_fields_and_answers_none(caller: Caller, observed):
    therapist_id, _ = observed
    status, body, _ = await caller.graphql("{ __schema { types { name kind fields { name } } } }")
    assert status == 200, body
    for kind in body["data"]["__schema"]["types"]:
        if (
            kind["kind"] == "OBJECT"
            and not kind["name"].startswith("__")
            and kind["name"] not in FOR_ONE_READER
        ):
            names = {f["name"].lower() for f in kind["fields"] or []}
            assert not names & {"email", "phone", "ownersub", "phonenumber", "emailaddress"}, kind
    query = """query($id: ID!) { therapist(id: $id) { displayName licences { number state }
               locations { street label city postalCode point { lat lon } isPrivate } } }"""
    status, body, text = await caller.graphql(query, {"id": therapist_id})
    assert status == 200 and not body.get("errors"), body
    assert PUBLIC["licence"] in text and PUBLIC["street"] in text
    assert not leaked(text, PRIVATE)
    private_office = next(loc for loc in body["data"]["therapist"]["locations"] if loc["isPrivate"])
    assert private_office["street"] is None and private_office["point"] is None


async def test_the_owner_view_is_answered_to_its_owner_alone(caller: Caller, observed):
    therapist_id, _ = observed
    status, body, text = await caller.graphql(MY_PROFILE)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED" and body["data"] == {
        "myProfile": None
    }
    stranger = {"Authorization": f"Bearer {token(OWNER + '-stranger')}"}
    status, body, text = await caller.graphql(MY_PROFILE, headers=stranger)
    assert status == 200 and body["data"] == {"myProfile": None} and not body.get("errors"), body
    owner = {"Authorization": f"Bearer {token(OWNER)}"}
    status, body, text = await caller.graphql(MY_PROFILE, headers=owner)
    assert status == 200 and body["data"]["myProfile"]["id"] == therapist_id, body
    assert set(leaked(text, PRIVATE)) == {"email", "licence", "street", "patched phone"}


MATCH = """query($q: MatchQuestionnaire!) { findMatch(questionnaire: $q) { totalCount } }"""


async def test_questionnaire_answers_and_private_fields_never_reach_any_log(stack, caller: Caller, observed):
    answers = {
        "state": "TX",
        "city": ANSWERS["city"],
        "concerns": ["anxiety"],
        "preferences": {
            "gender": ANSWERS["gender"],
            "faith": ANSWERS["faith"],
            "raceEthnicity": ANSWERS["raceEthnicity"],
        },
    }
    status, body, _ = await caller.graphql(MATCH, {"q": answers})
    assert status == 200 and not body.get("errors"), body
    status, body, _ = await caller.call("search", "POST", "/v1/match", json=answers)
    assert status == 200, body
    # Rejected answers (invalid values next to the sensitive ones) are not logged either.
    rejected = {**answers, "zip": "not-a-zip", "concerns": ["no-such-issue"]}
    status, _, _ = await caller.call("search", "POST", "/v1/match", json=rejected)
    assert status in (400, 422)
    status, body, _ = await caller.graphql(MATCH, {"q": {**rejected, "format": "SIDEWAYS"}})
    assert body.get("errors")
    await asyncio.sleep(0.5)  # let the processes flush their last lines
    logs = stack.all_logs()
    assert "event" in logs  # the logs were captured (at DEBUG level)
    assert not leaked(logs, ANSWERS)
    assert not leaked(logs, PRIVATE)
