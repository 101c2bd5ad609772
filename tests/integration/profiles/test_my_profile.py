"""`GET /v1/me`: the caller's own profile, found by the token's account, exactly as the owner's
view of it answers (body and ETag); 404 while the account has none."""

from __future__ import annotations

import pytest

from tests.integration.profiles.conftest import new_sub
from tests.support import token

PRIVATE = {"email": "quill.private.5521@example.test", "phone": "+1 (406) 555-0119"}


async def test_the_owner_gets_the_body_and_etag_of_the_private_view(profiles):
    owner = new_sub()
    created = await profiles.create(owner, **PRIVATE)
    mine = await profiles.call("GET", "/v1/me", sub=owner)
    by_id = await profiles.call("GET", f"/v1/therapists/{created['id']}/private", sub=owner)
    assert mine.status == 200, mine.body
    assert mine.body == by_id.body == created
    assert mine.headers["ETag"] == by_id.headers["ETag"] == '"1"'
    assert mine.body["email"] == PRIVATE["email"] and mine.body["phone"] == PRIVATE["phone"]


async def test_it_follows_the_profiles_changes(profiles):
    owner = new_sub()
    created = await profiles.create(owner)
    changed = await profiles.call(
        "PATCH", f"/v1/therapists/{created['id']}", sub=owner, json={"pronouns": "she/her"}
    )
    mine = await profiles.call("GET", "/v1/me", sub=owner)
    assert mine.body == changed.body and mine.body["version"] == 2
    assert mine.headers["ETag"] == '"2"'


async def test_an_account_without_a_profile_is_told_404_with_the_error_body(profiles):
    await profiles.create()  # another account's profile
    reply = await profiles.call("GET", "/v1/me", sub=new_sub())
    assert reply.status == 404
    assert reply.body["error"]["code"] == "not_found"
    assert "no therapist profile" in reply.body["error"]["message"]


async def test_after_deleting_the_account_has_none_again(profiles):
    owner = new_sub()
    created = await profiles.create(owner)
    deleted = await profiles.call("DELETE", f"/v1/therapists/{created['id']}", sub=owner)
    assert deleted.status == 204
    assert (await profiles.call("GET", "/v1/me", sub=owner)).status == 404


async def test_each_account_sees_only_its_own(profiles):
    first, second = new_sub(), new_sub()
    mine = await profiles.create(first, displayName="Arlo Finch-Dempsey, LPC")
    theirs = await profiles.create(second, displayName="Marisol Quenby, PsyD")
    assert (await profiles.call("GET", "/v1/me", sub=first)).body["id"] == mine["id"]
    assert (await profiles.call("GET", "/v1/me", sub=second)).body["id"] == theirs["id"]


@pytest.mark.parametrize("bearer", ["not-a-token", None], ids=["bad-token", "no-token"])
async def test_without_a_valid_token_it_is_401(profiles, bearer):
    assert (await profiles.call("GET", "/v1/me", bearer=bearer)).status == 401


async def test_a_token_without_the_therapist_role_is_403(profiles):
    owner = new_sub()
    await profiles.create(owner)
    reply = await profiles.call("GET", "/v1/me", bearer=token(owner, "reader"))
    assert reply.status == 403
