"""Tracing: one trace id from an HTTP request, across HTTP calls and through RabbitMQ."""

from __future__ import annotations

import asyncio
import uuid

import aiohttp
import pytest
import structlog
from aiohttp import web
from opentelemetry import trace
from opentelemetry.sdk.trace.export import ConsoleSpanExporter
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from devstack.embedded_mongo import free_port
from integration_events.subscriptions import Subscription
from servicekit import tracing
from servicekit.bus import EventBus, declare_subscription
from servicekit.consumer import EventConsumer
from servicekit.envelope import new_event
from servicekit.tracing import (
    client_trace_config,
    configure_tracing,
    current_traceparent,
    exporter_from_env,
    message_headers,
    traced_handler,
    tracer,
    tracing_middleware,
    with_current_trace,
)
from tests.support import serving

CALLER_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN_ID = "00f067aa0ba902b7"
CALLER_TRACEPARENT = f"00-{CALLER_TRACE_ID}-{CALLER_SPAN_ID}-01"


@pytest.fixture(scope="module")
def exporter():
    exporter = InMemorySpanExporter()
    configure_tracing("tracing-test", exporter=exporter)
    yield exporter
    exporter.shutdown()  # stops collecting the spans of the rest of the session


@pytest.fixture
def spans(exporter):
    exporter.clear()
    return exporter


def hex_trace(span) -> str:
    return format(span.context.trace_id, "032x")


def only(spans, kind: SpanKind):
    found = [span for span in spans.get_finished_spans() if span.kind == kind]
    assert len(found) == 1, [span.name for span in spans.get_finished_spans()]
    return found[0]


def traced_app(service: str, routes: list[web.RouteDef]) -> web.Application:
    app = web.Application(middlewares=[tracing_middleware(service)])
    app.add_routes(routes)
    return app


