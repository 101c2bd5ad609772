"""OpenTelemetry tracing: one trace from an HTTP request, through its events, to the consumers.

The W3C trace context (`traceparent`, `tracestate`) travels in HTTP headers between services
and in the CloudEvent's `traceparent` extension attribute (copied into the AMQP headers by the
bus) through RabbitMQ, so a profile write, the event it stores in the outbox and the search
service's update of its read model share one trace id.

HTTP spans come from OpenTelemetry's aiohttp instrumentations: importing this module has every
aiohttp application made afterwards open a SERVER span per request (its middleware goes first),
and `client_trace_config()` gives a session CLIENT spans. No library carries the context through
RabbitMQ, so that part is here. Each piece is a function the shared kit calls with one line:
- `configure_tracing(service)` once per process (exporter chosen by `OTEL_TRACES_EXPORTER`:
  `none` (default), `console`, or `otlp` when the OTLP exporter package is installed);
- `tracing_middleware(service)` as the first of an application's own middlewares: it names the
  service on the request's span and binds the trace id into the JSON logs;
- `client_trace_config()` in every `aiohttp.ClientSession` (client spans + propagation);
- `with_current_trace(event)` before an event is stored, so it carries the caller's context;
- `publish_span(event)` around a publish, `traced_handler(...)` around a consumer's handler.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import warnings
from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping
from types import SimpleNamespace
from typing import Any

import structlog
import yarl
from aiohttp import TraceConfig, web
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.instrumentation._semconv import _StabilityMode
from opentelemetry.instrumentation.aiohttp_client import create_trace_config
from opentelemetry.instrumentation.aiohttp_server import AioHttpServerInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider, sampling
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from servicekit.envelope import CloudEvent

log = structlog.get_logger(__name__)

TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
INSTRUMENTATION = "servicekit"

_propagator = TraceContextTextMapPropagator()
_provider: TracerProvider | None = None


class _RecordedWhileExported(sampling.Sampler):
    """Records spans only once an exporter is attached: a span nobody exports is wasted work on
    every request. Unrecorded spans still carry the trace id, so the context keeps travelling
    through HTTP and events, and logs still name the trace."""

    def __init__(self, inner: sampling.Sampler) -> None:
        self.inner = inner
        self.exporting = False

    def should_sample(
        self, parent_context, trace_id, name, kind=None, attributes=None, links=None, trace_state=None
    ) -> sampling.SamplingResult:
        if not self.exporting:
            return sampling.SamplingResult(sampling.Decision.DROP, None, trace_state)
        return self.inner.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"RecordedWhileExported({self.inner.get_description()})"


_sampler = _RecordedWhileExported(sampling._get_from_env_or_default())  # OTEL_TRACES_SAMPLER


def exporter_from_env() -> SpanExporter | None:
    """The exporter named by OTEL_TRACES_EXPORTER; None means spans are made but not exported."""
    name = os.environ.get("OTEL_TRACES_EXPORTER", "none").strip().lower()
    if name in ("", "none"):
        return None
    if name == "console":
        # stderr: stdout carries the JSON log lines.
        return ConsoleSpanExporter(out=sys.stderr)
    if name == "otlp":
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError:
            log.warning(
                "otlp_exporter_missing",
                hint="pip install opentelemetry-exporter-otlp-proto-http; spans are not exported",
            )
            return None
        return OTLPSpanExporter()  # reads OTEL_EXPORTER_OTLP_* itself
    log.warning("unknown_traces_exporter", exporter=name)
    return None


def configure_tracing(service: str, *, exporter: SpanExporter | None = None) -> TracerProvider:
    """Install the process's tracer provider (once) and attach an exporter to it.

    `exporter` overrides the environment (tests pass an in-memory one); a second call adds its
    exporter to the provider already installed, since OpenTelemetry's global provider can be
    set only once per process.
    """
    global _provider
    if _provider is None:
        resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", service)})
        _provider = TracerProvider(resource=resource, sampler=_sampler)
        trace.set_tracer_provider(_provider)
    chosen = exporter if exporter is not None else exporter_from_env()
    if chosen is not None:
        # Batching keeps exporting off the request path; an explicit exporter (tests) wants
        # spans visible as soon as they end.
        processor = SimpleSpanProcessor(chosen) if exporter is not None else BatchSpanProcessor(chosen)
        _provider.add_span_processor(processor)
        _sampler.exporting = True
    return _provider


def exporting() -> bool:
    """Whether spans are recorded: an exporter is attached. While none is, a span is made only
    for the trace context it carries."""
    return _sampler.exporting


@functools.cache
def tracer() -> trace.Tracer:
    # One per process: each get_tracer builds a new tracer. A proxy handed out before the
    # provider is installed starts delegating to it once it is.
    return trace.get_tracer(INSTRUMENTATION)


def _trace_id_of(span: trace.Span) -> str | None:
    ctx = span.get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None


@contextlib.contextmanager
def _trace_id_in_logs(span: trace.Span) -> Iterator[None]:
    """Bind `span`'s trace id into the JSON logs for the duration of the block."""
    trace_id = _trace_id_of(span)
    if trace_id:
        structlog.contextvars.bind_contextvars(trace_id=trace_id)
    try:
        yield
    finally:
        structlog.contextvars.unbind_contextvars("trace_id")


