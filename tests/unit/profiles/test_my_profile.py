"""`read_my_profile` over an in-memory unit of work: an account finds its own profile without
knowing its id, and nothing else."""

from __future__ import annotations

import pytest

from integration_events.therapists import NewClientStatus
from servicekit.auth import Principal
from servicekit.errors import NotFound
from services.profiles import application as app
from services.profiles.domain import NewTherapistProfile

MINIMAL = {
    "displayName": "Teodora Vance-Ibarra, LCSW",
    "title": "Licensed Clinical Social Worker",
    "location": {"city": "Boise", "state": "ID"},
}
OWNER = Principal("acct-owner", frozenset({"therapist"}))
OTHER = Principal("acct-other", frozenset({"therapist"}))
ADMIN = Principal("admin-7", frozenset({"admin"}))


async def create(uow, now, caller=OWNER, **fields):
    submitted = NewTherapistProfile.model_validate({**MINIMAL, **fields})
    return await app.create_profile(app.CreateProfile(caller, submitted), uow, now)


async def test_the_account_reads_its_own_profile_with_its_private_fields(uow, now):
    created = await create(uow, now, email="teodora.private@example.test", phone="+1 208 555 0142")
    mine = await app.read_my_profile(OWNER, uow)
    assert mine == created
    assert mine.email == "teodora.private@example.test" and mine.ownerSub == OWNER.sub


async def test_it_is_what_the_owner_view_of_that_profile_answers(uow, now):
    created = await create(uow, now)
    by_id = await app.read_owner_view(app.ProfileTarget(created.id, OWNER), uow)
    assert await app.read_my_profile(OWNER, uow) == by_id


async def test_an_account_without_a_profile_is_not_found_and_says_how_to_make_one(uow, now):
    await create(uow, now)  # someone else's
    with pytest.raises(NotFound) as caught:
        await app.read_my_profile(OTHER, uow)
    assert "no therapist profile" in caught.value.message and "POST /v1/therapists" in caught.value.message


async def test_an_admin_reads_only_the_profile_of_its_own_account(uow, now):
    await create(uow, now)
    with pytest.raises(NotFound):
        await app.read_my_profile(ADMIN, uow)
    made_for_admin = await create(uow, now, caller=ADMIN, ownerSub=ADMIN.sub)
    assert (await app.read_my_profile(ADMIN, uow)).id == made_for_admin.id


async def test_a_deleted_profile_is_no_longer_the_accounts(uow, now):
    created = await create(uow, now)
    await app.delete_profile(app.ProfileTarget(created.id, OWNER), uow, now)
    with pytest.raises(NotFound):
        await app.read_my_profile(OWNER, uow)


async def test_the_latest_version_is_read(uow, now):
    created = await create(uow, now)
    target = app.ProfileTarget(created.id, OWNER)
    changed = await app.confirm_availability(
        app.ConfirmAvailability(target, NewClientStatus.ACCEPTING), uow, now
    )
    assert (await app.read_my_profile(OWNER, uow)).version == changed.version == 2
