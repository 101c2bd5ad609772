"""Integration events: one definition per event type, shared by publishers and consumers.

An event's `type` carries its version (`...v1`). A breaking change to a payload is a new type,
published beside the old one until every consumer has moved.
"""

from integration_events.approaches import (
    APPROACH_CREATED,
    APPROACH_DELETED,
    APPROACH_EVENT_TYPES,
    APPROACH_UPDATED,
    ApproachDeleted,
    ApproachSnapshot,
)
from integration_events.inquiries import (
    INQUIRY_ANSWERED,
    INQUIRY_EVENT_TYPES,
    INQUIRY_RECEIVED,
    InquiryAnswered,
    InquiryReceived,
)
from integration_events.therapists import (
    THERAPIST_CREATED,
    THERAPIST_DELETED,
    THERAPIST_EVENT_TYPES,
    THERAPIST_UPDATED,
    TherapistDeleted,
    TherapistPublicProfile,
)

__all__ = [
    "APPROACH_CREATED",
    "APPROACH_DELETED",
    "APPROACH_EVENT_TYPES",
    "APPROACH_UPDATED",
    "ApproachDeleted",
    "ApproachSnapshot",
    "INQUIRY_ANSWERED",
    "INQUIRY_EVENT_TYPES",
    "INQUIRY_RECEIVED",
    "InquiryAnswered",
    "InquiryReceived",
    "THERAPIST_CREATED",
    "THERAPIST_DELETED",
    "THERAPIST_EVENT_TYPES",
    "THERAPIST_UPDATED",
    "TherapistDeleted",
    "TherapistPublicProfile",
]
