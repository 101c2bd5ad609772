"""The therapist's own profile through the gateway: `myProfile`, `createMyProfile`,
`deleteMyProfile` and the owner view the profile mutations answer with. Owner views hold private
fields, so they are never cached and never shared between requests."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY

from tests.integration.gateway.backends import owner_token
from tests.integration.gateway.operations import (
    CONFIRM_AVAILABILITY,
    CREATE_MY_PROFILE,
    DELETE_MY_PROFILE,
    MY_PROFILE,
    SET_APPROACH_STATEMENT,
    THERAPIST,
    UPDATE_MY_PROFILE,
)
from tests.integration.gateway.owner_profiles import PRIVATE_EMAIL

OWNER = {"Authorization": owner_token("t0003")}
NEW_ACCOUNT = {"Authorization": "Bearer account-without-a-profile"}
NEW_PROFILE = {
    "displayName": "Wren Adebayo-Lindqvist, LMHC",
    "title": "Licensed Mental Health Counselor",
    "location": {"city": "Tampa", "state": "FL"},
    "email": "wren.private.3307@example.test",
    "bio": {"about": "I work with “all-or-nothing” thinking — kindly."},
}


def code_of(body: dict) -> str:
    return body["errors"][0]["extensions"]["code"]


def me_calls(gw) -> list:
    return [c for c in gw.stub.calls if c.backend == "profiles" and c.path == "/v1/me"]


def response_cache_hits() -> float:
    return REGISTRY.get_sample_value("directory_gateway_responses_total", {"cache": "hit"}) or 0.0


def cached_values(gw) -> str:
    caches = (gw.gateway.read_cache, gw.gateway.response_cache)
    return " ".join(repr(entry.value) for cache in caches for entry in cache._entries.values())


# -- myProfile ---------------------------------------------------------------------------------------


async def test_my_profile_is_the_owner_view_with_approach_names_and_the_public_view(gw):
    mine = (await gw.data(MY_PROFILE, headers=OWNER))["myProfile"]
    public = gw.stub.profiles["t0003"]
    assert mine["id"] == "t0003" and mine["version"] == public["version"]
    assert mine["email"] == PRIVATE_EMAIL and mine["displayName"] == public["displayName"]
    names = {a["slug"]: a["name"] for a in gw.stub.approaches.values()}
    assert mine["approaches"] == [
        {"slug": a["slug"], "name": names[a["slug"]], "statement": a["statement"]}
        for a in public["approaches"]
    ]
    assert mine["publicView"]["id"] == "t0003"
    assert mine["publicView"]["displayName"] == public["displayName"]
    (call,) = me_calls(gw)
    assert call.headers["Authorization"] == OWNER["Authorization"]


async def test_my_profile_without_a_token_is_unauthenticated_and_profiles_is_not_asked(gw):
    status, body = await gw.post(MY_PROFILE)
    assert code_of(body) == "UNAUTHENTICATED" and body["data"] == {"myProfile": None}
    assert me_calls(gw) == []


async def test_an_expired_token_is_unauthenticated(gw):
    status, body = await gw.post(MY_PROFILE, headers={"Authorization": "Bearer expired"})
    assert code_of(body) == "UNAUTHENTICATED"


async def test_a_token_without_the_therapist_role_is_forbidden(gw):
    status, body = await gw.post(MY_PROFILE, headers={"Authorization": "Bearer reader"})
    assert code_of(body) == "FORBIDDEN"


async def test_an_account_without_a_profile_reads_null(gw):
    assert await gw.data(MY_PROFILE, headers=NEW_ACCOUNT) == {"myProfile": None}


async def test_days_since_availability_was_confirmed_and_staleness_follow_the_60_day_rule(gw):
    query = "{ myProfile { availabilityConfirmedAt daysSinceAvailabilityConfirmed availabilityStale } }"
    seen = []
    for days in (10, 61, None):
        confirmed = None if days is None else (datetime.now(UTC) - timedelta(days=days, hours=1)).isoformat()
        gw.stub.profiles["t0003"]["availabilityConfirmedAt"] = confirmed
        mine = (await gw.data(query, headers=OWNER))["myProfile"]
        seen.append((mine["daysSinceAvailabilityConfirmed"], mine["availabilityStale"]))
    assert seen == [(10, False), (61, True), (None, True)]


async def test_two_owners_identical_queries_are_never_coalesced_or_cached(gw):
    gw.stub.me_delay = 0.3  # long enough for all four to be in flight together
    owners = [owner_token("t0001"), owner_token("t0002")] * 2
    hits_before = response_cache_hits()

    async def ask(authorization: str) -> dict:
        return (await gw.data(MY_PROFILE, headers={"Authorization": authorization}))["myProfile"]

    first = await asyncio.gather(*(ask(a) for a in owners))
    again = await asyncio.gather(*(ask(a) for a in owners))
    assert [p["id"] for p in first + again] == ["t0001", "t0002"] * 4
    assert sorted(c.headers["Authorization"] for c in me_calls(gw)) == sorted(owners * 2)
    assert response_cache_hits() == hits_before
    assert PRIVATE_EMAIL not in cached_values(gw)
    # The public parts of the same answers are cached as for anyone.
    assert "t0001" in cached_values(gw)


# -- createMyProfile ---------------------------------------------------------------------------------


async def test_creating_forwards_the_token_and_the_given_fields_and_answers_the_owner_view(gw):
    result = (await gw.data(CREATE_MY_PROFILE, {"input": NEW_PROFILE}, headers=NEW_ACCOUNT))[
        "createMyProfile"
    ]
    assert result["__typename"] == "ProfileCreated"
    created = result["profile"]
    assert created["version"] == 1 and created["email"] == NEW_PROFILE["email"]
    assert created["bio"]["about"] == NEW_PROFILE["bio"]["about"]
    assert created["availabilityStale"] is True and created["daysSinceAvailabilityConfirmed"] is None
    post = next(c for c in gw.stub.calls if c.method == "POST" and c.path == "/v1/therapists")
    assert post.body == NEW_PROFILE and post.headers["Authorization"] == NEW_ACCOUNT["Authorization"]
    mine = (await gw.data(MY_PROFILE, headers=NEW_ACCOUNT))["myProfile"]
    assert mine["id"] == created["id"] and mine["publicView"]["displayName"] == NEW_PROFILE["displayName"]


async def test_a_second_profile_is_profile_already_exists_naming_the_first(gw):
    result = (await gw.data(CREATE_MY_PROFILE, {"input": NEW_PROFILE}, headers=OWNER))["createMyProfile"]
    assert result["__typename"] == "ProfileAlreadyExists"
    assert result["therapistId"] == "t0003" and result["message"]


async def test_an_invalid_new_profile_is_validation_failed_with_its_field_errors(gw):
    invalid = {**NEW_PROFILE, "location": {"city": "Tampa", "state": "Florida"}}
    result = (await gw.data(CREATE_MY_PROFILE, {"input": invalid}, headers=NEW_ACCOUNT))["createMyProfile"]
    assert result["__typename"] == "ValidationFailed"
    assert [(e["path"], e["code"]) for e in result["fieldErrors"]] == [(["location", "state"], "value_error")]


async def test_creating_without_a_token_is_unauthenticated_and_nothing_is_sent(gw):
    status, body = await gw.post(CREATE_MY_PROFILE, {"input": NEW_PROFILE})
    assert code_of(body) == "UNAUTHENTICATED"
    assert not [c for c in gw.stub.calls if c.method == "POST"]


# -- deleteMyProfile ---------------------------------------------------------------------------------


async def test_deleting_answers_profile_deleted_and_the_cached_profile_is_forgotten(gw):
    for _ in range(2):  # the second answer comes from the caches
        assert (await gw.data(THERAPIST, {"id": "t0003"}))["therapist"]["id"] == "t0003"
    result = (await gw.data(DELETE_MY_PROFILE, {"therapistId": "t0003"}, headers=OWNER))["deleteMyProfile"]
    assert result == {"__typename": "ProfileDeleted", "therapistId": "t0003"}
    # No event reaches the gateway in these tests: only the mutation's own forgetting empties the caches.
    assert (await gw.data(THERAPIST, {"id": "t0003"}))["therapist"] is None
    assert await gw.data(MY_PROFILE, headers=OWNER) == {"myProfile": None}


async def test_deleting_an_unknown_profile_is_not_found(gw):
    result = (await gw.data(DELETE_MY_PROFILE, {"therapistId": "nobody"}, headers=OWNER))["deleteMyProfile"]
    assert result["__typename"] == "NotFound" and result["message"]


async def test_deleting_someone_elses_profile_is_forbidden_and_it_stays(gw):
    status, body = await gw.post(DELETE_MY_PROFILE, {"therapistId": "t0004"}, headers=OWNER)
    assert code_of(body) == "FORBIDDEN"
    assert "t0004" in gw.stub.profiles


async def test_deleting_without_a_token_is_unauthenticated_and_nothing_is_sent(gw):
    status, body = await gw.post(DELETE_MY_PROFILE, {"therapistId": "t0003"})
    assert code_of(body) == "UNAUTHENTICATED"
    assert not [c for c in gw.stub.calls if c.method == "DELETE"]


# -- the owner view in the other profile mutations -----------------------------------------------------


async def test_an_update_answers_with_the_owner_view_of_the_new_version(gw):
    variables = {"therapistId": "t0003", "patch": {"pronouns": "she/her"}, "ifMatch": 1}
    result = (await gw.data(UPDATE_MY_PROFILE, variables, headers=OWNER))["updateMyProfile"]
    assert result["__typename"] == "ProfileUpdated" and result["version"] == 2
    assert result["profile"]["version"] == 2 and result["profile"]["pronouns"] == "she/her"
    assert result["profile"]["email"] == PRIVATE_EMAIL


async def test_a_stale_update_is_a_version_conflict_without_a_profile(gw):
    variables = {"therapistId": "t0003", "patch": {"pronouns": "she/her"}, "ifMatch": 9}
    result = (await gw.data(UPDATE_MY_PROFILE, variables, headers=OWNER))["updateMyProfile"]
    assert result["__typename"] == "VersionConflict"


async def test_confirming_availability_answers_with_a_fresh_confirmation(gw):
    variables = {"therapistId": "t0003", "newClientStatus": "WAITLIST"}
    result = (await gw.data(CONFIRM_AVAILABILITY, variables, headers=OWNER))["confirmAvailability"]
    profile = result["profile"]
    assert profile["newClientStatus"] == "WAITLIST"
    assert profile["daysSinceAvailabilityConfirmed"] == 0 and profile["availabilityStale"] is False


async def test_a_saved_statement_answers_with_the_owner_view(gw):
    variables = {"therapistId": "t0003", "slug": "emdr", "statement": "Slowly, and only when you’re ready."}
    result = (await gw.data(SET_APPROACH_STATEMENT, variables, headers=OWNER))["setApproachStatement"]
    assert result["__typename"] == "ApproachStatementSaved"
    assert result["profile"]["id"] == "t0003" and result["profile"]["email"] == PRIVATE_EMAIL


async def test_private_fields_never_reach_the_logs(gw, capsys):
    await gw.data(MY_PROFILE, headers=OWNER)
    await gw.data(CREATE_MY_PROFILE, {"input": NEW_PROFILE}, headers=NEW_ACCOUNT)
    await gw.post(CREATE_MY_PROFILE, {"input": {**NEW_PROFILE, "location": {"state": "Florida"}}})
    await gw.post(CREATE_MY_PROFILE, {"input": {**NEW_PROFILE, "yearsInPractice": NEW_PROFILE["email"]}})
    captured = capsys.readouterr()
    for private in (PRIVATE_EMAIL, NEW_PROFILE["email"]):
        assert private not in captured.out and private not in captured.err
