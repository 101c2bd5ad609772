"""Creating, reading, changing and deleting a therapist profile over the REST API."""

from __future__ import annotations

from tests.integration.profiles.conftest import MINIMAL, new_sub

MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


async def test_creating_a_profile_answers_201_with_id_version_location_and_etag(profiles):
    reply = await profiles.call("POST", "/v1/therapists", sub=new_sub(), json=MINIMAL)
    assert reply.status == 201, reply.body
    assert reply.body["version"] == 1
    assert reply.headers["Location"] == f"/v1/therapists/{reply.body['id']}"
    assert reply.headers["ETag"] == '"1"'
    assert reply.body["displayName"] == MINIMAL["displayName"]
    assert reply.body["location"] == {"city": "Austin", "state": "TX"}
