"""Telling a therapist that an inquiry waits: the notice (what the e-mail says) and the claim that
makes sure it goes out at least once and never twice.

The notice says only that someone wrote through the directory and that the therapist signs in to
read and answer: nothing a visitor wrote and nothing about the visitor, because an inquiry is
health data and e-mail is not the place for it.

A notification is claimed (`sending`) before the mail goes out and marked `sent` after. A second
event for a sent inquiry changes nothing; a fresh claim means another consumer is sending it
right now; a claim left `sending` for longer than `CLAIM_TIMEOUT` belongs to a consumer that
died mid-send, and is taken over.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from servicekit.errors import Unavailable

CLAIM_TIMEOUT = timedelta(seconds=60)
NOTICE_SUBJECT = "A new inquiry is waiting"
NOTICE_TEXT = """\
Hello,

someone has written to you through the therapist directory.

Sign in to the directory to read the inquiry and to answer it.

This e-mail says nothing more on purpose:
what a visitor writes stays in the directory.
"""


class InquiryNotice(BaseModel):
    """The e-mail telling a therapist at `to` that inquiry `inquiry_id` waits."""

    model_config = ConfigDict(frozen=True)

    to: str
    # The id goes into the Message-ID header: only characters that are safe there.
    inquiry_id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,128}$")
    subject: str = NOTICE_SUBJECT
    text: str = NOTICE_TEXT

    @property
    def message_id(self) -> str:
        """The same for every attempt at the same inquiry, so mail software can tell repeats."""
        return f"<inquiry-{self.inquiry_id}@therapist-directory>"


class NotificationState(StrEnum):
    SENDING = "sending"
    SENT = "sent"


class Notification(BaseModel):
    """Where the notice of one inquiry stands."""

    model_config = ConfigDict(frozen=True)

    inquiryId: str
    therapistId: str
    state: NotificationState
    claimedAt: datetime
    sentAt: datetime | None = None


class NotificationInProgress(Unavailable):
    """Another consumer claimed this inquiry's notice a moment ago; try again later."""

    code = "notification_in_progress"

    def __init__(self, inquiry_id: str) -> None:
        super().__init__(f"The notice of inquiry {inquiry_id} is being sent by another consumer")


def claim_notice(
    held: Notification | None, inquiry_id: str, therapist_id: str, now: datetime
) -> Notification | None:
    """The claim to write before sending, or None when the notice has been sent already.

    Raises NotificationInProgress while another consumer's claim is fresh.
    """
    if held is not None and held.state is NotificationState.SENT:
        return None
    if held is not None and now - held.claimedAt < CLAIM_TIMEOUT:
        raise NotificationInProgress(inquiry_id)
    return Notification(
        inquiryId=inquiry_id, therapistId=therapist_id, state=NotificationState.SENDING, claimedAt=now
    )


def sent(claim: Notification, at: datetime) -> Notification:
    return claim.model_copy(update={"state": NotificationState.SENT, "sentAt": at})
