"""A therapist keeps their own profile through the gateway alone, against the real services:
created with `createMyProfile`, read back with its private fields by `myProfile` (the public view
without them), edited with `ifMatch` (a stale version is a `VersionConflict`), and deleted, after
which it is gone for the owner, the public and search. The owner view never enters the gateway's
caches."""

from __future__ import annotations

import uuid
from pathlib import Path

from gateway.app import GATEWAY
from gateway.persisted import read_operation
from tests.support import auth_header, eventually

OPERATIONS = Path(__file__).resolve().parents[2] / "gateway" / "operations"
MY_PROFILE, CREATE, UPDATE, SET_STATEMENT, DELETE = (
    read_operation(OPERATIONS / f"{name}.graphql")
    for name in ("MyProfile", "CreateMyProfile", "UpdateMyProfile", "SetApproachStatement", "DeleteMyProfile")
)
THERAPIST = "query($id: ID!) { therapist(id: $id) { id displayName locations { street city isPrivate } } }"
LISTED = 'query { searchTherapists(filter: {state: "ME"}, first: 50) { edges { node { id } } } }'
ADMIN = auth_header("e2e-owner-admin", "admin")
SLUG = "gestalt-therapy"
PRIVATE_EMAIL = f"saoirse.{uuid.uuid4().hex[:6]}@private.example.test"
HOME_OFFICE = "41 Larkspur Lane"
NEW_PROFILE = {
    "displayName": "Saoirse Okwuosa-Henning, LCPC",
    "title": "Licensed Clinical Professional Counselor",
    "location": {"city": "Bangor", "state": "ME"},
    "email": PRIVATE_EMAIL,
    "locations": [
        {"label": "Home office", "street": HOME_OFFICE, "city": "Bangor", "state": "ME", "isPrivate": True}
    ],
}
STATEMENT = "Gestalt, for me, is noticing together — “what is happening right now?” — and staying with it."


async def create_approach(directory) -> None:
    body = {
        "slug": SLUG,
        "name": "Gestalt Therapy",
        "summary": "Awareness, here and now.",
        "description": "…",
    }
    async with directory.http.post(
        f"{directory.urls['approaches']}/v1/approaches", headers=ADMIN, json=body
    ) as r:
        assert r.status == 201, await r.text()


async def listed(directory, therapist_id: str) -> bool:
    edges = (await directory.graphql(LISTED))["searchTherapists"]["edges"]
    return any(e["node"]["id"] == therapist_id for e in edges)


def cached_text(directory) -> str:
    gateway = directory.apps["gateway"][GATEWAY]
    caches = (gateway.read_cache, gateway.response_cache)
    return " ".join(repr(entry.value) for cache in caches for entry in cache._entries.values())


async def test_a_therapist_creates_reads_edits_and_deletes_their_profile_through_the_gateway(directory):
    await create_approach(directory)
    owner = auth_header(f"e2e-owner-{uuid.uuid4().hex[:8]}")
    assert (await directory.graphql(MY_PROFILE, headers=owner)) == {"myProfile": None}

    created = (await directory.graphql(CREATE, {"input": NEW_PROFILE}, owner))["createMyProfile"]
    assert created["__typename"] == "ProfileCreated", created
    therapist_id = created["profile"]["id"]
    again = (await directory.graphql(CREATE, {"input": NEW_PROFILE}, owner))["createMyProfile"]
    assert again["__typename"] == "ProfileAlreadyExists" and again["therapistId"] == therapist_id

    # The owner reads the private fields; the public view, also inside myProfile, has none of them.
    mine = (await directory.graphql(MY_PROFILE, headers=owner))["myProfile"]
    assert mine["id"] == therapist_id and mine["version"] == 1
    assert mine["email"] == PRIVATE_EMAIL and mine["locations"][0]["street"] == HOME_OFFICE
    assert mine["publicView"]["displayName"] == NEW_PROFILE["displayName"]
    public = (await directory.graphql(THERAPIST, {"id": therapist_id}))["therapist"]
    assert public["locations"] == [{"street": None, "city": "Bangor", "isPrivate": True}]
    stranger = auth_header(f"e2e-stranger-{uuid.uuid4().hex[:8]}")
    assert (await directory.graphql(MY_PROFILE, headers=stranger)) == {"myProfile": None}

    # Edits answer with the owner view; an edit based on an old version is refused.
    update = {"therapistId": therapist_id, "patch": {"pronouns": "she/her"}, "ifMatch": 1}
    updated = (await directory.graphql(UPDATE, update, owner))["updateMyProfile"]
    assert updated["__typename"] == "ProfileUpdated" and updated["profile"]["version"] == 2
    assert updated["profile"]["pronouns"] == "she/her" and updated["profile"]["email"] == PRIVATE_EMAIL
    stale = {**update, "patch": {"pronouns": "they/them"}}
    assert (await directory.graphql(UPDATE, stale, owner))["updateMyProfile"][
        "__typename"
    ] == "VersionConflict"

    async def stated():
        variables = {"therapistId": therapist_id, "slug": SLUG, "statement": STATEMENT}
        result = (await directory.graphql(SET_STATEMENT, variables, owner))["setApproachStatement"]
        return result if result["__typename"] == "ApproachStatementSaved" else None  # until profiles knows it

    saved = await eventually(stated, what="the statement accepted")
    assert saved["profile"]["approaches"] == [
        {"slug": SLUG, "name": "Gestalt Therapy", "statement": STATEMENT}
    ]
    assert (await directory.graphql(MY_PROFILE, headers=owner))["myProfile"]["version"] == 3

    await eventually(lambda: listed(directory, therapist_id), what="the therapist listed in search")
    assert PRIVATE_EMAIL not in cached_text(directory) and HOME_OFFICE not in cached_text(directory)

    deleted = (await directory.graphql(DELETE, {"therapistId": therapist_id}, owner))["deleteMyProfile"]
    assert deleted == {"__typename": "ProfileDeleted", "therapistId": therapist_id}
    assert (await directory.graphql(MY_PROFILE, headers=owner)) == {"myProfile": None}
    assert (await directory.graphql(THERAPIST, {"id": therapist_id}))["therapist"] is None

    async def gone() -> bool:
        return not await listed(directory, therapist_id)

    await eventually(gone, what="the therapist gone from search")
    again = (await directory.graphql(DELETE, {"therapistId": therapist_id}, owner))["deleteMyProfile"]
    assert again["__typename"] == "NotFound"