# --- W3C trace context in plain header mappings --------------------------------------------


def inject_headers(headers: MutableMapping[str, str] | None = None) -> MutableMapping[str, str]:
    """Add the current trace context (`traceparent`, `tracestate`) to `headers` (or a new dict)."""
    carrier: MutableMapping[str, str] = {} if headers is None else headers
    _propagator.inject(carrier)
    return carrier


def extract_context(headers: Mapping[str, str]) -> otel_context.Context:
    """The trace context carried by `headers`; an empty context if absent or malformed."""
    return _propagator.extract({k.lower(): v for k, v in headers.items() if isinstance(v, str)})


def current_traceparent() -> str | None:
    """The W3C `traceparent` of the active span, or None outside any (valid) span."""
    return inject_headers().get(TRACEPARENT)


# --- HTTP server and client -----------------------------------------------------------------


def _instrument_http_servers() -> None:
    """Every `web.Application` made from now on opens a SERVER span per request, continuing the
    caller's trace context, named `METHOD /route/{template}`, with its status (5xx = error).

    The instrumentor does it by replacing `web.Application` with a subclass that puts its
    middleware first (outermost, so the span sees the status the error middleware sets).
    """
    instrumentor = AioHttpServerInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        return
    # Attributes of the stable HTTP conventions (`http.request.method`, `http.response.status_code`),
    # as the client spans have; an operator's OTEL_SEMCONV_STABILITY_OPT_IN still decides.
    os.environ.setdefault("OTEL_SEMCONV_STABILITY_OPT_IN", "http")
    with warnings.catch_warnings():
        # aiohttp discourages subclassing Application, which is how the instrumentor works.
        warnings.filterwarnings("ignore", "Inheritance class", DeprecationWarning)
        instrumentor.instrument()


_instrument_http_servers()


def tracing_middleware(service: str):
    """aiohttp middleware, first of an application's own: names `service` on the request's span
    and binds its trace id into the JSON logs for the request's duration."""

    @web.middleware
    async def middleware(request: web.Request, handler):
        span = trace.get_current_span()
        span.set_attribute("service.component", service)
        if request.query_string:
            span.set_attribute("url.query", redacted_query(request.query_string))
        with _trace_id_in_logs(span):
            return await handler(request)

    return middleware


