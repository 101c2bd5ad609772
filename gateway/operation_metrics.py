"""Per-operation Prometheus metrics and an OpenTelemetry span: how often each GraphQL operation
ran, how long it took, what it cost and which errors it met, beside the HTTP-level figures of
`gateway.view` (answers from the whole-response cache run no operation:
`directory_gateway_responses_total` counts those). The span (`graphql <operation>`) is current
while the operation runs, so the spans of its backend calls are its children.

The operation label is the operation's name only for the operations the gateway registers by
itself (`gateway/operations/*.graphql` and its web client's); any other name is counted as
`other`, so a client cannot grow the metrics without bound by inventing names. Nothing from the
variables (questionnaire answers, inquiry text) is ever a label.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from graphql import OperationDefinitionNode, parse
from opentelemetry.trace import INVALID_SPAN, Span, SpanKind, Status, StatusCode
from prometheus_client import Counter, Histogram
from strawberry.extensions import SchemaExtension

from gateway.persisted import own_operations
from servicekit.tracing import exporting, tracer

OTHER = "other"
# Outcomes that are the client's doing, not a fault of the directory's: not a span error.
CLIENT_OUTCOMES = frozenset(
    {"BAD_USER_INPUT", "GRAPHQL", "UNAUTHENTICATED", "FORBIDDEN", "COST_LIMIT_EXCEEDED", "RATE_LIMITED"}
)

OPERATIONS = Counter(
    "directory_gateway_operations_total",
    "GraphQL operations answered, by operation and outcome (ok, or the first error's code)",
    ["operation", "outcome"],
)
OPERATION_SECONDS = Histogram(
    "directory_gateway_operation_seconds",
    "Time from a parsed GraphQL operation to its result, by operation",
    ["operation"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
OPERATION_COST = Histogram(
    "directory_gateway_operation_cost",
    "Static cost of executed or refused GraphQL operations (gateway.cost), by operation",
    ["operation"],
    buckets=(1, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000),
)
OPERATION_ERRORS = Counter(
    "directory_gateway_operation_errors_total",
    "Errors in GraphQL answers, by operation and error code",
    ["operation", "code"],
)


def registered_operation_names() -> frozenset[str]:
    """The names of the operations the gateway registers by itself (gateway.persisted)."""
    names: set[str] = set()
    for query in own_operations().values():
        for definition in parse(query).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name:
                names.add(definition.name.value)
    return frozenset(names)


REGISTERED = registered_operation_names()


def operation_label(name: str | None) -> str:
    return name if name in REGISTERED else OTHER


class OperationMetrics(SchemaExtension):
    """Counts, times, prices and traces each operation; listed before the extensions that give
    errors their codes, so it reads the result as the client gets it."""

    def on_operation(self) -> Iterator[None]:
        if getattr(self.execution_context.context, "shared", False):
            yield  # counted once per subscriber when it subscribed (gateway.fanout)
            return
        started = time.perf_counter()
        if not exporting():  # a span of its own would be dropped unseen; the request's carries the trace
            yield
            self._record(INVALID_SPAN, time.perf_counter() - started)
            return
        with tracer().start_as_current_span("graphql", kind=SpanKind.INTERNAL) as span:
            yield
            self._record(span, time.perf_counter() - started)

    def _record(self, span: Span, seconds: float) -> None:
        context = self.execution_context
        name = context.operation_name
        if name is None and context.graphql_document is not None:
            named = [
                d.name.value
                for d in context.graphql_document.definitions
                if isinstance(d, OperationDefinitionNode) and d.name
            ]
            name = named[0] if len(named) == 1 else None
        operation = operation_label(name)
        OPERATION_SECONDS.labels(operation).observe(seconds)
        cost = getattr(context, "operation_cost", None)
        if cost is not None:
            OPERATION_COST.labels(operation).observe(cost)
        errors = getattr(context.result, "errors", None) or []
        codes = [str((error.extensions or {}).get("code") or "GRAPHQL") for error in errors]
        for code in codes:
            OPERATION_ERRORS.labels(operation, code).inc()
        outcome = codes[0] if codes else "ok"
        OPERATIONS.labels(operation, outcome).inc()
        # The same bounded names as the metrics: nothing a client wrote goes into the trace.
        span.update_name(f"graphql {operation}")
        span.set_attribute("graphql.operation.name", operation)
        with contextlib.suppress(Exception):  # no type for a document that did not parse
            span.set_attribute("graphql.operation.type", context.operation_type.value)
        if cost is not None:
            span.set_attribute("directory.graphql.cost", cost)
        span.set_attribute("directory.graphql.outcome", outcome)
        if codes and outcome not in CLIENT_OUTCOMES:
            span.set_status(Status(StatusCode.ERROR, outcome))
