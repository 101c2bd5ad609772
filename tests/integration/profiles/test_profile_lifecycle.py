"""Creating, reading, changing and deleting a therapist profile over the REST API."""

from __future__ import annotations

from tests.integration.profiles.conftest import MINIMAL, new_sub
from tests.support import token

MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


async def test_creating_a_profile_answers_201_with_id_version_location_and_etag(profiles):
    reply = await profiles.call("POST", "/v1/therapists", sub=new_sub(), json=MINIMAL)
    assert reply.status == 201, reply.body
    assert reply.body["version"] == 1
    assert reply.headers["Location"] == f"/v1/therapists/{reply.body['id']}"
    assert reply.headers["ETag"] == '"1"'
    assert reply.body["displayName"] == MINIMAL["displayName"]
    assert reply.body["location"] == {"city": "Austin", "state": "TX"}


async def test_a_second_profile_for_the_same_account_is_a_409_naming_the_first(profiles):
    sub = new_sub()
    first = await profiles.create(sub)
    reply = await profiles.call("POST", "/v1/therapists", sub=sub, json=MINIMAL)
    assert reply.status == 409
    assert reply.body["error"]["details"][0]["id"] == first["id"]


async def test_what_the_therapist_wrote_is_kept_exactly(profiles):
    created = await profiles.create(
        displayName="dr. ÉLODIE  van der Berg,\u00a0LCSW #A-10231",
        title="Licensed Professional Counselor Candidate",
        location={"city": "78704", "state": "TX"},
        bio={"about": "I work with “stuck” feelings — gently.\nSecond line.\tTabbed."},
    )
    public = (await profiles.call("GET", f"/v1/therapists/{created['id']}")).body
    assert public["displayName"] == "dr. ÉLODIE  van der Berg,\u00a0LCSW #A-10231"
    assert public["location"] == {"city": "78704", "state": "TX"}
    assert public["bio"]["about"] == "I work with “stuck” feelings — gently.\nSecond line.\tTabbed."


async def test_text_with_a_control_character_is_a_422_naming_the_field(profiles):
    reply = await profiles.call(
        "POST", "/v1/therapists", sub=new_sub(), json={**MINIMAL, "bio": {"about": "Second line.\u0007"}}
    )
    assert reply.status == 422
    assert [d["field"] for d in reply.body["error"]["details"]] == ["bio.about"]


async def test_the_city_may_be_empty_or_absent(profiles):
    absent = await profiles.create(location={"state": "VT"})
    empty = await profiles.create(location={"city": "", "state": "VT"})
    assert absent["location"] == {"city": "", "state": "VT"}
    assert empty["location"] == {"city": "", "state": "VT"}


async def test_an_unknown_field_is_a_422_naming_it(profiles):
    reply = await profiles.call(
        "POST", "/v1/therapists", sub=new_sub(), json={**MINIMAL, "favouriteColour": "teal"}
    )
    assert reply.status == 422
    assert [d["field"] for d in reply.body["error"]["details"]] == ["favouriteColour"]


async def test_an_invalid_state_is_a_422_naming_the_field(profiles):
    reply = await profiles.call(
        "POST",
        "/v1/therapists",
        sub=new_sub(),
        json={**MINIMAL, "location": {"city": "Austin", "state": "Texas"}},
    )
    assert reply.status == 422
    assert reply.body["error"]["details"][0]["field"] == "location.state"


async def test_reading_an_unknown_profile_is_a_404(profiles):
    reply = await profiles.call("GET", "/v1/therapists/no-such-profile")
    assert reply.status == 404
    assert reply.body["error"]["code"] == "not_found"


async def test_reading_gives_the_public_view_with_its_version_as_etag(profiles):
    created = await profiles.create(email="office@example.org", phone="+1 512 555 0100")
    reply = await profiles.call("GET", f"/v1/therapists/{created['id']}")
    assert reply.status == 200
    assert reply.headers["ETag"] == '"1"'
    assert reply.body["id"] == created["id"] and reply.body["version"] == 1
    assert "email" not in reply.body and "phone" not in reply.body and "ownerSub" not in reply.body


async def test_the_owner_reads_the_private_view_and_nobody_else_does(profiles):
    sub = new_sub()
    created = await profiles.create(sub, email="office@example.org")
    path = f"/v1/therapists/{created['id']}/private"
    assert (await profiles.call("GET", path, sub=sub)).body["email"] == "office@example.org"
    assert (await profiles.call("GET", path, sub="admin-1", roles=("admin",))).status == 200
    assert (await profiles.call("GET", path, sub=new_sub())).status == 403
    assert (await profiles.call("GET", path)).status == 401


