"""Statements about approaches: checked against the approaches learnt from approach events."""

from __future__ import annotations

import asyncio
import uuid

import aio_pika

from integration_events.approaches import (
    APPROACH_CREATED,
    APPROACH_DELETED,
    APPROACH_UPDATED,
    ApproachDeleted,
)
from tests.integration.profiles.conftest import approach_event, approach_snapshot, new_sub


def unique_slug(base: str) -> str:
    return f"{base}-{uuid.uuid4().hex[:6]}"


async def test_a_statement_for_a_known_approach_is_stored_as_written(profiles):
    slug = unique_slug("relational-therapy")
    await profiles.learn_approach(slug)
    sub = new_sub()
    created = await profiles.create(sub)
    statement = "I pay close attention to what happens between us — the “here and now” matters. ✨ 我们一起。"
    reply = await profiles.call(
        "PUT", f"/v1/therapists/{created['id']}/approaches/{slug}", sub=sub, json={"statement": statement}
    )
    assert reply.status == 200, reply.body
    public = (await profiles.call("GET", f"/v1/therapists/{created['id']}")).body
    assert public["approaches"] == [{"slug": slug, "statement": statement}]


async def test_a_statement_may_be_2000_characters_and_not_one_more(profiles):
    slug = unique_slug("emdr")
    await profiles.learn_approach(slug)
    sub = new_sub()
    created = await profiles.create(sub)
    path = f"/v1/therapists/{created['id']}/approaches/{slug}"
    longest = await profiles.call("PUT", path, sub=sub, json={"statement": "é" * 2000})
    too_long = await profiles.call("PUT", path, sub=sub, json={"statement": "é" * 2001})
    assert longest.status == 200
    assert too_long.status == 422 and too_long.body["error"]["details"][0]["field"] == "statement"


async def test_a_statement_for_an_unknown_approach_is_a_422_that_says_so(profiles):
    sub = new_sub()
    created = await profiles.create(sub)
    reply = await profiles.call(
        "PUT",
        f"/v1/therapists/{created['id']}/approaches/not-an-approach",
        sub=sub,
        json={"statement": "Hello"},
    )
    assert reply.status == 422
    assert "Unknown approach" in reply.body["error"]["message"]


async def test_statements_in_a_new_profile_or_a_patch_are_checked_too(profiles):
    sub = new_sub()
    refused = await profiles.call(
        "POST",
        "/v1/therapists",
        sub=sub,
        json={
            "displayName": "A. Rivera",
            "title": "LPC",
            "location": {"state": "NM"},
            "approaches": [{"slug": "made-up-approach", "statement": "Hi"}],
        },
    )
    assert refused.status == 422
    assert refused.body["error"]["details"][0]["field"] == "approaches.0.slug"


async def test_a_statement_given_with_an_old_slug_is_stored_under_the_current_one(profiles):
    old, new = unique_slug("client-centered"), unique_slug("person-centered")
    await profiles.learn_approach(new, previous=(old,))
    sub = new_sub()
    created = await profiles.create(sub)
    reply = await profiles.call(
        "PUT",
        f"/v1/therapists/{created['id']}/approaches/{old}",
        sub=sub,
        json={"statement": "Unconditional positive regard."},
    )
    assert reply.status == 200
    assert reply.body["approaches"] == [{"slug": new, "statement": "Unconditional positive regard."}]


async def test_deleting_a_statement_removes_it_and_a_second_delete_is_a_404(profiles):
    slug = unique_slug("narrative-therapy")
    await profiles.learn_approach(slug)
    sub = new_sub()
    created = await profiles.create(sub, approaches=[{"slug": slug, "statement": "Stories."}])
    path = f"/v1/therapists/{created['id']}/approaches/{slug}"
    first = await profiles.call("DELETE", path, sub=sub)
    assert first.status == 204 and first.headers["ETag"] == '"2"'
    assert (await profiles.call("GET", f"/v1/therapists/{created['id']}")).body["approaches"] == []
    assert (await profiles.call("DELETE", path, sub=sub)).status == 404


async def test_an_approach_event_from_the_broker_makes_its_slug_usable(infra, profiles):
    slug = unique_slug("somatic-experiencing")
    event = approach_event(APPROACH_CREATED, approach_snapshot(slug))
    connection = await aio_pika.connect_robust(infra.amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange("directory.events")
        await exchange.publish(aio_pika.Message(event.to_json(), type=event.type), routing_key=event.type)
    for _ in range(100):
        if await profiles.known_slugs(slug):
            break
        await asyncio.sleep(0.05)
    sub = new_sub()
    created = await profiles.create(sub)
    reply = await profiles.call(
        "PUT",
        f"/v1/therapists/{created['id']}/approaches/{slug}",
        sub=sub,
        json={"statement": "Noticing the body."},
    )
    assert reply.status == 200


async def test_a_deleted_approach_is_no_longer_accepted_and_a_late_update_does_not_revive_it(profiles):
    slug = unique_slug("gestalt-therapy")
    snapshot = await profiles.learn_approach(slug, version=1)
    deleted = ApproachDeleted(id=snapshot.id, slug=slug, version=3)
    assert await profiles.handle(approach_event(APPROACH_DELETED, deleted)) == "applied"
    late = snapshot.model_copy(update={"version": 2})
    assert await profiles.handle(approach_event(APPROACH_UPDATED, late)) == "stale"
    assert await profiles.known_slugs(slug) == {}


async def test_a_repeated_approach_event_changes_nothing(profiles):
    snapshot = await profiles.learn_approach(unique_slug("schema-therapy"), version=2)
    renamed_late = snapshot.model_copy(update={"slug": unique_slug("other")})
    assert await profiles.handle(approach_event(APPROACH_UPDATED, snapshot)) == "stale"
    assert await profiles.handle(approach_event(APPROACH_UPDATED, renamed_late)) == "stale"
    document = await profiles.store.approaches.find_one({"_id": snapshot.id})
    assert document["version"] == 2 and document["slug"] == snapshot.slug
