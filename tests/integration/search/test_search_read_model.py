"""The read model follows the events: idempotent, order-safe, deletes final, poison dead-lettered."""

from __future__ import annotations

import asyncio
import time
import uuid

import aio_pika

from integration_events.subscriptions import SEARCH_EVENTS
from integration_events.therapists import THERAPIST_CREATED
from services.search.domain.answers import SpecialistsPage
from services.search.index import SearchIndex
from services.search.store import stored_listing
from services.search.sync import COMMIT_INTERVAL
from tests.integration.search.conftest import approach, profile


async def test_a_published_therapist_appears_as_a_card_and_in_text_search(search):
    data = profile(displayName="Ilse Brindlemere, LCSW")
    await search.put_therapist(data)
    await search.settled(data["id"], 1)
    card = await search.card(data["id"])
    assert card["displayName"] == "Ilse Brindlemere, LCSW"
    assert card["availabilityStale"] is False
    assert "bio" not in card and "licences" not in card
    body = await search.search(text="brindlemere")
    assert [e["node"]["id"] for e in body["edges"]] == [data["id"]]


async def test_a_duplicate_and_an_older_version_change_nothing(search):
    data = profile(displayName="Tobias Quillfield")
    await search.put_therapist(data)
    await search.put_therapist({**data, "version": 3, "title": "Clinical Psychologist"})
    await search.settled(data["id"], 3)
    await search.put_therapist({**data, "version": 3, "title": "Duplicate delivery"})
    await search.put_therapist({**data, "version": 2, "title": "Late older update"})
    marker = profile(displayName="Marker after the stale events")
    await search.put_therapist(marker)  # one queue: once the marker is in, the others were handled
    await search.settled(marker["id"], 1)
    stored = await search.settled(data["id"], 3)
    assert stored["version"] == 3 and stored_listing(stored)[0]["title"] == "Clinical Psychologist"
    assert (await search.card(data["id"]))["title"] == "Clinical Psychologist"


async def test_a_delete_wins_over_a_late_update(search):
    data = profile(displayName="Rowan Harrowby")
    await search.put_therapist(data)
    await search.settled(data["id"], 1)
    await search.delete_therapist(data["id"], 3)
    await search.settled(data["id"], 3)
    await search.put_therapist({**data, "version": 2, "displayName": "Rowan Harrowby (late)"})
    marker = profile()
    await search.put_therapist(marker)
    await search.settled(marker["id"], 1)
    stored = await search.app["read_model"].therapists.find_one({"_id": data["id"]})
    assert stored["deleted"] is True and stored["version"] == 3
    assert await search.card(data["id"]) is None
    assert (await search.search(text="harrowby"))["totalCount"] == 0


async def test_an_invalid_payload_goes_to_the_dead_letter_queue(search, infra):
    event = await search.publish(
        THERAPIST_CREATED, {"id": f"t-{uuid.uuid4().hex[:8]}", "version": 1, "title": "No name, no location"}
    )
    connection = await aio_pika.connect(infra.amqp_url)
    async with connection:
        channel = await connection.channel()
        dead = await channel.get_queue(SEARCH_EVENTS.dead_letter_queue, ensure=True)
        found = False
        for _ in range(200):
            message = await dead.get(no_ack=True, fail=False)
            if message is None:
                await asyncio.sleep(0.05)
                continue
            if message.message_id == event.id:
                found = True
                break
        assert found, "the poison event was not dead-lettered"
    assert await search.card(event.data["id"]) is None


async def test_an_approach_page_lists_each_specialist_with_their_statement(search):
    slug = f"relational-{uuid.uuid4().hex[:6]}"
    await search.put_approach(approach(slug))
    data = profile(
        approaches=[{"slug": slug, "statement": "We notice, together, what happens between us — gently."}]
    )
    await search.put_therapist(data)
    await search.settled(data["id"], 1)
    status, body = await search.get(f"/v1/approaches/{slug}/specialists")
    assert status == 200 and body["totalCount"] == 1
    edge = body["edges"][0]
    assert edge["node"]["id"] == data["id"]
    assert edge["statement"] == "We notice, together, what happens between us — gently."


async def test_an_approach_page_answers_only_the_card_fields_asked_for(search):
    slug = f"relational-{uuid.uuid4().hex[:6]}"
    await search.put_approach(approach(slug))
    data = profile(approaches=[{"slug": slug, "statement": "Between us, slowly."}])
    await search.put_therapist(data)
    await search.settled(data["id"], 1)
    path = f"/v1/approaches/{slug}/specialists?field=id&field=displayName&field=availabilityStale"
    status, body = await search.get(path)
    assert status == 200, body
    [edge] = body["edges"]
    assert edge["statement"] == "Between us, slowly."
    assert edge["node"] == {"id": data["id"], "displayName": data["displayName"], "availabilityStale": False}
    SpecialistsPage.model_validate(body)
    status, body = await search.get(f"/v1/approaches/{slug}/specialists?field=email")
    assert status == 400 and body["error"]["details"][0]["field"] == "field"


async def test_an_unknown_approach_has_an_empty_specialist_list(search):
    status, body = await search.get("/v1/approaches/no-such-approach-here/specialists")
    assert status == 200 and body == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "edges": [],
    }


async def test_after_an_approach_rename_specialists_are_found_under_the_new_slug(search):
    old = f"talk-{uuid.uuid4().hex[:6]}"
    new = f"conversation-{uuid.uuid4().hex[:6]}"
    first = approach(old)
    await search.put_approach(first)
    data = profile(approaches=[{"slug": old, "statement": "Talking it through."}])
    await search.put_therapist(data)
    await search.settled(data["id"], 1)
    await search.put_approach(
        {**first, "slug": new, "version": 2, "previousSlugs": [old], "name": "Conversation Therapy"}
    )

    async def listed_under_new() -> bool:
        status, body = await search.get(f"/v1/approaches/{new}/specialists")
        return (
            status == 200
            and body["totalCount"] == 1
            and body["edges"][0]["statement"] == "Talking it through."
        )

    await search.eventually(listed_under_new)
    card = await search.card(data["id"])
    assert card["approaches"] == [{"slug": new, "statement": "Talking it through."}]
    assert (await search.search(approach=old, text="oakhollow"))["totalCount"] >= 1
    assert (await search.search(text="conversation"))["totalCount"] >= 1


async def test_a_stream_of_changes_is_committed_in_few_commits_and_all_of_it_is_found(search, monkeypatch):
    # Each commit writes, syncs and later merges a segment of its own: a burst of edits must not
    # cost one commit each, and every edit of the burst must still become searchable.
    commits = []
    commit = SearchIndex.commit_blocking
    monkeypatch.setattr(SearchIndex, "commit_blocking", lambda index: (commits.append(1), commit(index)))
    burst = [profile(displayName=f"Orsolya Wrenfield {n}") for n in range(30)]
    started = time.monotonic()
    for data in burst:
        await search.put_therapist(data)
        await asyncio.sleep(0.01)
    for data in burst:
        await search.settled(data["id"], 1)
    seconds = time.monotonic() - started
    assert len(commits) <= seconds / COMMIT_INTERVAL + 2, (len(commits), seconds)
    found = await search.search(text="wrenfield", first=50)
    assert {e["node"]["id"] for e in found["edges"]} == {d["id"] for d in burst}
