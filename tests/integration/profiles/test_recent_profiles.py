"""The versions this process wrote last spare the read before its next write, and never make a
write lose a change: a write based on a stale one is retried with a fresh read."""

from __future__ import annotations

from tests.integration.profiles.conftest import new_sub


async def test_the_version_a_write_committed_is_remembered(profiles):
    sub = new_sub()
    created = await profiles.create(sub)
    await profiles.call("PATCH", f"/v1/therapists/{created['id']}", sub=sub, json={"pronouns": "she/her"})
    assert profiles.store.recent.get(created["id"]).version == 2


async def test_a_write_based_on_a_stale_remembered_version_rereads_and_keeps_every_change(profiles):
    sub = new_sub()
    created = await profiles.create(sub)
    path = f"/v1/therapists/{created['id']}"
    first = profiles.store.recent.get(created["id"])
    await profiles.call("PATCH", path, sub=sub, json={"pronouns": "she/her"})
    profiles.store.recent.remember(first)  # as if another replica had written version 2
    reply = await profiles.call("PATCH", path, sub=sub, json={"bio": {"about": "Hello."}})
    assert reply.status == 200 and reply.body["version"] == 3
    assert reply.body["pronouns"] == "she/her" and reply.body["bio"]["about"] == "Hello."


async def test_a_deleted_profile_is_forgotten(profiles):
    sub = new_sub()
    created = await profiles.create(sub)
    await profiles.call("DELETE", f"/v1/therapists/{created['id']}", sub=sub)
    assert profiles.store.recent.get(created["id"]) is None
