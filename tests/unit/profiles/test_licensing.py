"""What licences make of a profile as time passes: expiry in the issuing state's time zone, the
telehealth states compacts allow, whether the profile is listed, and what its owner is warned
of. Over a small compact table of the test's own, so the shipped data can change freely."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from integration_events.therapists import LicenceStatus
from integration_events.vocabulary import LICENCE_KINDS, US_STATES
from integration_events.vocabulary.licensure import LICENSURE, parse_licensure
from services.profiles.domain import (
    ProfileContent,
    current_standing,
    is_expired,
    licence_notices,
    listing_of,
    new_profile,
    public_view,
    states_permitted,
    telehealth_states_served,
    with_standing,
)
from services.profiles.domain.profile import Licence

ZONES = "\n".join(f'{state} = "America/Chicago"' for state in US_STATES if state not in {"WA", "GU"})
LICENSURE_TEXT = f"""
version = 7
as_of = 2026-01-01

[time_zones]
{ZONES}
WA = "America/Los_Angeles"
GU = "Pacific/Guam"

[compacts.psy]
name = "A psychology compact"
source = "https://compact.example"
grants = "practice"
kinds = ["PSYCHOLOGIST"]

[compacts.psy.members]
TX = 2020-07-01
CO = 2020-07-01
WA = 2026-06-01

[compacts.doctors]
name = "An expedited licensure compact"
source = "https://doctors.example"
grants = "expedited-licensure"
kinds = ["PSYCHIATRIST"]

