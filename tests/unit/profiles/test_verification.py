"""Licence verification decisions over an in-memory unit of work: who decides, what a decision
makes of the licence and the profile, the event it is announced by, and the audit log."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from integration_events.therapists import THERAPIST_UPDATED, TherapistPublicProfile
from servicekit.auth import Principal
from servicekit.errors import BadRequest, Forbidden, InvalidInput, NotFound
from services.profiles import application as app
from services.profiles.domain import NewTherapistProfile, VerificationRequest, parse_patch

MINIMAL = {
    "displayName": "Jo Park",
    "title": "Licensed Marriage & Family Therapist",
    "location": {"city": "Reno", "state": "NV"},
}
LICENCE = {"kind": "LMFT", "number": "NV-4471", "state": "NV", "expires": "2030-06-30"}
OWNER = Principal("acct-1", frozenset({"therapist"}))
ADMIN = Principal("admin-7", frozenset({"admin"}))


async def create(uow, now, **fields):
    submitted = NewTherapistProfile.model_validate({**MINIMAL, "licences": [LICENCE], **fields})
    return await app.create_profile(app.CreateProfile(OWNER, submitted), uow, now)


def request(decision="verified", **fields):
    ref = {key: LICENCE[key] for key in ("kind", "state", "number")}
    return VerificationRequest.model_validate(
        {"licence": ref, "decision": decision, "checked": "NV MFT board register, entry 4471", **fields}
    )


async def decide(uow, now, profile, body, caller=ADMIN):
    command = app.DecideVerification(app.ProfileTarget(profile.id, caller), body)
    return await app.decide_verification(command, uow, now)


async def test_an_admin_verifies_a_licence_with_the_time_and_a_new_version(uow, now):
    profile = await create(uow, now)
    now.advance(days=2)
    after, record = await decide(uow, now, profile, request())
    [licence] = after.licences
    assert (licence.verificationStatus, licence.verifiedAt, after.version) == ("verified", now.now(), 2)
    assert (record.decidedBy, record.decidedAt, record.profileVersion) == ("admin-7", now.now(), 2)
    assert record.checked == "NV MFT board register, entry 4471" and record.reason is None


async def test_every_decision_is_announced_with_the_public_status_and_date_but_no_audit_detail(uow, now):
    profile = await create(uow, now)
    await decide(uow, now, profile, request())
    event = uow.published[-1]
    assert event.type == THERAPIST_UPDATED
    [licence] = TherapistPublicProfile.model_validate(event.data).licences
    assert licence.verificationStatus == "verified" and licence.verifiedAt == now.now()
    assert "NV MFT board register" not in str(event.data) and "admin-7" not in str(event.data)


async def test_a_rejection_keeps_its_reason_in_the_audit_log_only(uow, now):
    profile = await create(uow, now)
    await decide(uow, now, profile, request())
    now.advance(days=1)
    after, record = await decide(
        uow, now, profile, request("rejected", reason="Licence number not on register")
    )
    assert after.licences[0].verificationStatus == "rejected" and after.licences[0].verifiedAt is None
    assert record.reason == "Licence number not on register"
    assert "not on register" not in str(uow.published[-1].data)


async def test_deciding_the_same_again_is_still_a_new_announced_version(uow, now):
    profile = await create(uow, now)
    await decide(uow, now, profile, request())
    now.advance(days=400)
    again, _ = await decide(uow, now, profile, request())
    assert again.version == 3 and again.licences[0].verifiedAt == now.now()
    assert len(uow.published) == 3


async def test_only_an_admin_decides(uow, now):
    profile = await create(uow, now)
    with pytest.raises(Forbidden):
        await decide(uow, now, profile, request(), caller=OWNER)
    assert len(uow.published) == 1


async def test_a_licence_the_profile_does_not_hold_is_not_found(uow, now):
    profile = await create(uow, now)
    body = request()
    body = body.model_copy(update={"licence": body.licence.model_copy(update={"number": "NV-0000"})})
    with pytest.raises(NotFound):
        await decide(uow, now, profile, body)


async def test_an_expired_licence_cannot_be_verified(uow, now):
    profile = await create(uow, now, licences=[{**LICENCE, "expires": "2025-01-01"}])
    with pytest.raises(InvalidInput):
        await decide(uow, now, profile, request())


def test_a_rejection_needs_a_reason_and_a_verification_takes_none():
    with pytest.raises(ValidationError):
        request("rejected")
    with pytest.raises(ValidationError):
        request("verified", reason="looks fine")
    with pytest.raises(ValidationError):
        request(checked="register\x00")  # free text: no control characters


async def test_no_write_sets_a_verification_not_even_an_admins(uow, now):
    profile = await create(uow, now)
    target = app.ProfileTarget(profile.id, ADMIN)
    with pytest.raises(Forbidden):
        body = parse_patch({"licences": [{**LICENCE, "verificationStatus": "verified"}]})
        await app.change_profile(app.ChangeProfile(target, body), uow, now)


async def test_the_owner_keeps_a_verification_and_its_date_while_editing_the_licence(uow, now):
    profile = await create(uow, now)
    verified, _ = await decide(uow, now, profile, request())
    now.advance(days=3)
    kept = {**LICENCE, "expires": "2031-06-30", "verificationStatus": "verified", "verifiedAt": None}
    target = app.ProfileTarget(profile.id, OWNER)
    after = await app.change_profile(app.ChangeProfile(target, parse_patch({"licences": [kept]})), uow, now)
    assert after.licences[0].verificationStatus == "verified"
    assert after.licences[0].verifiedAt == verified.licences[0].verifiedAt


async def test_the_audit_log_is_newest_first_in_pages_and_for_admins_only(uow, now):
    profile = await create(uow, now)
    for _ in range(3):
        now.advance(hours=1)
        await decide(uow, now, profile, request())
    first = await app.read_verification_log(ADMIN, None, 2, uow)
    rest = await app.read_verification_log(ADMIN, first.next, 2, uow)
    times = [r.decidedAt for r in [*first.items, *rest.items]]
    assert times == sorted(times, reverse=True) and len(times) == 3 and rest.next is None
    with pytest.raises(Forbidden):
        await app.read_verification_log(OWNER, None, 2, uow)
    with pytest.raises(BadRequest):
        await app.read_verification_log(ADMIN, "garbled", 2, uow)
