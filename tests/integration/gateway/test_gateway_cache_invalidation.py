"""Caches follow the services' change events, received over the real broker by each replica."""

from datetime import UTC, datetime

from integration_events.approaches import APPROACH_UPDATED
from integration_events.inquiries import INQUIRY_ANSWERED
from integration_events.therapists import THERAPIST_UPDATED
from servicekit.envelope import new_event
from tests.integration.gateway.backends import StubDirectory
from tests.integration.gateway.conftest import publish, running_gateway
from tests.integration.gateway.operations import APPROACH_PAGE, FIND_MATCH, THERAPIST
from tests.support import eventually


def approach_event(slug: str, name: str, version: int) -> dict:
    now = datetime.now(UTC).isoformat()
    return {
        "id": f"id-{slug}",
        "slug": slug,
        "name": name,
        "version": version,
        "createdAt": now,
        "updatedAt": now,
    }


async def test_a_therapist_event_refreshes_their_profile(gw, publisher):
    await gw.data(THERAPIST, {"id": "t0002"})
    gw.stub.profiles["t0002"]["displayName"] = "Rowan Elbery-Two, PhD"

    async def renamed():
        data = await gw.data(THERAPIST, {"id": "t0002"})
        return data["therapist"]["displayName"] == "Rowan Elbery-Two, PhD"

    assert not await renamed()  # cached until the event says otherwise
    await publish(publisher, THERAPIST_UPDATED, {"id": "t0002", "version": 2})
    await eventually(renamed)


async def test_an_approach_event_refreshes_the_approach_page(gw, publisher):
    await gw.data(APPROACH_PAGE, {"slug": "emdr"})
    gw.stub.approaches["emdr"]["name"] = "EMDR Therapy"

    async def renamed():
        return (await gw.data(APPROACH_PAGE, {"slug": "emdr"}))["approach"]["name"] == "EMDR Therapy"

    assert not await renamed()  # the cached page, until the event says otherwise
    await publish(publisher, APPROACH_UPDATED, approach_event("emdr", "EMDR Therapy", 2))
    await eventually(renamed)


async def test_an_inquiry_event_refreshes_the_therapists_responsiveness(gw, publisher):
    query = 'query { therapist(id: "t0001") { responsiveness { sampleSize } } }'
    await gw.data(query)
    gw.stub.cards[1]["responsiveness"] = {"answeredShare": 0.8, "medianReplyHours": 4.0, "sampleSize": 5}

    async def counted():
        return (await gw.data(query))["therapist"]["responsiveness"]["sampleSize"] == 5

    assert not await counted()  # cached until an inquiry event says otherwise
    now = datetime.now(UTC).isoformat()
    await publish(
        publisher,
        INQUIRY_ANSWERED,
        {"id": "i1", "therapistId": "t0001", "version": 2, "receivedAt": now, "answeredAt": now},
    )
    await eventually(counted)


async def test_every_replica_invalidates_its_own_cache(infra, publisher):
    stub = StubDirectory.with_demo_data()
    async with running_gateway(infra, stub) as one, running_gateway(infra, stub) as two:
        assert one.gateway.listener.queue_name != two.gateway.listener.queue_name
        for replica in (one, two):
            await replica.data(THERAPIST, {"id": "t0003"})
        stub.profiles["t0003"]["title"] = "Clinical Psychologist"

        async def retitled(replica) -> bool:
            data = await replica.data(THERAPIST, {"id": "t0003"})
            return data["therapist"]["title"] == "Clinical Psychologist"

        for replica in (one, two):
            assert not await retitled(replica)  # each serves its own cached copy
        await publish(publisher, THERAPIST_UPDATED, {"id": "t0003", "version": 2})
        for replica in (one, two):
            await eventually(lambda replica=replica: retitled(replica))


async def test_visitors_in_different_rotation_buckets_get_their_own_cached_order(gw):
    async def first_specialist(session: str) -> str:
        data = await gw.data(
            APPROACH_PAGE, {"slug": "relational-therapy", "first": 3}, headers={"X-Visitor-Session": session}
        )
        return data["approach"]["specialists"]["edges"][0]["node"]["id"]

    a, b = await first_specialist("visitor-a"), await first_specialist("visitor-b")
    assert a != b  # the stub rotates by bucket
    calls = len(gw.stub.calls)
    assert (await first_specialist("visitor-a"), await first_specialist("visitor-b")) == (a, b)
    assert len(gw.stub.calls) == calls  # both answered from the cache, each in its own order
    search_call = next(c for c in reversed(gw.stub.calls) if c.backend == "search")
    assert search_call.headers["X-Visitor-Session"] == "visitor-b"


async def test_find_match_is_never_cached(gw):
    variables = {"questionnaire": {"state": "TX", "concerns": ["anxiety"]}}
    await gw.data(FIND_MATCH, variables)
    await gw.data(FIND_MATCH, variables)
    assert gw.stub.count("search", "/v1/match") == 2
    assert len(gw.gateway.response_cache) == 0


async def publish_update(bus, therapist_id: str, changed: set[str]) -> None:
    data = {"id": therapist_id, "version": 2}
    await bus.publish(
        new_event(type=THERAPIST_UPDATED, source="/tests", subject=therapist_id, data=data, changed=changed)
    )


async def test_an_edit_reaches_the_approach_pages_it_can_change_and_no_others(gw, publisher):
    first = {"slug": "emdr", "first": 3}

    async def page(variables: dict) -> dict:
        return (await gw.data(APPROACH_PAGE, variables))["approach"]["specialists"]

    one = await page(first)
    second = {**first, "after": one["pageInfo"]["endCursor"]}
    two = await page(second)
    on_one, on_two = one["edges"][0]["node"]["id"], two["edges"][0]["node"]["id"]
    elsewhere = "t0001"  # not an EMDR specialist
    assert elsewhere not in {e["node"]["id"] for e in one["edges"] + two["edges"]}
    cards = {c["id"]: c for c in gw.stub.cards}
    cards[on_one]["displayName"] = "Renamed On Page One"
    cards[on_two]["displayName"] = "Renamed On Page Two"

    async def renamed(variables: dict, therapist_id: str) -> bool:
        names = {e["node"]["displayName"] for e in (await page(variables))["edges"]}
        return cards[therapist_id]["displayName"] in names

    # Events are heard in order: once the second has been applied, so has the first.
    await publish_update(publisher, elsewhere, {"pronouns", "updatedAt"})
    gw.stub.profiles["t0002"]["displayName"] = "Rowan Elbery-Two, PhD"
    await publish_update(publisher, "t0002", {"displayName"})

    async def heard() -> bool:
        return (await gw.data(THERAPIST, {"id": "t0002"}))["therapist"][
            "displayName"
        ] == "Rowan Elbery-Two, PhD"

    await eventually(heard)
    # Nobody on either page changed anything a page shows or depends on: both still cached.
    assert not await renamed(first, on_one) and not await renamed(second, on_two)
    await publish_update(publisher, on_one, {"displayName"})
    await eventually(lambda: renamed(first, on_one))
    assert not await renamed(second, on_two)
    # A change of someone's approaches may move every list, whoever is on it.
    await publish_update(publisher, elsewhere, {"approaches"})
    await eventually(lambda: renamed(second, on_two))
