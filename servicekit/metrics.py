"""Prometheus metrics shared by every service, named `directory_*` and labelled by service."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "directory_http_requests_total",
    "HTTP requests served",
    ["service", "method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "directory_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENTS_PUBLISHED = Counter(
    "directory_events_published_total", "Events published from the outbox", ["service", "type"]
)
OUTBOX_BACKLOG = Gauge("directory_outbox_backlog", "Outbox events written but not yet published", ["service"])
EVENTS_CONSUMED = Counter(
    "directory_events_consumed_total",
    "Events handled by a consumer, by outcome (applied, stale)",
    ["service", "type", "outcome"],
)
EVENTS_RETRIED = Counter(
    "directory_events_retried_total",
    "Event deliveries that failed and will be retried",
    ["service", "type"],
)
EVENTS_DEAD_LETTERED = Counter(
    "directory_events_dead_lettered_total",
    "Events sent to the dead-letter queue",
    ["service", "type", "reason"],
)
EVENT_PROPAGATION = Histogram(
    "directory_event_propagation_seconds",
    "Time from an event's creation to its handling by a consumer",
    ["service", "type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