async def test_a_request_continues_the_trace_its_caller_started(spans):
    async def hello(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    port = free_port()
    async with serving(traced_app("profiles", [web.get("/v1/things/{id}", hello)]), port) as url:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{url}/v1/things/7", headers={"traceparent": CALLER_TRACEPARENT}) as r:
                assert r.status == 200

    server = only(spans, SpanKind.SERVER)
    assert hex_trace(server) == CALLER_TRACE_ID
    assert format(server.parent.span_id, "016x") == CALLER_SPAN_ID
    assert server.name == "GET /v1/things/{id}"
    assert server.attributes["http.response.status_code"] == 200


async def test_what_a_visitor_wrote_in_a_query_string_stays_out_of_the_spans(spans):
    async def search(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    port = free_port()
    async with serving(traced_app("search", [web.get("/v1/therapists", search)]), port) as url:
        async with aiohttp.ClientSession(trace_configs=[client_trace_config()]) as http:
            params = {"text": "grief after a loss", "first": "5"}
            async with http.get(f"{url}/v1/therapists", params=params) as response:
                assert response.status == 200
    server, client = only(spans, SpanKind.SERVER), only(spans, SpanKind.CLIENT)
    assert server.attributes["url.query"] == "text=_&first=_"
    assert client.attributes["url.full"] == f"{url}/v1/therapists?text=_&first=_"
    for span in (server, client):
        assert all("grief" not in str(value) for value in span.attributes.values())


async def test_a_malformed_traceparent_starts_a_new_trace_and_the_request_still_succeeds(spans):
    async def hello(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async with serving(traced_app("profiles", [web.get("/", hello)]), free_port()) as url:
        async with aiohttp.ClientSession() as http:
            async with http.get(url, headers={"traceparent": "00-not-a-trace-01"}) as response:
                assert response.status == 200

    server = only(spans, SpanKind.SERVER)
    assert server.parent is None
    assert server.context.is_valid


async def call_through_two_services(headers: dict[str, str] | None = None) -> dict[str, str | None]:
    """A request to a "gateway" that calls a "search"; what search saw of the trace context."""
    seen_downstream: dict[str, str | None] = {}

    async def downstream(request: web.Request) -> web.Response:
        seen_downstream["traceparent"] = current_traceparent()
        seen_downstream["header"] = request.headers.get("traceparent")
        return web.json_response({})

    async with serving(traced_app("search", [web.get("/v1/cards", downstream)]), free_port()) as search:

        async def upstream(_: web.Request) -> web.Response:
            async with aiohttp.ClientSession(trace_configs=[client_trace_config()]) as http:
                async with http.get(f"{search}/v1/cards") as response:
                    return web.json_response({"downstream": response.status})

        async with serving(traced_app("gateway", [web.post("/graphql", upstream)]), free_port()) as gateway:
            async with aiohttp.ClientSession() as http:
                async with http.post(f"{gateway}/graphql", headers=headers) as response:
                    assert await response.json() == {"downstream": 200}
    return seen_downstream


async def test_the_trace_id_crosses_an_http_call_from_one_service_to_the_next(spans):
    seen_downstream = await call_through_two_services()
    servers = {
        span.attributes["service.component"]: span
        for span in spans.get_finished_spans()
        if span.kind == SpanKind.SERVER
    }
    client = only(spans, SpanKind.CLIENT)
    assert hex_trace(servers["search"]) == hex_trace(client) == hex_trace(servers["gateway"])
    assert servers["search"].parent.span_id == client.context.span_id
    assert client.parent.span_id == servers["gateway"].context.span_id
    assert seen_downstream["traceparent"].split("-")[1] == hex_trace(servers["gateway"])


async def test_without_an_exporter_a_call_still_carries_the_callers_trace(monkeypatch):
    monkeypatch.setattr(tracing._sampler, "exporting", False)  # as in a process exporting nothing
    seen_downstream = await call_through_two_services({"traceparent": CALLER_TRACEPARENT})
    assert seen_downstream["header"].split("-")[1] == CALLER_TRACE_ID


async def test_a_failing_request_is_recorded_as_an_error_span(spans):
    async def broken(_: web.Request) -> web.Response:
        raise RuntimeError("boom")

    async with serving(traced_app("profiles", [web.get("/", broken)]), free_port()) as url:
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as response:
                assert response.status == 500

    server = only(spans, SpanKind.SERVER)
    assert server.status.status_code == trace.StatusCode.ERROR
    assert any(event.name == "exception" for event in server.events)


async def test_the_request_trace_id_is_bound_into_the_json_logs(spans):
    bound: dict[str, object] = {}

    async def hello(_: web.Request) -> web.Response:
        bound.update(structlog.contextvars.get_contextvars())
        return web.json_response({})

    async with serving(traced_app("profiles", [web.get("/", hello)]), free_port()) as url:
        async with aiohttp.ClientSession() as http:
            async with http.get(url, headers={"traceparent": CALLER_TRACEPARENT}) as response:
                assert response.status == 200

    assert bound["trace_id"] == CALLER_TRACE_ID
    assert "trace_id" not in structlog.contextvars.get_contextvars()


def test_an_event_made_inside_a_span_carries_that_spans_context(spans):
    with tracer().start_as_current_span("write") as span:
        event = with_current_trace(_event())
    trace_id, span_id = event.traceparent.split("-")[1:3]
    assert trace_id == format(span.get_span_context().trace_id, "032x")
    assert span_id == format(span.get_span_context().span_id, "016x")
    assert message_headers(event) == {"traceparent": event.traceparent}


def test_an_event_keeps_the_context_it_already_carries(spans):
    event = _event(traceparent=CALLER_TRACEPARENT)
    with tracer().start_as_current_span("elsewhere"):
        assert with_current_trace(event) is event


def test_an_event_made_outside_any_span_carries_no_context(spans):
    assert with_current_trace(_event()).traceparent is None


async def test_an_event_without_context_is_handled_in_a_new_trace(spans):
    async def handle(_event) -> str:
        return "applied"

    assert await traced_handler(handle, queue="search.events")(_event()) == "applied"
    consumer = only(spans, SpanKind.CONSUMER)
    assert consumer.parent is None
    assert consumer.attributes["directory.event.outcome"] == "applied"


async def test_the_trace_id_crosses_rabbitmq_from_the_write_to_the_consumer(spans, infra):
    settings = infra.settings("tracing")
    bus = EventBus(
        settings.amqp_url,
        service="tracing-test",
        exchange=settings.events_exchange,
        dead_letter_exchange=settings.dead_letter_exchange,
        delivery_limit=settings.delivery_limit,
    )
    await bus.start()
    await bus.wait_connected(timeout=10)
    name = f"tracing-test-{uuid.uuid4().hex[:8]}"
    probe = Subscription(f"{name}.events", (f"test.{name}.v1",))
    channel = await bus.connection.channel()
    await declare_subscription(
        channel,
        probe,
        exchange=settings.events_exchange,
        dead_letter_exchange=settings.dead_letter_exchange,
        delivery_limit=settings.delivery_limit,
    )
    handled: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()

    async def handle(_event) -> str:
        handled.set_result(current_traceparent())
        return "applied"

    # The consumer and the bus trace by themselves: no wrapping here.
    consumer = EventConsumer(bus, probe, handle, service="search")
    consumer.start()
    try:
        with tracer().start_as_current_span("PATCH /v1/therapists/{id}", kind=SpanKind.SERVER) as write:
            event = with_current_trace(_event(type=probe.event_types[0]))
        await bus.publish(event)
        traceparent_in_handler = await asyncio.wait_for(handled, timeout=10)
    finally:
        await consumer.stop()
        for queue in (probe.queue, probe.dead_letter_queue):
            await channel.queue_delete(queue)
        await bus.close()

    write_trace = format(write.get_span_context().trace_id, "032x")
    consumed = only(spans, SpanKind.CONSUMER)
    published = only(spans, SpanKind.PRODUCER)
    assert hex_trace(consumed) == hex_trace(published) == write_trace
    assert consumed.parent.span_id == write.get_span_context().span_id
    assert traceparent_in_handler.split("-")[1] == write_trace


def test_the_exporter_is_chosen_by_otel_traces_exporter(monkeypatch):
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    assert isinstance(exporter_from_env(), ConsoleSpanExporter)
    for name in ("none", "", "carrier-pigeon"):
        monkeypatch.setenv("OTEL_TRACES_EXPORTER", name)
        assert exporter_from_env() is None
    monkeypatch.delenv("OTEL_TRACES_EXPORTER")
    assert exporter_from_env() is None


def _event(*, type: str = "therapist.updated.v1", traceparent: str | None = None):
    return new_event(
        type=type, source="/profiles", subject="t-1", data={"version": 1}, traceparent=traceparent
    )
