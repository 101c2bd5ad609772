"""Therapists' changes: the caller's token is forwarded, rejections come back typed."""

from tests.integration.gateway.operations import FIND_MATCH

UPDATE = """
mutation ($id: ID!, $patch: TherapistProfilePatch!, $ifMatch: Int) {
  updateMyProfile(therapistId: $id, patch: $patch, ifMatch: $ifMatch) {
    __typename
    ... on ProfileUpdated { version therapist { displayName location { city state } } }
    ... on ValidationFailed { message fieldErrors { path field message code } }
    ... on VersionConflict { message }
    ... on NotFound { message }
  }
}"""

SET_STATEMENT = """
mutation ($id: ID!, $slug: String!, $statement: String!) {
  setApproachStatement(therapistId: $id, slug: $slug, statement: $statement) {
    __typename
    ... on ApproachStatementSaved { approach { statement approach { name } } }
  }
}"""

TOKEN = {"Authorization": "Bearer therapist-token"}


async def test_an_update_forwards_the_token_and_a_merge_patch(gw):
    data = await gw.data(
        UPDATE,
        {"id": "t0004", "patch": {"displayName": "Rowan Elbery, LMFT-S", "location": {"city": "Round Rock"}}},
        headers=TOKEN,
    )
    result = data["updateMyProfile"]
    assert result["__typename"] == "ProfileUpdated" and result["version"] == 2
    assert result["therapist"]["displayName"] == "Rowan Elbery, LMFT-S"
    patch_call = next(c for c in gw.stub.calls if c.method == "PATCH")
    assert patch_call.headers["Authorization"] == "Bearer therapist-token"
    assert patch_call.headers["Content-Type"] == "application/merge-patch+json"
    assert patch_call.body == {"displayName": "Rowan Elbery, LMFT-S", "location": {"city": "Round Rock"}}


async def test_the_updated_profile_is_read_fresh_from_the_public_view(gw):
    await gw.data('query { therapist(id: "t0004") { displayName } }', headers=TOKEN)
    data = await gw.data(UPDATE, {"id": "t0004", "patch": {"displayName": "New Name"}}, headers=TOKEN)
    assert data["updateMyProfile"]["therapist"]["displayName"] == "New Name"


async def test_field_errors_become_a_typed_validation_result(gw):
    data = await gw.data(UPDATE, {"id": "t0004", "patch": {"displayName": ""}}, headers=TOKEN)
    result = data["updateMyProfile"]
    assert result["__typename"] == "ValidationFailed"
    assert [e["path"] for e in result["fieldErrors"]] == [["displayName"], ["location", "state"]]
    assert result["fieldErrors"][0]["code"] == "string_too_short"


async def test_a_stale_version_is_a_version_conflict(gw):
    data = await gw.data(UPDATE, {"id": "t0004", "patch": {"pronouns": None}, "ifMatch": 7}, headers=TOKEN)
    assert data["updateMyProfile"]["__typename"] == "VersionConflict"
    assert next(c for c in gw.stub.calls if c.method == "PATCH").headers["If-Match"] == "7"


async def test_an_unknown_profile_is_not_found(gw):
    data = await gw.data(UPDATE, {"id": "nobody", "patch": {"pronouns": "she/her"}}, headers=TOKEN)
    assert data["updateMyProfile"]["__typename"] == "NotFound"


async def test_a_change_without_a_token_is_unauthenticated_and_nothing_is_sent(gw):
    status, body = await gw.post(UPDATE, {"id": "t0004", "patch": {"pronouns": "he/him"}})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert not [c for c in gw.stub.calls if c.method == "PATCH"]


async def test_setting_a_statement_puts_it_under_the_approach(gw):
    statement = "In EMDR I move slowly — resourcing first, then “the hard memory”, only when you’re ready."
    data = await gw.data(
        SET_STATEMENT, {"id": "t0005", "slug": "emdr", "statement": statement}, headers=TOKEN
    )
    saved = data["setApproachStatement"]
    assert saved == {
        "__typename": "ApproachStatementSaved",
        "approach": {"statement": statement, "approach": {"name": "EMDR"}},
    }
    put = next(c for c in gw.stub.calls if c.method == "PUT")
    assert put.path == "/v1/therapists/t0005/approaches/emdr" and put.body == {"statement": statement}


async def test_find_match_answers_with_reasons_and_never_logs_the_answers(gw, capsys):
    secret = "grief-after-a-loss-7c1e"
    data = await gw.data(
        FIND_MATCH, {"questionnaire": {"state": "TX", "concerns": [secret], "preferences": {"faith": secret}}}
    )
    edges = data["findMatch"]["edges"]
    assert edges and edges[0]["reasons"] == ["Practises in your state", "Takes new clients"]
    # An invalid answer makes graphql-core quote the value in its error message: not in logs either.
    await gw.post(FIND_MATCH, {"questionnaire": {"state": "TX", "first": secret}})
    await gw.post(FIND_MATCH, {"questionnaire": {"concerns": [secret]}})
    captured = capsys.readouterr()
    assert secret not in captured.out and secret not in captured.err


async def test_answers_the_search_service_rejects_are_a_user_error(gw):
    status, body = await gw.post(FIND_MATCH, {"questionnaire": {"state": ""}})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
