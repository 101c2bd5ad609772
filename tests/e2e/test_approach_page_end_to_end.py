"""A therapist's journey through the whole system: written in profiles, published through the
outbox, consumed by search, and shown on the approach page by the gateway."""

from __future__ import annotations

import asyncio
import uuid

import aio_pika
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import REGISTRY

from integration_events import THERAPIST_CREATED, THERAPIST_UPDATED
from servicekit.envelope import CloudEvent
from servicekit.tracing import configure_tracing
from services.search.rebuild import rebuild
from tests.support import auth_header, eventually

APPROACH_PAGE = """
query ApproachPage($slug: String!, $first: Int, $after: String) {
  approach(slug: $slug) {
    slug name summary description
    specialists(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor statement node { id displayName title location { city state } } }
    }
  }
}"""

THERAPIST = """
query Therapist($id: ID!) {
  therapist(id: $id) { id displayName title location { city state }
    approaches { statement approach { slug name } } }
}"""

SEARCH = """
query Search($text: String, $filter: TherapistFilter, $first: Int, $after: String) {
  searchTherapists(text: $text, filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id displayName title location { city state } } }
  }
}"""

ADMIN = auth_header("e2e-admin", "admin")
STATEMENT = (
    "I work relationally — the bond between us is where change happens. We’ll notice how old "
    "patterns show up “in the room”, gently, at your pace. Se habla español."
)


async def create_approach(directory, slug: str, name: str) -> None:
    async with directory.http.post(
        f"{directory.urls['approaches']}/v1/approaches",
        headers=ADMIN,
        json={
            "slug": slug,
            "name": name,
            "summary": f"{name} in one paragraph.",
            "description": f"What {name} is and how it works.",
        },
    ) as response:
        assert response.status == 201, await response.text()


async def create_therapist(directory, sub: str, body: dict) -> str:
    async with directory.http.post(
        f"{directory.urls['profiles']}/v1/therapists", json=body, headers=auth_header(sub, "therapist")
    ) as response:
        assert response.status == 201, await response.text()
        return (await response.json())["id"]


async def put_statement(directory, sub: str, therapist_id: str, slug: str, statement: str) -> None:
    url = f"{directory.urls['profiles']}/v1/therapists/{therapist_id}/approaches/{slug}"

    async def accepted():
        # Profiles accepts the slug once the approach's event has reached it.
        async with directory.http.put(
            url, json={"statement": statement}, headers=auth_header(sub, "therapist")
        ) as response:
            assert response.status in (200, 201, 204, 422), await response.text()
            return response.status != 422

    await eventually(accepted)


async def specialists(directory, slug: str, first: int = 50) -> list[dict]:
    data = await directory.graphql(APPROACH_PAGE, {"slug": slug, "first": first})
    return data["approach"]["specialists"]["edges"] if data["approach"] else []


