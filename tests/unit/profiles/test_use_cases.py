"""The profiles use cases over an in-memory unit of work: ownership, preconditions, versions,
events and the rules, one behaviour each."""

from __future__ import annotations

import pytest

from integration_events.approaches import ApproachDeleted, ApproachSnapshot
from integration_events.therapists import (
    THERAPIST_CREATED,
    THERAPIST_DELETED,
    THERAPIST_UPDATED,
    NewClientStatus,
)
from servicekit.auth import Principal
from servicekit.consumer import Outcome
from servicekit.errors import Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed
from services.profiles import application as app
from services.profiles.domain import NewTherapistProfile, ProfileExists, parse_patch

MINIMAL = {
    "displayName": "Jo Park",
    "title": "Clinical Psychologist",
    "location": {"city": "Reno", "state": "NV"},
}
OWNER = Principal("acct-1", frozenset({"therapist"}))
STRANGER = Principal("acct-2", frozenset({"therapist"}))
ADMIN = Principal("admin-1", frozenset({"admin"}))


async def create(uow, now, caller=OWNER, **fields):
    submitted = NewTherapistProfile.model_validate({**MINIMAL, **fields})
    return await app.create_profile(app.CreateProfile(caller, submitted), uow, now)


async def patch(uow, now, profile, body, *, caller=OWNER, if_match=None):
    target = app.ProfileTarget(profile.id, caller, if_match)
    return await app.change_profile(app.ChangeProfile(target, parse_patch(body)), uow, now)


async def learn(uow, slug, *, previous=(), version=1, approach_id="approach-1"):
    snapshot = ApproachSnapshot(
        id=approach_id,
        slug=slug,
        version=version,
        name=slug.title(),
        previousSlugs=list(previous),
        createdAt="2026-01-01T00:00:00Z",
        updatedAt="2026-01-01T00:00:00Z",
    )
    return await app.learn_approach(snapshot, uow)


async def test_creating_a_profile_stores_version_1_and_announces_its_public_view(uow, now):
    profile = await create(uow, now, email="me@example.org")
    assert profile.version == 1 and profile.createdAt == now.now()
    [event] = uow.published
    assert event.type == THERAPIST_CREATED and event.subject == profile.id
    assert "email" not in event.data


async def test_a_second_profile_for_an_account_is_a_conflict_naming_the_first(uow, now):
    first = await create(uow, now)
    with pytest.raises(ProfileExists) as caught:
        await create(uow, now)
    assert isinstance(caught.value, Conflict) and caught.value.existing_id == first.id


async def test_a_therapist_may_not_create_a_profile_for_another_account(uow, now):
    with pytest.raises(Forbidden):
        await create(uow, now, ownerSub="acct-9")


async def test_an_admin_creates_a_profile_for_the_account_it_names(uow, now):
    profile = await create(uow, now, caller=ADMIN, ownerSub="acct-9")
    assert profile.ownerSub == "acct-9"


async def test_only_an_admin_sets_a_licence_verification(uow, now):
    licence = {"kind": "LMFT", "number": "A1", "state": "NV", "verificationStatus": "verified"}
    with pytest.raises(Forbidden) as caught:
        await create(uow, now, licences=[licence])
    assert caught.value.details[0]["field"] == "licences.0.verificationStatus"


async def test_a_new_profile_with_a_statement_for_an_unknown_approach_is_invalid(uow, now):
    with pytest.raises(InvalidInput) as caught:
        await create(uow, now, approaches=[{"slug": "made-up", "statement": "Hi"}])
    assert caught.value.details[0]["field"] == "approaches.0.slug"


async def test_a_merge_patch_makes_the_next_version_and_announces_it(uow, now):
    profile = await create(uow, now)
    now.advance(minutes=5)
    changed = await patch(uow, now, profile, {"pronouns": "they/them"})
    assert (changed.version, changed.pronouns, changed.updatedAt) == (2, "they/them", now.now())
    assert [e.type for e in uow.published] == [THERAPIST_CREATED, THERAPIST_UPDATED]
    assert uow.published[-1].data["version"] == 2