[compacts.doctors.members]
TX = 2017-04-01
CO = 2017-04-01
"""
COMPACTS = parse_licensure(LICENSURE_TEXT, known_states=US_STATES, known_kinds=LICENCE_KINDS)


def licence(kind: str = "LMFT", state: str = "TX", expires: str | None = None, **fields) -> Licence:
    return Licence.model_validate(
        {"kind": kind, "number": "A-1", "state": state, "expires": expires, **fields}
    )


def content(*licences: Licence, telehealth: tuple[str, ...] = ()) -> ProfileContent:
    return ProfileContent.model_validate(
        {
            "displayName": "Aurelio Ñúñez-Whitfield, PsyD",
            "title": "Clinical Psychologist",
            "location": {"city": "Austin", "state": "TX"},
            "licences": [lic.model_dump() for lic in licences],
            "telehealthStates": list(telehealth),
        }
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


# --- expiry -------------------------------------------------------------------------------------


def test_a_licence_is_valid_through_its_expiry_date_in_the_issuing_state():
    # 10 March 2026 in Texas (Central daylight time, UTC-5) ends at 05:00 UTC on 11 March.
    expiring = licence(state="TX", expires="2026-03-10")
    assert not is_expired(expiring, at("2026-03-10T12:00:00+00:00"), COMPACTS)  # expires today
    assert not is_expired(expiring, at("2026-03-11T04:59:59+00:00"), COMPACTS)  # 23:59:59 in Austin
    assert is_expired(expiring, at("2026-03-11T05:00:00+00:00"), COMPACTS)  # the next day there


def test_the_same_instant_is_another_date_in_another_state():
    # 14:30 UTC on 10 March is already 11 March in Guam (UTC+10), still 10 March in Washington.
    moment = at("2026-03-10T14:30:00+00:00")
    assert is_expired(licence(state="GU", expires="2026-03-10"), moment, COMPACTS)
    assert not is_expired(licence(state="WA", expires="2026-03-10"), moment, COMPACTS)


def test_a_licence_without_expiry_date_never_expires():
    assert not is_expired(licence(expires=None), at("2099-01-01T00:00:00+00:00"), COMPACTS)


def test_standing_sets_expired_whatever_was_sent():
    sent = content(
        licence(expires="2026-03-10", expired=False), licence(state="CO", expires="2030-01-01", expired=True)
    )
    standing = with_standing(sent, at("2026-04-01T00:00:00+00:00"), COMPACTS)
    assert [lic.expired for lic in standing.licences] == [True, False]


# --- listing ------------------------------------------------------------------------------------


def test_a_profile_whose_licences_all_expired_is_not_listed_and_says_why():
    moment = at("2026-04-01T00:00:00+00:00")
    expired = with_standing(
        content(licence(expires="2026-03-01"), licence(state="CO", expires="2026-02-01")), moment, COMPACTS
    )
    listing = listing_of(expired)
    assert listing.shown is False and "All your licences have expired" in listing.reason


def test_a_profile_with_one_licence_still_valid_is_listed():
    moment = at("2026-04-01T00:00:00+00:00")
    some = with_standing(
        content(licence(expires="2026-03-01"), licence(state="CO", expires="2027-02-01")), moment, COMPACTS
    )
    assert listing_of(some).shown is True and listing_of(some).reason is None


def test_a_profile_with_no_licence_is_listed_as_licence_not_given():
    profile = new_profile(
        content(telehealth=("TX", "NY")), owner_sub="acct", at=at("2026-04-01T00:00:00+00:00")
    )
    view = public_view(profile)
    assert view.licenceStatus == LicenceStatus.NOT_GIVEN and view.listed is True
    assert listing_of(profile).shown is True


def test_the_public_view_says_expired_and_not_listed_when_every_licence_expired():
    profile = new_profile(
        content(licence(expires="2026-03-01")), owner_sub="acct", at=at("2026-04-01T00:00:00+00:00")
    )
    view = public_view(profile)
    assert view.licenceStatus == LicenceStatus.EXPIRED and view.listed is False
    assert view.licences[0].expired is True


# --- telehealth states --------------------------------------------------------------------------


def test_a_licence_of_a_kind_in_no_compact_serves_its_own_state_only():
    assert states_permitted(
        [licence(kind="LMFT", state="TX")], at("2026-07-01T12:00:00+00:00"), COMPACTS
    ) == {"TX"}


def test_a_compact_state_counts_from_its_start_date():
    psychologist = [licence(kind="PSYCHOLOGIST", state="TX")]
    # WA takes part from 1 June 2026 in Washington (UTC-7 then): 07:00 UTC.
    assert states_permitted(psychologist, at("2026-06-01T06:59:00+00:00"), COMPACTS) == {"TX", "CO"}
    assert states_permitted(psychologist, at("2026-06-01T07:00:00+00:00"), COMPACTS) == {"TX", "CO", "WA"}


def test_a_licence_in_a_state_outside_the_compact_brings_no_compact_state():
    assert states_permitted(
        [licence(kind="PSYCHOLOGIST", state="NY")], at("2026-07-01T12:00:00+00:00"), COMPACTS
    ) == {"NY"}


def test_an_expedited_licensure_compact_adds_no_state():
    assert states_permitted(
        [licence(kind="PSYCHIATRIST", state="TX")], at("2026-07-01T12:00:00+00:00"), COMPACTS
    ) == {"TX"}


def test_an_expired_licence_serves_nothing_and_brings_no_compact_state():
    psychologist = [licence(kind="PSYCHOLOGIST", state="TX", expires="2026-03-10")]
    assert states_permitted(psychologist, at("2026-03-10T20:00:00+00:00"), COMPACTS) == {"TX", "CO"}
    assert states_permitted(psychologist, at("2026-03-11T05:00:00+00:00"), COMPACTS) == set()


def test_only_declared_states_that_are_permitted_are_served_in_the_declared_order():
    declared = content(licence(kind="PSYCHOLOGIST", state="TX"), telehealth=("NY", "CO", "TX", "WA"))
    assert telehealth_states_served(declared, at("2026-05-01T12:00:00+00:00"), COMPACTS) == ["CO", "TX"]
    assert telehealth_states_served(declared, at("2026-06-02T12:00:00+00:00"), COMPACTS) == ["CO", "TX", "WA"]


def test_without_licences_the_declared_states_are_served_as_before():
    declared = content(telehealth=("NY", "CA"))
    assert telehealth_states_served(declared, at("2026-05-01T12:00:00+00:00"), COMPACTS) == ["NY", "CA"]


# --- what time changes ---------------------------------------------------------------------------


def test_time_changes_a_profile_once_a_licence_expires_and_not_again():
    created = new_profile(
        content(licence(state="TX", expires="2026-03-10"), telehealth=("TX",)),
        owner_sub="acct",
        at=at("2026-03-01T00:00:00+00:00"),
    )
    assert created.telehealthStatesServed == ["TX"]
    assert current_standing(created, at("2026-03-10T23:00:00+00:00")) is None  # still its last day
    changed = current_standing(created, at("2026-03-11T06:00:00+00:00"))
    assert changed is not None and changed.version == created.version + 1
    assert changed.licences[0].expired is True and changed.telehealthStatesServed == []
    assert current_standing(changed, at("2026-03-12T06:00:00+00:00")) is None


def test_time_changes_a_profile_when_a_compact_state_starts():
    created = new_profile(
        content(licence(kind="PSYCHOLOGIST", state="TX"), telehealth=("TX", "WA")),
        owner_sub="acct",
        at=at("2026-05-01T00:00:00+00:00"),
    )
    before = created.model_copy(update={"telehealthStatesServed": ["TX"]})  # as of May, in this table
    assert current_standing(before, at("2026-05-31T12:00:00+00:00"), COMPACTS) is None
    after = current_standing(before, at("2026-06-01T12:00:00+00:00"), COMPACTS)
    assert after is not None and after.telehealthStatesServed == ["TX", "WA"]


# --- the owner's warnings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expires", "days_left", "expired"),
    [("2026-05-01", 30, False), ("2026-04-01", 0, False), ("2026-03-31", -1, True)],
)
def test_the_owner_is_warned_from_30_days_before_expiry(expires, days_left, expired):
    profile = content(licence(state="TX", expires=expires))
    [notice] = licence_notices(profile, at("2026-04-01T12:00:00+00:00"), COMPACTS)
    assert (notice.daysLeft, notice.expired, notice.expires) == (
        days_left,
        expired,
        date.fromisoformat(expires),
    )


def test_no_warning_more_than_30_days_before_expiry():
    assert (
        licence_notices(content(licence(expires="2026-05-02")), at("2026-04-01T12:00:00+00:00"), COMPACTS)
        == []
    )


# --- the shipped data ----------------------------------------------------------------------------


def test_the_shipped_compact_data_names_its_sources_and_covers_the_named_compacts():
    assert LICENSURE.as_of and LICENSURE.version >= 1
    assert {c.key for c in LICENSURE.compacts} >= {"psypact", "counseling", "social-work", "medical"}
    assert all(c.source and c.members and c.kinds for c in LICENSURE.compacts)
    assert set(LICENSURE.time_zones) == set(US_STATES)


def test_compact_data_naming_an_unknown_state_is_refused():
    with pytest.raises(ValueError, match="unknown codes"):
        parse_licensure(
            LICENSURE_TEXT.replace("CO = 2020-07-01", "XX = 2020-07-01", 1),
            known_states=US_STATES,
            known_kinds=LICENCE_KINDS,
        )