async def test_a_new_therapist_appears_on_the_approach_page_and_edits_and_deletion_follow(directory):
    await create_approach(directory, "relational-therapy", "Relational Therapy")
    sub = "e2e-therapist-1"
    therapist_id = await create_therapist(
        directory,
        sub,
        {
            "displayName": "Noor E. Vantwest, LCSW",
            "title": "Licensed Clinical Social Worker",
            "location": {"city": "", "state": "OR"},
        },
    )
    await put_statement(directory, sub, therapist_id, "relational-therapy", STATEMENT)

    async def listed():
        edges = await specialists(directory, "relational-therapy")
        return next((e for e in edges if e["node"]["id"] == therapist_id), None)

    edge = await eventually(listed)
    assert edge["statement"] == STATEMENT
    assert edge["node"] == {
        "id": therapist_id,
        "displayName": "Noor E. Vantwest, LCSW",
        "title": "Licensed Clinical Social Worker",
        "location": {"city": "", "state": "OR"},
    }
    page = (await directory.graphql(APPROACH_PAGE, {"slug": "relational-therapy"}))["approach"]
    assert page["name"] == "Relational Therapy"
    assert page["specialists"]["totalCount"] >= 1

    therapist = (await directory.graphql(THERAPIST, {"id": therapist_id}))["therapist"]
    assert therapist["approaches"] == [
        {"statement": STATEMENT, "approach": {"slug": "relational-therapy", "name": "Relational Therapy"}}
    ]

    async with directory.http.patch(
        f"{directory.urls['profiles']}/v1/therapists/{therapist_id}",
        json={"displayName": "Noor Vantwest-Obi, LCSW", "location": {"city": "Portland"}},
        headers={**auth_header(sub, "therapist"), "Content-Type": "application/merge-patch+json"},
    ) as response:
        assert response.status == 200, await response.text()

    async def renamed():
        found = await listed()
        return found if found and found["node"]["displayName"] == "Noor Vantwest-Obi, LCSW" else None

    edge = await eventually(renamed)
    assert edge["node"]["location"] == {"city": "Portland", "state": "OR"}

    async with directory.http.delete(
        f"{directory.urls['profiles']}/v1/therapists/{therapist_id}", headers=auth_header(sub, "therapist")
    ) as response:
        assert response.status == 204

    async def gone():
        return await listed() is None

    await eventually(gone)
    assert (await directory.graphql(THERAPIST, {"id": therapist_id}))["therapist"] is None


async def test_search_finds_a_therapist_by_approach_state_and_city(directory):
    await create_approach(directory, "emdr", "EMDR")
    sub = "e2e-therapist-2"
    therapist_id = await create_therapist(
        directory,
        sub,
        {
            "displayName": "dr. Halvard Quist PhD",
            "title": "Clinical Psychologist",
            "location": {"city": "Duluth", "state": "MN"},
            "money": {"fees": [{"sessionType": "individual", "amountUsd": 120}]},
        },
    )
    await put_statement(directory, sub, therapist_id, "emdr", "Bilateral work, slowly.")

    async def found():
        data = await directory.graphql(
            SEARCH, {"filter": {"approaches": ["emdr"], "state": "MN", "city": "Duluth"}, "first": 10}
        )
        ids = [e["node"]["id"] for e in data["searchTherapists"]["edges"]]
        return data if therapist_id in ids else None

    data = await eventually(found)
    assert data["searchTherapists"]["totalCount"] == 1
    # The approach, created a moment ago in the approaches service, is a search facet too.
    facets = await directory.graphql(
        "query($f: TherapistFilter) { searchTherapists(filter: $f) "
        "{ facets { approaches { value count } maxFee { value count } } } }",
        {"f": {"state": "MN", "city": "Duluth"}},
    )
    assert {"value": "emdr", "count": 1} in facets["searchTherapists"]["facets"]["approaches"]
    # Its $120 session is under the fee ceilings from $125 up.
    assert facets["searchTherapists"]["facets"]["maxFee"][0] == {"value": "125", "count": 1}
    elsewhere = await directory.graphql(SEARCH, {"filter": {"approaches": ["emdr"], "state": "TX"}})
    assert therapist_id not in [e["node"]["id"] for e in elsewhere["searchTherapists"]["edges"]]


