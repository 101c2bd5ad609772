"""Events the fault tests publish themselves, straight to the exchange, as a producer would."""

from __future__ import annotations

import uuid

import aio_pika

from integration_events.therapists import THERAPIST_UPDATED
from servicekit.envelope import CONTENT_TYPE, CloudEvent, new_event

EXCHANGE = "directory.events"


def probe_profile(therapist_id: str, version: int, name: str) -> dict:
    """A valid public profile (the data of therapist.created/updated.v1)."""
    return {
        "id": therapist_id,
        "version": version,
        "displayName": name,
        "title": "Licensed Psychologist",
        "location": {"city": "Austin", "state": "TX"},
        "createdAt": "2026-01-05T10:00:00Z",
        "updatedAt": "2026-01-05T10:00:00Z",
    }


def probe_event(name: str, version: int = 1, therapist_id: str | None = None) -> CloudEvent:
    therapist_id = therapist_id or f"probe-{uuid.uuid4().hex[:12]}"
    return new_event(
        type=THERAPIST_UPDATED,
        source="/fault-tests",
        subject=therapist_id,
        data=probe_profile(therapist_id, version, name),
    )


async def publish_raw(
    channel, body: bytes, *, routing_key: str = THERAPIST_UPDATED, message_id: str | None = None
) -> str:
    message_id = message_id or uuid.uuid4().hex
    exchange = await channel.get_exchange(EXCHANGE, ensure=False)
    await exchange.publish(
        aio_pika.Message(
            body,
            content_type=CONTENT_TYPE,
            message_id=message_id,
            type=routing_key,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        ),
        routing_key=routing_key,
    )
    return message_id


async def publish(channel, event: CloudEvent) -> str:
    return await publish_raw(channel, event.to_json(), routing_key=event.type, message_id=event.id)
