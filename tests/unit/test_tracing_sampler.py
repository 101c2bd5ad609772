"""Spans are recorded only while something exports them; the trace context travels regardless."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from servicekit.tracing import _RecordedWhileExported

PARENT = SpanContext(
    trace_id=0x4BF92F3577B34DA6A3CE929D0E0E4736,
    span_id=0x00F067AA0BA902B7,
    is_remote=True,
    trace_flags=TraceFlags(TraceFlags.SAMPLED),
)


def _child_of_parent(sampler: _RecordedWhileExported) -> trace.Span:
    tracer = TracerProvider(sampler=sampler).get_tracer("test")
    parent = trace.set_span_in_context(NonRecordingSpan(PARENT))
    return tracer.start_span("work", context=parent)


def test_without_an_exporter_spans_are_not_recorded_but_keep_the_callers_trace_id():
    span = _child_of_parent(_RecordedWhileExported(ParentBased(ALWAYS_ON)))
    assert not span.is_recording()
    assert span.get_span_context().trace_id == PARENT.trace_id


def test_once_an_exporter_is_attached_spans_are_recorded_in_the_callers_trace():
    sampler = _RecordedWhileExported(ParentBased(ALWAYS_ON))
    sampler.exporting = True
    span = _child_of_parent(sampler)
    assert span.is_recording()
    assert span.get_span_context().trace_id == PARENT.trace_id
    span.end()
