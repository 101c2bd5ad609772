"""The CloudEvents envelope: what is published can be read back; what is not an event is refused."""

from __future__ import annotations

import pytest

from servicekit.envelope import CloudEvent, InvalidEnvelope, new_event


def test_an_event_round_trips_through_json_unchanged():
    event = new_event(
        type="directory.thing.changed.v1",
        source="/things",
        subject="t-1",
        data={"id": "t-1", "version": 3, "name": "Zoë “quoted” — dash"},
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    )
    again = CloudEvent.from_json(event.to_json())
    assert again == event
    assert again.version == 3


def test_the_envelope_carries_the_cloudevents_required_attributes():
    event = new_event(type="t.v1", source="/s", subject="x", data={"version": 1})
    body = event.model_dump(mode="json", exclude_none=True)
    assert {"specversion", "id", "source", "type", "time"} <= body.keys()
    assert body["specversion"] == "1.0"


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"specversion": "1.0"}',
        b'{"specversion": "0.3", "id": "1", "source": "/s", "type": "t", "time": "2026-01-01T00:00:00Z",'
        b' "data": {"version": 1}}',
        b'{"specversion": "1.0", "id": "1", "source": "/s", "type": "t", "time": "2026-01-01T00:00:00Z",'
        b' "data": {"version": "7"}}',
    ],
)
def test_a_message_that_is_not_a_versioned_cloudevent_is_invalid(body):
    with pytest.raises(InvalidEnvelope):
        CloudEvent.from_json(body)


def test_an_invalid_envelope_is_described_by_field_without_the_values_sent():
    body = (
        b'{"specversion": "1.0", "id": "1", "source": "/s", "type": "t", "time": "not-a-time",'
        b' "data": {"version": 1, "email": "someone@example.org"}}'
    )
    with pytest.raises(InvalidEnvelope) as raised:
        CloudEvent.from_json(body)
    assert "time" in str(raised.value)
    assert "not-a-time" not in str(raised.value)
