"""Responsiveness: how a therapist answers the inquiries visitors send, over the last 90 days.

Measured from inquiry times only (when each was received and answered; nothing a visitor wrote
ever reaches search), when an inquiry event arrives and when time passing can change the
result, never per query: the card and the index carry what was last measured.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

WINDOW = timedelta(days=90)
# An inquiry unanswered for this long counts as left waiting; answers this recent count as current.
OVERDUE_AFTER = timedelta(days=7)
# Inquiries left waiting (with no recent answer) that make a therapist unresponsive.
UNRESPONSIVE_AT = 3
# How often time passing is taken into account for therapists with inquiries waiting.
SWEEP_EVERY = timedelta(hours=1)
# "Usually replies within a day": a median reply this fast, over enough answered inquiries.
QUICK_REPLY_HOURS = 24.0
QUICK_REPLY_SHARE = 0.5
QUICK_REPLY_SAMPLE = 2


class Responsiveness(BaseModel):
    """How a therapist answered the inquiries received in the last 90 days."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    answeredShare: float | None = Field(description="Share of them answered (null when none received)")
    medianReplyHours: float | None = Field(
        description="Median hours from receipt to answer among the answered (null when none)"
    )
    sampleSize: int = Field(description="Inquiries received in the last 90 days")


class InquiryTimes(NamedTuple):
    received_at: datetime
    answered_at: datetime | None


# What a therapist without any inquiry shows, in the stored form of `measure`.
NOT_MEASURED: dict[str, Any] = {
    "answeredShare": None,
    "medianReplyHours": None,
    "sampleSize": 0,
    "unresponsive": False,
}


def measure(inquiries: Iterable[InquiryTimes], now: datetime) -> dict[str, Any]:
    """A therapist's responsiveness at `now` (the `Responsiveness` fields) and whether they are
    unresponsive: at least `UNRESPONSIVE_AT` inquiries of the window waiting for longer than
    `OVERDUE_AFTER`, and none answered within it."""
    inquiries = list(inquiries)
    recent = [i for i in inquiries if i.received_at >= now - WINDOW]
    replies = [
        max(0.0, (i.answered_at - i.received_at).total_seconds() / 3600)
        for i in recent
        if i.answered_at is not None
    ]
    overdue = sum(1 for i in recent if i.answered_at is None and now - i.received_at > OVERDUE_AFTER)
    answered_lately = any(
        i.answered_at is not None and now - i.answered_at <= OVERDUE_AFTER for i in inquiries
    )
    return {
        "answeredShare": round(len(replies) / len(recent), 3) if recent else None,
        "medianReplyHours": round(statistics.median(replies), 2) if replies else None,
        "sampleSize": len(recent),
        "unresponsive": overdue >= UNRESPONSIVE_AT and not answered_lately,
    }


def card_fields(stored: dict[str, Any] | None) -> dict[str, Any]:
    """The card's `responsiveness` and `unresponsive` from what `measure` stored (or nothing)."""
    found = stored or NOT_MEASURED
    return {
        "responsiveness": {
            "answeredShare": found["answeredShare"],
            "medianReplyHours": found["medianReplyHours"],
            "sampleSize": found["sampleSize"],
        },
        "unresponsive": found["unresponsive"],
    }


def replies_quickly(responsiveness: dict[str, Any]) -> bool:
    """Whether a card's responsiveness earns "Usually replies within a day"."""
    median, share = responsiveness["medianReplyHours"], responsiveness["answeredShare"]
    return (
        median is not None
        and share is not None
        and median <= QUICK_REPLY_HOURS
        and share >= QUICK_REPLY_SHARE
        and responsiveness["sampleSize"] >= QUICK_REPLY_SAMPLE
    )