async def test_a_merge_patch_changes_only_what_it_names_and_null_removes(profiles):
    sub = new_sub()
    created = await profiles.create(sub, pronouns="she/her", bio={"about": "About me.", "approach": "Warm."})
    reply = await profiles.call(
        "PATCH",
        f"/v1/therapists/{created['id']}",
        sub=sub,
        headers=MERGE_PATCH,
        json={"pronouns": None, "location": {"city": "Round Rock"}, "bio": {"approach": "Direct."}},
    )
    assert reply.status == 200, reply.body
    assert reply.body["version"] == 2 and reply.headers["ETag"] == '"2"'
    assert reply.body["pronouns"] is None
    assert reply.body["location"] == {"city": "Round Rock", "state": "TX"}
    assert reply.body["bio"] == {"about": "About me.", "approach": "Direct.", "helpWith": ""}


async def test_a_patch_sent_as_plain_json_is_accepted(profiles):
    sub = new_sub()
    created = await profiles.create(sub)
    reply = await profiles.call(
        "PATCH", f"/v1/therapists/{created['id']}", sub=sub, json={"pronouns": "they/them"}
    )
    assert reply.status == 200
    assert reply.body["pronouns"] == "they/them"


async def test_a_patch_naming_an_unknown_or_read_only_field_is_a_422(profiles):
    sub = new_sub()
    created = await profiles.create(sub)
    path = f"/v1/therapists/{created['id']}"
    unknown = await profiles.call("PATCH", path, sub=sub, json={"location": {"county": None}})
    read_only = await profiles.call("PATCH", path, sub=sub, json={"version": 7})
    assert unknown.status == 422 and unknown.body["error"]["details"][0]["field"] == "location.county"
    assert read_only.status == 422 and read_only.body["error"]["details"][0]["field"] == "version"


async def test_a_patch_removing_a_required_field_is_a_422_naming_it(profiles):
    sub = new_sub()
    created = await profiles.create(sub)
    reply = await profiles.call("PATCH", f"/v1/therapists/{created['id']}", sub=sub, json={"title": None})
    assert reply.status == 422
    assert reply.body["error"]["details"][0]["field"] == "title"


async def test_a_patch_may_set_to_null_only_what_may_be_left_out(profiles):
    sub = new_sub()
    created = await profiles.create(sub, bio={"about": "About me."})
    path = f"/v1/therapists/{created['id']}"
    required = {
        "displayName": {"displayName": None},
        "location": {"location": None},
        "location.state": {"location": {"state": None}},
    }
    for field, body in required.items():
        reply = await profiles.call("PATCH", path, sub=sub, json=body)
        assert reply.status == 422, body
        assert reply.body["error"]["details"][0]["field"] == field
    reply = await profiles.call("PATCH", path, sub=sub, json={"bio": None})
    assert reply.status == 200 and reply.body["bio"] == {"about": "", "approach": "", "helpWith": ""}


async def test_a_number_is_not_a_boolean(profiles):
    reply = await profiles.call(
        "POST", "/v1/therapists", sub=new_sub(), json={**MINIMAL, "money": {"freeConsultation": 0}}
    )
    assert reply.status == 422
    assert reply.body["error"]["details"][0]["field"] == "money.freeConsultation"


async def test_an_empty_if_match_is_a_400_naming_the_header(profiles):
    sub = new_sub()
    created = await profiles.create(sub)
    reply = await profiles.call(
        "PATCH",
        f"/v1/therapists/{created['id']}",
        sub=sub,
        json={"pronouns": "he/him"},
        headers={"If-Match": ""},
    )
    assert reply.status == 400
    assert reply.body["error"]["details"][0]["field"] == "If-Match"


async def test_a_patch_that_changes_nothing_keeps_the_version(profiles):
    sub = new_sub()
    created = await profiles.create(sub)
    reply = await profiles.call(
        "PATCH", f"/v1/therapists/{created['id']}", sub=sub, json={"title": MINIMAL["title"]}
    )
    assert reply.status == 200 and reply.body["version"] == 1


async def test_if_match_with_the_current_version_is_accepted_bare_or_quoted(profiles):
    sub = new_sub()
    created = await profiles.create(sub)
    path = f"/v1/therapists/{created['id']}"
    bare = await profiles.call("PATCH", path, sub=sub, json={"pronouns": "he/him"}, headers={"If-Match": "1"})
    quoted = await profiles.call(
        "PATCH", path, sub=sub, json={"pronouns": "he/they"}, headers={"If-Match": '"2"'}
    )
    assert (bare.status, quoted.status) == (200, 200)
    assert quoted.body["version"] == 3


async def test_if_match_with_a_stale_version_is_a_412_and_changes_nothing(profiles):
    sub = new_sub()
    created = await profiles.create(sub)
    path = f"/v1/therapists/{created['id']}"
    await profiles.call("PATCH", path, sub=sub, json={"pronouns": "he/him"})
    reply = await profiles.call(
        "PATCH", path, sub=sub, json={"pronouns": "xe/xem"}, headers={"If-Match": '"1"'}
    )
    assert reply.status == 412
    assert reply.headers["ETag"] == '"2"'
    assert (await profiles.call("GET", path)).body["pronouns"] == "he/him"


