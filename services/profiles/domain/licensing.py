"""What a therapist's licences make of their profile as time passes: which licences have
expired, in which states they may see clients online, whether the profile is listed, and what
their own view warns them of.

Time zone rule: a licence is valid through its expiry date in the issuing state, read in that
state's licensing time zone (its capital's, `vocabulary.licensure`); it is expired from the
start of the next day there. A state's membership of a compact counts from the start of its
start date in that state. Every rule takes the instant it is evaluated at, so the same
profile is judged the same way by every replica and every test.

Telehealth rule: a state may be served if the therapist holds a valid licence in it, or a valid
licence of a kind a practice compact covers, issued in a state taking part in that compact,
and the state is one taking part too. Of the states the therapist declares, those are served
(what search filters and matches on); the others are kept but not used. A profile that gives
no licence at all keeps its declared states, as before (nothing to derive them from; its card
says "licence not given").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel, Field

from integration_events.therapists import LicenceStatus, is_listed, licence_status
from integration_events.vocabulary.licensure import LICENSURE, Licensure

if TYPE_CHECKING:  # `profile` builds its versions with these rules
    from services.profiles.domain.profile import Licence, ProfileContent, TherapistProfile

Content = TypeVar("Content", bound="ProfileContent")

# The therapist area warns of a licence this many days before it expires.
EXPIRY_WARNING = timedelta(days=30)
ALL_EXPIRED = (
    "All your licences have expired, so your profile is not shown in search, on approach pages "
    "or in matching. Give a renewed licence's new expiry date to be listed again."
)


def is_expired(licence: Licence, at: datetime, licensure: Licensure = LICENSURE) -> bool:
    """Whether `licence` has expired at `at`: its expiry date is over in the issuing state."""
    return licence.expires is not None and licensure.local_date(licence.state, at) > licence.expires


def states_permitted(licences: Iterable[Licence], at: datetime, licensure: Licensure = LICENSURE) -> set[str]:
    """The states the valid licences among `licences` let their holder serve at `at`."""
    valid = [lic for lic in licences if not is_expired(lic, at, licensure)]
    states = {lic.state for lic in valid}
    for lic in valid:
        for compact in licensure.practice_compacts(lic.kind):
            if licensure.takes_part(compact, lic.state, at):
                states |= {s for s in compact.members if licensure.takes_part(compact, s, at)}
    return states


def telehealth_states_served(
    content: ProfileContent, at: datetime, licensure: Licensure = LICENSURE
) -> list[str]:
    """The declared telehealth states the profile's licences allow at `at` (all of them when it
    gives no licence), in the order declared."""
    if not content.licences:
        return list(content.telehealthStates)
    permitted = states_permitted(content.licences, at, licensure)
    return [state for state in content.telehealthStates if state in permitted]


def with_standing(content: Content, at: datetime, licensure: Licensure = LICENSURE) -> Content:
    """`content` with each licence's `expired` flag as it stands at `at` (whatever was sent)."""
    if not content.licences:
        return content
    licences = [
        lic.model_copy(update={"expired": is_expired(lic, at, licensure)}) for lic in content.licences
    ]
    return content.model_copy(update={"licences": licences})


def status_of(profile: ProfileContent) -> LicenceStatus:
    return licence_status(lic.expired for lic in profile.licences)


class Listing(BaseModel):
    """Whether the directory shows the profile, and why not (the owner's view)."""

    shown: bool = Field(description="Whether search, approach pages and matching show the profile")
    reason: str | None = Field(description="Why it is not shown; null when it is")


def listing_of(profile: ProfileContent) -> Listing:
    if is_listed(status_of(profile)):
        return Listing(shown=True, reason=None)
    return Listing(shown=False, reason=ALL_EXPIRED)


class LicenceNotice(BaseModel):
    """A licence that expires within 30 days, or has expired (the owner's view)."""

    kind: str
    state: str
    expires: date
    expired: bool
    daysLeft: int = Field(
        description="Days until the expiry date in the issuing state: 0 on the last valid day, "
        "negative once expired"
    )


def licence_notices(
    profile: ProfileContent, at: datetime, licensure: Licensure = LICENSURE
) -> list[LicenceNotice]:
    """The licences to warn of at `at`: expiring within `EXPIRY_WARNING`, or expired."""
    notices = []
    for lic in profile.licences:
        if lic.expires is None:
            continue
        days_left = (lic.expires - licensure.local_date(lic.state, at)).days
        if days_left <= EXPIRY_WARNING.days:
            notices.append(
                LicenceNotice(
                    kind=lic.kind,
                    state=lic.state,
                    expires=lic.expires,
                    expired=is_expired(lic, at, licensure),
                    daysLeft=days_left,
                )
            )
    return notices


def current_standing(
    profile: TherapistProfile, at: datetime, licensure: Licensure = LICENSURE
) -> TherapistProfile | None:
    """The next version of `profile` if time has changed what its licences make of it at `at`
    (a licence expired, a compact state began), else None: so a check run twice changes once."""
    content = with_standing(profile, at, licensure)
    served = telehealth_states_served(content, at, licensure)
    if content.licences == profile.licences and served == profile.telehealthStatesServed:
        return None
    return profile.model_copy(
        update={
            "licences": content.licences,
            "telehealthStatesServed": served,
            "version": profile.version + 1,
            "updatedAt": at,
        }
    )
