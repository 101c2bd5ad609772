"""An OpenTelemetry span per GraphQL operation, named by its registered name only, with its cost
and outcome, and the spans of its backend calls as its children."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from servicekit.tracing import configure_tracing
from tests.integration.gateway.operations import APPROACH_PAGE


@pytest.fixture(scope="module")
def exporter():
    exporter = InMemorySpanExporter()
    configure_tracing("gateway-spans-test", exporter=exporter)
    yield exporter
    exporter.shutdown()


@pytest.fixture
def spans(exporter):
    exporter.clear()
    return exporter


def operation_spans(spans) -> list:
    return [span for span in spans.get_finished_spans() if span.name.startswith("graphql")]


async def test_an_operation_has_its_span_and_its_backend_calls_are_its_children(gw, spans):
    await gw.data(APPROACH_PAGE, {"slug": "emdr", "first": 5}, headers={"Authorization": "Bearer x"})
    [operation] = operation_spans(spans)
    assert operation.name == "graphql ApproachPage"
    assert operation.attributes["graphql.operation.name"] == "ApproachPage"
    assert operation.attributes["graphql.operation.type"] == "query"
    assert operation.attributes["directory.graphql.cost"] > 0
    assert operation.attributes["directory.graphql.outcome"] == "ok"
    calls = [
        span
        for span in spans.get_finished_spans()
        if span.kind == SpanKind.CLIENT
        and span.parent is not None
        and span.parent.span_id == operation.context.span_id
    ]
    assert calls, [(span.name, span.kind) for span in spans.get_finished_spans()]
    assert all(span.context.trace_id == operation.context.trace_id for span in calls)


async def test_an_invented_name_and_the_variables_stay_out_of_the_trace(gw, spans):
    secret = "my-private-worry-0192"
    query = "query MySecretName($text: String) { searchTherapists(text: $text) { totalCount } }"
    await gw.post(query, {"text": secret})
    [operation] = operation_spans(spans)
    assert operation.name == "graphql other"
    # The gateway's own spans (the stand-in services' server spans are not the directory's code;
    # the services' own middleware redacts theirs: tests/integration/test_tracing.py).
    own = [
        span for span in spans.get_finished_spans() if span.kind != SpanKind.SERVER or "graphql" in span.name
    ]
    assert any(span.kind == SpanKind.CLIENT for span in own)
    assert all(secret not in str(value) for span in own for value in span.attributes.values())


async def test_a_client_error_is_not_a_span_error(gw, spans):
    await gw.post("{ therapist(id: 5) { nope } }")
    for span in operation_spans(spans):
        assert span.status.status_code != StatusCode.ERROR
