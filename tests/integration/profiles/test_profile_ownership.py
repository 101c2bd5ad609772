"""`GET /v1/therapists/{id}/ownership`: what another service asks, forwarding the caller's token,
instead of holding who owns which profile. It answers with a status and nothing else."""

from __future__ import annotations

import pytest

from tests.integration.profiles.conftest import new_sub


@pytest.mark.parametrize("roles", [("therapist",), ("admin",)], ids=["owner", "admin"])
async def test_the_owner_and_an_admin_are_told_204_with_no_body(profiles, roles):
    owner = new_sub()
    profile = await profiles.create(owner)
    caller = owner if roles == ("therapist",) else new_sub()
    reply = await profiles.call("GET", f"/v1/therapists/{profile['id']}/ownership", sub=caller, roles=roles)
    assert (reply.status, reply.body) == (204, None)


async def test_another_therapist_is_told_403(profiles):
    profile = await profiles.create()
    reply = await profiles.call("GET", f"/v1/therapists/{profile['id']}/ownership", sub=new_sub())
    assert reply.status == 403


async def test_a_profile_that_does_not_exist_is_404(profiles):
    reply = await profiles.call("GET", "/v1/therapists/no-such-profile/ownership", sub=new_sub())
    assert reply.status == 404


@pytest.mark.parametrize("bearer", ["not-a-token", None], ids=["bad-token", "no-token"])
async def test_a_caller_without_a_valid_token_is_told_401(profiles, bearer):
    profile = await profiles.create()
    reply = await profiles.call("GET", f"/v1/therapists/{profile['id']}/ownership", bearer=bearer)
    assert reply.status == 401