async def test_a_replayed_old_event_changes_nothing(directory):
    """At-least-once delivery: a duplicate of an older event must not roll search back."""
    sub = "e2e-therapist-3"
    runtime = directory.apps["profiles"]["runtime"]
    connection = await aio_pika.connect(runtime.settings.amqp_url)
    async with connection:  # a queue of the test's own sees the created event as published
        channel = await connection.channel()
        exchange = await channel.get_exchange(runtime.settings.events_exchange)
        created_events = await channel.declare_queue(exclusive=True, auto_delete=True)
        await created_events.bind(exchange, routing_key=THERAPIST_CREATED)
        therapist_id = await create_therapist(
            directory,
            sub,
            {
                "displayName": "Bo Lindqvist-Arce",
                "title": "Licensed Professional Counselor",
                "location": {"city": "Tucson", "state": "AZ"},
            },
        )
        # The outbox relay publishes a moment after the write: wait for the event to arrive.
        async with asyncio.timeout(10), created_events.iterator(no_ack=True) as arriving:
            async for message in arriving:
                first = CloudEvent.from_json(message.body)
                if first.subject == therapist_id:
                    break
    async with directory.http.patch(
        f"{directory.urls['profiles']}/v1/therapists/{therapist_id}",
        json={"title": "Clinical Psychologist"},
        headers=auth_header(sub, "therapist"),
    ) as response:
        assert response.status == 200

    async def current():
        data = await directory.graphql(SEARCH, {"filter": {"state": "AZ", "city": "Tucson"}})
        titles = {e["node"]["id"]: e["node"]["title"] for e in data["searchTherapists"]["edges"]}
        return titles.get(therapist_id) == "Clinical Psychologist"

    await eventually(current)
    assert first.version == 1
    labels = {"service": "search", "type": THERAPIST_CREATED, "outcome": "stale"}

    def stale_count() -> float:
        return REGISTRY.get_sample_value("directory_events_consumed_total", labels) or 0.0

    before = stale_count()
    await runtime.bus.publish(first)

    async def handled_as_stale():
        return stale_count() > before

    await eventually(handled_as_stale)
    assert await current()


async def test_one_trace_covers_a_profile_write_its_event_and_the_search_update(directory):
    exporter = InMemorySpanExporter()
    configure_tracing("e2e", exporter=exporter)
    trace_id = uuid.uuid4().hex
    sub = "e2e-therapist-4"
    therapist_id = await create_therapist(
        directory,
        sub,
        {
            "displayName": "Wren Okafor-Dahl",
            "title": "Licensed Marriage & Family Therapist",
            "location": {"city": "Reno", "state": "NV"},
        },
    )
    try:
        async with directory.http.patch(
            f"{directory.urls['profiles']}/v1/therapists/{therapist_id}",
            json={"pronouns": "they/them"},
            headers={**auth_header(sub, "therapist"), "traceparent": f"00-{trace_id}-{'ab' * 8}-01"},
        ) as response:
            assert response.status == 200

        def spans_of_trace() -> dict[str, set[str]]:
            by_component: dict[str, set[str]] = {}
            for span in exporter.get_finished_spans():
                if format(span.context.trace_id, "032x") == trace_id:
                    component = span.attributes.get("service.component") or span.resource.attributes.get(
                        "service.name", ""
                    )
                    by_component.setdefault(span.name, set()).add(str(component))
            return by_component

        async def consumed_by_search():
            return "search" in spans_of_trace().get(f"process {THERAPIST_UPDATED}", set())

        await eventually(consumed_by_search)
        names = spans_of_trace()
        assert "PATCH /v1/therapists/{id}" in names
        assert f"publish {THERAPIST_UPDATED}" in names
    finally:
        exporter.shutdown()


async def test_the_rebuild_command_recreates_search_from_the_owning_services(directory):
    sub = "e2e-therapist-5"
    therapist_id = await create_therapist(
        directory,
        sub,
        {
            "displayName": "Ama Ferreira-Lund, LPC",
            "title": "Licensed Professional Counselor",
            "location": {"city": "Santa Fe", "state": "NM"},
        },
    )

    async def searchable():
        data = await directory.graphql(SEARCH, {"filter": {"state": "NM", "city": "Santa Fe"}})
        return therapist_id in [e["node"]["id"] for e in data["searchTherapists"]["edges"]]

    await eventually(searchable)
    counts = await rebuild(
        directory.apps["search"]["read_model"],
        directory.urls["profiles"],
        directory.urls["approaches"],
        page_size=2,
    )
    assert counts["therapists"] >= 1 and counts["approaches"] >= 2
    await eventually(searchable)