def client_trace_config() -> TraceConfig:
    """For `aiohttp.ClientSession(trace_configs=[client_trace_config()])`: a CLIENT span per
    request whose context goes out in the `traceparent` header.

    While no exporter is attached the span would be dropped unseen, so a request then only
    carries the caller's context in `traceparent`, without a span's bookkeeping."""
    recorded = create_trace_config(url_filter=_without_query_values, sem_conv_opt_in_mode=_StabilityMode.HTTP)
    unrecorded = SimpleNamespace()

    def request_context(trace_request_ctx: Any = None) -> SimpleNamespace:
        return recorded.trace_config_ctx(trace_request_ctx) if _sampler.exporting else unrecorded

    def delegate(signal: Any) -> Callable[..., Awaitable[None]]:
        async def handler(session: Any, context: SimpleNamespace, params: Any) -> None:
            if context is not unrecorded:
                for recorded_handler in signal:
                    await recorded_handler(session, context, params)

        return handler

    async def on_request_start(session: Any, context: SimpleNamespace, params: Any) -> None:
        if context is unrecorded:
            _propagator.inject(params.headers)
        else:
            await delegate(recorded.on_request_start)(session, context, params)

    config = TraceConfig(trace_config_ctx_factory=request_context)
    config.on_request_start.append(on_request_start)
    config.on_request_end.append(delegate(recorded.on_request_end))
    config.on_request_exception.append(delegate(recorded.on_request_exception))
    return config


def redacted_query(query_string: str) -> str:
    """`text=worried&first=20` -> `text=_&first=_`: which parameters, never what a visitor wrote
    (search text, questionnaire answers are health data)."""
    return "&".join(f"{part.partition('=')[0]}=_" for part in query_string.split("&") if part)


def _without_query_values(url: yarl.URL) -> str:
    return str(url.with_query(None)) + (
        f"?{redacted_query(url.raw_query_string)}" if url.raw_query_string else ""
    )


# --- CloudEvents through RabbitMQ ------------------------------------------------------------


def with_current_trace(event: CloudEvent) -> CloudEvent:
    """`event` carrying the active trace context, unless it already carries one."""
    if event.traceparent:
        return event
    carrier = inject_headers()
    if TRACEPARENT not in carrier:
        return event
    update: dict[str, str] = {TRACEPARENT: carrier[TRACEPARENT]}
    if carrier.get(TRACESTATE):
        update[TRACESTATE] = carrier[TRACESTATE]
    return event.model_copy(update=update)


def event_context(event: CloudEvent) -> otel_context.Context:
    """The trace context an event carries (CloudEvents distributed-tracing extension)."""
    carrier = {}
    if event.traceparent:
        carrier[TRACEPARENT] = event.traceparent
    tracestate = (event.model_extra or {}).get(TRACESTATE)
    if isinstance(tracestate, str):
        carrier[TRACESTATE] = tracestate
    return extract_context(carrier)


def message_headers(event: CloudEvent) -> dict[str, str]:
    """AMQP headers for `event`: its trace context, for brokers' and tools' benefit."""
    headers = {TRACEPARENT: event.traceparent} if event.traceparent else {}
    tracestate = (event.model_extra or {}).get(TRACESTATE)
    if event.traceparent and isinstance(tracestate, str):
        headers[TRACESTATE] = tracestate
    return headers


@contextlib.contextmanager
def publish_span(event: CloudEvent) -> Iterator[trace.Span]:
    """A PRODUCER span, child of the event's own context, around publishing it."""
    with tracer().start_as_current_span(
        f"publish {event.type}",
        context=event_context(event),
        kind=SpanKind.PRODUCER,
        attributes={
            "messaging.system": "rabbitmq",
            "messaging.message.id": event.id,
            "messaging.destination.name": event.type,
        },
    ) as span:
        yield span


def traced_handler(
    handle: Callable[[CloudEvent], Awaitable[str]], *, queue: str, service: str | None = None
) -> Callable[[CloudEvent], Awaitable[str]]:
    """Wrap a consumer's handler: a CONSUMER span continuing the event's trace, current while the
    handler runs (so events and HTTP calls it makes stay in the trace), with the outcome."""

    async def handle_in_span(event: CloudEvent) -> str:
        attributes = {
            "messaging.system": "rabbitmq",
            "messaging.message.id": event.id,
            "messaging.destination.name": queue,
            "service.component": service or "",
        }
        with (
            tracer().start_as_current_span(
                f"process {event.type}",
                context=event_context(event),
                kind=SpanKind.CONSUMER,
                attributes=attributes,
            ) as span,
            _trace_id_in_logs(span),
        ):
            outcome = await handle(event)
            span.set_attribute("directory.event.outcome", outcome)
            return outcome

    return handle_in_span
