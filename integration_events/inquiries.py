"""Inquiry events, published by the inquiries service.

They say that a visitor wrote to a therapist and when the therapist answered: ids and times,
never anything the visitor wrote (no name, contact details or message). The profiles service
reacts to `received` by telling the therapist that an inquiry waits; the search service turns
both into each therapist's responsiveness.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

INQUIRY_RECEIVED = "directory.inquiry.received.v1"
INQUIRY_ANSWERED = "directory.inquiry.answered.v1"
INQUIRY_EVENT_TYPES = (INQUIRY_RECEIVED, INQUIRY_ANSWERED)


class _Snapshot(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class InquiryReceived(_Snapshot):
    """Data of `inquiry.received.v1` (version 1: an inquiry is received once)."""

    id: str  # the inquiry's id
    therapistId: str
    version: int = Field(ge=1)
    receivedAt: datetime


class InquiryAnswered(_Snapshot):
    """Data of `inquiry.answered.v1` (version 2: the inquiry's second and last state)."""

    id: str
    therapistId: str
    version: int = Field(ge=2)
    receivedAt: datetime
    answeredAt: datetime