async def test_a_patch_that_changes_nothing_emits_no_event(uow, now):
    profile = await create(uow, now)
    same = await patch(uow, now, profile, {"title": MINIMAL["title"]})
    assert same.version == 1
    assert [e.type for e in uow.published] == [THERAPIST_CREATED]


async def test_a_stale_if_match_is_a_failed_precondition_naming_the_current_version(uow, now):
    profile = await create(uow, now)
    await patch(uow, now, profile, {"pronouns": "he/him"})
    with pytest.raises(PreconditionFailed) as caught:
        await patch(uow, now, profile, {"pronouns": "xe/xem"}, if_match=frozenset({"1"}))
    assert caught.value.current_etag == '"2"'
    assert uow.state.profiles[profile.id].pronouns == "he/him"


async def test_an_if_match_naming_the_current_version_is_accepted(uow, now):
    profile = await create(uow, now)
    changed = await patch(uow, now, profile, {"pronouns": "he/him"}, if_match=frozenset({"1"}))
    assert changed.version == 2


async def test_a_non_owner_may_not_change_a_profile(uow, now):
    profile = await create(uow, now)
    with pytest.raises(Forbidden):
        await patch(uow, now, profile, {"pronouns": "he/him"}, caller=STRANGER)
    assert uow.state.profiles[profile.id].version == 1


async def test_an_admin_may_change_any_profile(uow, now):
    profile = await create(uow, now)
    assert (await patch(uow, now, profile, {"pronouns": "he/him"}, caller=ADMIN)).version == 2


async def test_a_patch_whose_result_is_not_a_valid_profile_is_invalid_naming_the_field(uow, now):
    profile = await create(uow, now)
    with pytest.raises(InvalidInput) as caught:
        await patch(uow, now, profile, {"money": {"slidingScale": {"minUsd": 40}}})
    assert caught.value.details[0]["field"] == "money.slidingScale.maxUsd"


async def test_a_change_based_on_a_stale_recent_copy_is_retried_with_a_fresh_read(uow, now):
    profile = await create(uow, now)
    await patch(uow, now, profile, {"pronouns": "he/him"})
    uow.state.recent[profile.id] = profile  # this process's copy is a version behind
    changed = await patch(uow, now, profile, {"bio": {"about": "Hello."}})
    assert changed.version == 3 and changed.pronouns == "he/him"


async def test_with_if_match_a_change_that_meets_a_newer_version_is_a_failed_precondition(uow, now):
    profile = await create(uow, now)
    await patch(uow, now, profile, {"pronouns": "he/him"})
    uow.state.recent[profile.id] = profile
    with pytest.raises(PreconditionFailed):
        await patch(uow, now, profile, {"bio": {"about": "Hello."}}, if_match=frozenset({"1"}))


async def test_a_statement_given_with_an_old_slug_is_stored_under_the_current_one(uow, now):
    await learn(uow, "person-centered", previous=("client-centered",))
    profile = await create(uow, now)
    target = app.ProfileTarget(profile.id, OWNER)
    changed = await app.set_statement(app.SetStatement(target, "client-centered", "Warmth."), uow, now)
    assert [(a.slug, a.statement) for a in changed.approaches] == [("person-centered", "Warmth.")]


async def test_a_statement_for_an_unknown_approach_is_invalid_and_says_so(uow, now):
    profile = await create(uow, now)
    target = app.ProfileTarget(profile.id, OWNER)
    with pytest.raises(InvalidInput) as caught:
        await app.set_statement(app.SetStatement(target, "made-up", "Hi"), uow, now)
    assert caught.value.code == "unknown_approach"


async def test_removing_a_statement_the_profile_does_not_have_is_not_found(uow, now):
    profile = await create(uow, now)
    target = app.ProfileTarget(profile.id, OWNER)
    with pytest.raises(NotFound):
        await app.remove_statement(app.RemoveStatement(target, "emdr"), uow, now)


async def test_a_statement_may_be_removed_by_an_earlier_slug_of_its_approach(uow, now):
    await learn(uow, "person-centered", previous=("client-centered",))
    profile = await create(uow, now, approaches=[{"slug": "person-centered", "statement": "Warmth."}])
    target = app.ProfileTarget(profile.id, OWNER)
    changed = await app.remove_statement(app.RemoveStatement(target, "client-centered"), uow, now)
    assert changed.approaches == [] and changed.version == 2


