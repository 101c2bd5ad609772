"""Every change is announced with the public snapshot and its version, and nothing private."""

from __future__ import annotations

import json

from integration_events.therapists import (
    THERAPIST_CREATED,
    THERAPIST_DELETED,
    THERAPIST_UPDATED,
    TherapistPublicProfile,
)
from tests.integration.profiles.conftest import new_sub

PRIVATE_DETAILS = {
    "email": "private.inbox@example.org",
    "phone": "+1 (512) 555-0187",
    "licences": [
        {"kind": "LPC", "number": "SECRET-LPC-4471", "state": "TX"},
        {"kind": "LMFT", "number": "PUBLIC-LMFT-0031", "state": "TX", "numberPublic": True},
    ],
    "locations": [
        {
            "street": "12 Hidden Hollow Lane",
            "city": "Dripping Springs",
            "state": "TX",
            "postalCode": "78620",
            "point": {"lat": 30.19, "lon": -98.08},
            "isPrivate": True,
        },
        {
            "label": "Downtown office",
            "street": "400 Congress Ave, Suite 210",
            "city": "Austin",
            "state": "TX",
            "postalCode": "78701",
        },
    ],
}


async def test_created_updated_and_deleted_events_carry_snapshot_and_version(profiles, therapist_events):
    sub = new_sub()
    created = await profiles.create(sub)
    path = f"/v1/therapists/{created['id']}"
    await profiles.call("PATCH", path, sub=sub, json={"pronouns": "they/them"})
    await profiles.call("DELETE", path, sub=sub)

    events = await therapist_events.for_subject(created["id"], 3)
    assert [e.type for e in events] == [THERAPIST_CREATED, THERAPIST_UPDATED, THERAPIST_DELETED]
    assert [e.data["version"] for e in events] == [1, 2, 3]
    updated = TherapistPublicProfile.model_validate(events[1].data)
    assert updated.pronouns == "they/them" and updated.id == created["id"]
    assert events[2].data == {"id": created["id"], "version": 3}
    # An update says which public fields it changed; a creation or deletion says nothing.
    assert events[1].changed_fields == {"pronouns", "updatedAt"}
    assert events[0].changed_fields is None and events[2].changed_fields is None


async def test_the_event_is_exactly_the_public_view(profiles, therapist_events):
    created = await profiles.create(**PRIVATE_DETAILS)
    [event] = await therapist_events.for_subject(created["id"], 1)
    public = (await profiles.call("GET", f"/v1/therapists/{created['id']}")).body
    assert event.data == public


async def test_no_private_field_is_in_an_event_or_the_public_view(profiles, therapist_events):
    created = await profiles.create(**PRIVATE_DETAILS)
    [event] = await therapist_events.for_subject(created["id"], 1)
    public = (await profiles.call("GET", f"/v1/therapists/{created['id']}")).body
    for shown in (json.dumps(event.data), json.dumps(public)):
        assert "private.inbox@example.org" not in shown
        assert "555-0187" not in shown
        assert "SECRET-LPC-4471" not in shown
        assert "Hidden Hollow" not in shown
        assert "30.19" not in shown
    home, office = event.data["locations"]
    assert home["city"] == "Dripping Springs" and home["postalCode"] == "78620" and home["street"] is None
    assert office["street"] == "400 Congress Ave, Suite 210"
    assert [lic["number"] for lic in event.data["licences"]] == [None, "PUBLIC-LMFT-0031"]