async def test_a_body_that_is_not_json_is_a_400_and_the_wrong_media_type_a_415(profiles):
    sub = new_sub()
    created = await profiles.create(sub)
    url = f"{profiles.url}/v1/therapists/{created['id']}"
    headers = {"Authorization": f"Bearer {token(sub)}"}
    async with profiles.http.patch(
        url, data=b'{"title": ', headers={**headers, "Content-Type": "application/merge-patch+json"}
    ) as malformed:
        assert malformed.status == 400
    async with profiles.http.patch(
        url, data="title=x", headers={**headers, "Content-Type": "application/x-www-form-urlencoded"}
    ) as form:
        assert form.status == 415


async def test_confirming_availability_sets_status_and_confirmation_time_in_one_call(profiles):
    sub = new_sub()
    created = await profiles.create(sub)
    reply = await profiles.call(
        "POST", f"/v1/therapists/{created['id']}/availability", sub=sub, json={"newClientStatus": "newpt"}
    )
    assert reply.status == 200, reply.body
    assert reply.body["newClientStatus"] == "newpt"
    assert reply.body["availabilityConfirmedAt"] is not None
    assert reply.body["version"] == 2


async def test_confirming_an_unknown_status_is_a_422(profiles):
    sub = new_sub()
    created = await profiles.create(sub)
    reply = await profiles.call(
        "POST", f"/v1/therapists/{created['id']}/availability", sub=sub, json={"newClientStatus": "maybe"}
    )
    assert reply.status == 422
    assert reply.body["error"]["details"][0]["field"] == "newClientStatus"


async def test_deleting_a_profile_answers_204_and_it_is_gone(profiles):
    sub = new_sub()
    created = await profiles.create(sub)
    path = f"/v1/therapists/{created['id']}"
    assert (await profiles.call("DELETE", path, sub=sub)).status == 204
    assert (await profiles.call("GET", path)).status == 404
    assert (await profiles.call("DELETE", path, sub=sub)).status == 404


async def test_after_deleting_the_account_may_create_a_new_profile(profiles):
    sub = new_sub()
    created = await profiles.create(sub)
    await profiles.call("DELETE", f"/v1/therapists/{created['id']}", sub=sub)
    again = await profiles.create(sub)
    assert again["id"] != created["id"]


async def test_an_admin_may_create_a_profile_for_another_account_and_a_therapist_may_not(profiles):
    owner = new_sub()
    by_admin = await profiles.call(
        "POST", "/v1/therapists", sub="admin-7", roles=("admin",), json={**MINIMAL, "ownerSub": owner}
    )
    by_therapist = await profiles.call(
        "POST", "/v1/therapists", sub=new_sub(), json={**MINIMAL, "ownerSub": new_sub()}
    )
    assert by_admin.status == 201 and by_admin.body["ownerSub"] == owner
    assert by_therapist.status == 403
    patched = await profiles.call(
        "PATCH", f"/v1/therapists/{by_admin.body['id']}", sub=owner, json={"pronouns": "she/her"}
    )
    assert patched.status == 200


async def test_only_an_admins_decision_sets_a_licence_verification_status(profiles):
    sub = new_sub()
    licence = {"kind": "LMFT", "number": "LMFT-99812", "state": "TX", "verificationStatus": "verified"}
    refused = await profiles.call("POST", "/v1/therapists", sub=sub, json={**MINIMAL, "licences": [licence]})
    assert refused.status == 403
    assert refused.body["error"]["details"][0]["field"] == "licences.0.verificationStatus"
    created = await profiles.create(sub, licences=[{**licence, "verificationStatus": "unverified"}])
    path = f"/v1/therapists/{created['id']}"
    by_patch = await profiles.call(
        "PATCH", path, sub="admin-2", roles=("admin",), json={"licences": [licence]}
    )
    assert by_patch.status == 403  # a decision, with what was checked, is the one way
    ref = {"kind": "LMFT", "number": "LMFT-99812", "state": "TX"}
    verified = await profiles.call(
        "POST",
        f"{path}/licence-verifications",
        sub="admin-2",
        roles=("admin",),
        json={"licence": ref, "decision": "verified", "checked": "TX BHEC register"},
    )
    assert verified.status == 201
    # The owner may keep the status while changing something else.
    kept = await profiles.call(
        "PATCH", path, sub=sub, json={"licences": [{**licence, "expires": "2027-06-30"}]}
    )
    assert kept.status == 200
    assert kept.body["licences"][0]["verificationStatus"] == "verified"