async def test_confirming_availability_stamps_the_clocks_time(uow, now):
    profile = await create(uow, now)
    confirmed_at = now.advance(days=3)
    target = app.ProfileTarget(profile.id, OWNER)
    changed = await app.confirm_availability(
        app.ConfirmAvailability(target, NewClientStatus.ACCEPTING), uow, now
    )
    assert changed.availabilityConfirmedAt == confirmed_at and changed.newClientStatus == "newpt"
    assert changed.version == 2 and uow.published[-1].type == THERAPIST_UPDATED


async def test_deleting_emits_the_deleted_event_with_the_next_version(uow, now):
    profile = await create(uow, now)
    await app.delete_profile(app.ProfileTarget(profile.id, OWNER), uow, now)
    event = uow.published[-1]
    assert event.type == THERAPIST_DELETED and event.data == {"id": profile.id, "version": 2}
    assert uow.state.tombstones[profile.id]["version"] == 2 and profile.id not in uow.state.profiles


async def test_deleting_with_a_stale_if_match_is_a_failed_precondition(uow, now):
    profile = await create(uow, now)
    await patch(uow, now, profile, {"pronouns": "he/him"})
    with pytest.raises(PreconditionFailed):
        await app.delete_profile(app.ProfileTarget(profile.id, OWNER, frozenset({"1"})), uow, now)
    assert profile.id in uow.state.profiles


async def test_reading_an_unknown_profile_is_not_found(uow):
    with pytest.raises(NotFound):
        await app.read_public_profile("no-such-profile", uow)


async def test_only_the_owner_or_an_admin_reads_the_owner_view(uow, now):
    profile = await create(uow, now, email="me@example.org")
    assert (await app.read_owner_view(app.ProfileTarget(profile.id, ADMIN), uow)).email == "me@example.org"
    with pytest.raises(Forbidden):
        await app.read_owner_view(app.ProfileTarget(profile.id, STRANGER), uow)


@pytest.mark.parametrize("caller", [OWNER, ADMIN], ids=["owner", "admin"])
async def test_ownership_is_confirmed_to_the_owner_and_to_an_admin(uow, now, caller):
    profile = await create(uow, now)
    assert await app.confirm_ownership(app.ProfileTarget(profile.id, caller), uow) is None


async def test_ownership_is_denied_to_anyone_else(uow, now):
    profile = await create(uow, now)
    with pytest.raises(Forbidden):
        await app.confirm_ownership(app.ProfileTarget(profile.id, STRANGER), uow)


async def test_ownership_of_a_missing_profile_is_not_found(uow, now):
    with pytest.raises(NotFound):
        await app.confirm_ownership(app.ProfileTarget("no-such-profile", OWNER), uow)


async def test_the_listing_pages_in_id_order_and_says_where_the_next_page_starts(uow, now):
    for n in range(3):
        await create(uow, now, caller=Principal(f"acct-{n}", frozenset({"therapist"})))
    first = await app.list_public_profiles(None, 2, uow)
    rest = await app.list_public_profiles(first.next, 2, uow)
    ids = [p.id for p in first.items + rest.items]
    assert ids == sorted(uow.state.profiles) and rest.next is None


async def test_an_approach_event_is_applied_once_and_an_older_one_changes_nothing(uow):
    assert await learn(uow, "emdr", version=2) == Outcome.APPLIED
    assert await learn(uow, "emdr", version=2) == Outcome.STALE
    assert await learn(uow, "emdr-renamed", version=1) == Outcome.STALE
    assert uow.state.approaches["approach-1"]["slug"] == "emdr"


async def test_a_forgotten_approach_is_not_revived_by_a_late_update(uow, now):
    await learn(uow, "gestalt", version=1)
    deleted = ApproachDeleted(id="approach-1", slug="gestalt", version=3)
    assert await app.forget_approach(deleted, uow) == Outcome.APPLIED
    assert await learn(uow, "gestalt", version=2) == Outcome.STALE
    profile = await create(uow, now)
    with pytest.raises(InvalidInput):
        target = app.ProfileTarget(profile.id, OWNER)
        await app.set_statement(app.SetStatement(target, "gestalt", "Here and now."), uow, now)
