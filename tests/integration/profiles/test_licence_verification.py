"""Administrators verify or reject a therapist's licence over REST: each decision is a new
version announced on the real broker, and a record in an audit log only administrators read."""

from __future__ import annotations

from integration_events.therapists import THERAPIST_UPDATED, TherapistPublicProfile
from tests.integration.profiles.conftest import new_sub

LICENCE = {"kind": "LPC", "number": "TX-LPC-80412", "state": "TX", "expires": "2031-03-31"}
REF = {"kind": "LPC", "number": "TX-LPC-80412", "state": "TX"}
ADMIN = {"sub": "admin-verifier-1", "roles": ("admin",)}


def decision(decision: str = "verified", **fields):
    return {
        "licence": REF,
        "decision": decision,
        "checked": "Texas BHEC public register, looked up by number",
        **fields,
    }


async def test_an_admin_verifies_a_licence_and_the_public_view_shows_status_and_date(profiles):
    created = await profiles.create(licences=[LICENCE])
    path = f"/v1/therapists/{created['id']}"
    reply = await profiles.call("POST", f"{path}/licence-verifications", json=decision(), **ADMIN)
    assert reply.status == 201, reply.body
    assert reply.body["decidedBy"] == "admin-verifier-1" and reply.body["profileVersion"] == 2
    assert reply.headers["ETag"] == '"2"'
    [licence] = (await profiles.call("GET", path)).body["licences"]
    assert licence["verificationStatus"] == "verified"
    assert licence["verifiedAt"] == reply.body["decidedAt"]


async def test_a_therapist_may_neither_decide_nor_read_the_audit_log(profiles):
    sub = new_sub()
    created = await profiles.create(sub, licences=[LICENCE])
    path = f"/v1/therapists/{created['id']}/licence-verifications"
    assert (await profiles.call("POST", path, sub=sub, json=decision())).status == 403
    assert (await profiles.call("GET", "/v1/licence-verifications", sub=sub)).status == 403
    assert (await profiles.call("GET", "/v1/licence-verifications")).status == 401


async def test_a_rejection_needs_a_reason_which_only_admins_read(profiles):
    created = await profiles.create(licences=[LICENCE])
    path = f"/v1/therapists/{created['id']}"
    no_reason = await profiles.call(
        "POST", f"{path}/licence-verifications", json=decision("rejected"), **ADMIN
    )
    assert no_reason.status == 422
    reason = "Number belongs to another licensee"
    rejected = await profiles.call(
        "POST", f"{path}/licence-verifications", json=decision("rejected", reason=reason), **ADMIN
    )
    assert rejected.status == 201
    public = await profiles.call("GET", path)
    assert public.body["licences"][0]["verificationStatus"] == "rejected"
    assert reason not in str(public.body)
    log = await profiles.call("GET", f"/v1/licence-verifications?therapistId={created['id']}", **ADMIN)
    assert log.status == 200
    [record] = log.body["items"]
    assert (record["decision"], record["reason"], record["decidedBy"]) == (
        "rejected",
        reason,
        "admin-verifier-1",
    )


async def test_the_audit_log_is_newest_first_in_pages(profiles):
    created = await profiles.create(licences=[LICENCE])
    path = f"/v1/therapists/{created['id']}/licence-verifications"
    for kind in ("verified", "rejected", "verified"):
        extra = {"reason": "Register entry lapsed"} if kind == "rejected" else {}
        assert (await profiles.call("POST", path, json=decision(kind, **extra), **ADMIN)).status == 201
    query = f"/v1/licence-verifications?therapistId={created['id']}&first=2"
    first = await profiles.call("GET", query, **ADMIN)
    rest = await profiles.call("GET", f"{query}&after={first.body['next']}", **ADMIN)
    items = [*first.body["items"], *rest.body["items"]]
    assert [i["decision"] for i in items] == ["verified", "rejected", "verified"]
    assert [i["profileVersion"] for i in items] == [4, 3, 2] and rest.body["next"] is None
    assert (await profiles.call("GET", "/v1/licence-verifications?after=nonsense", **ADMIN)).status == 400


async def test_each_decision_is_published_through_the_broker(profiles, therapist_events):
    created = await profiles.create(licences=[LICENCE])
    path = f"/v1/therapists/{created['id']}/licence-verifications"
    await profiles.call("POST", path, json=decision(), **ADMIN)
    await profiles.call("POST", path, json=decision("rejected", reason="Wrong state"), **ADMIN)
    events = await therapist_events.for_subject(created["id"], 3)
    assert [e.type for e in events[1:]] == [THERAPIST_UPDATED, THERAPIST_UPDATED]
    verified, rejected = (TherapistPublicProfile.model_validate(e.data) for e in events[1:])
    assert verified.licences[0].verificationStatus == "verified" and verified.licences[0].verifiedAt
    assert rejected.licences[0].verificationStatus == "rejected" and rejected.licences[0].verifiedAt is None
    assert "Wrong state" not in str(events[2].data) and "admin-verifier-1" not in str(events[2].data)
