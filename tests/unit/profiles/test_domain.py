"""The therapist profile's fields, rules, merge patch, public view and events (pure logic)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from servicekit.clock import FixedClock
from servicekit.errors import Forbidden, InvalidInput
from servicekit.merge_patch import merge_patch
from services.profiles import domain
from services.profiles.domain import NewTherapistProfile, ProfileContent

MINIMAL = {
    "displayName": "Jo Park",
    "title": "Clinical Psychologist",
    "location": {"city": "Reno", "state": "NV"},
}


def invalid_fields(**fields) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        ProfileContent.model_validate({**MINIMAL, **fields})
    return [".".join(str(p) for p in error["loc"]) for error in caught.value.errors()]


def valid(**fields) -> ProfileContent:
    return ProfileContent.model_validate({**MINIMAL, **fields})


def test_text_keeps_case_spacing_and_typography():
    name = "  mARÍA  d'Angelo–Ruiz, LMFT #12345 “Mia” "
    assert valid(displayName=name).displayName == name


def test_line_breaks_and_tabs_are_kept():
    assert valid(bio={"about": "First line.\r\nSecond\tline"}).bio.about == "First line.\r\nSecond\tline"


@pytest.mark.parametrize("control", ["\x00", "\x1b", "\x7f", "\x85"])
def test_text_with_a_control_character_is_refused_naming_the_field(control):
    assert invalid_fields(bio={"about": f"First{control} line"}) == ["bio.about"]


def test_a_display_name_of_only_spaces_or_controls_is_refused():
    assert invalid_fields(displayName=" \x07 ") == ["displayName"]


def test_a_zip_code_typed_into_the_city_is_kept():
    assert valid(location={"city": "89501", "state": "NV"}).location.city == "89501"


@pytest.mark.parametrize("state", ["nv", "Nevada", "XX", "N"])
def test_states_are_two_letter_upper_case_codes(state):
    assert invalid_fields(location={"state": state}) == ["location.state"]


@pytest.mark.parametrize("tag", ["en", "es-MX", "zh-Hant-TW", "sgn-ASE", "es-419", "x-klingon", "de-CH-1901"])
def test_well_formed_bcp47_language_tags_are_accepted(tag):
    assert valid(languages=[tag]).languages == [tag]


@pytest.mark.parametrize("tag", ["englishes", "en_US", "e", "en-", "-en", "en--US"])
def test_malformed_language_tags_are_refused(tag):
    assert invalid_fields(languages=[tag]) == ["languages.0"]


def test_an_npi_must_pass_its_luhn_check():
    assert valid(npi="1234567893").npi == "1234567893"
    assert invalid_fields(npi="1234567890") == ["npi"]
    assert invalid_fields(npi="12345") == ["npi"]


def test_taxonomy_codes_have_the_nucc_shape():
    assert valid(taxonomyCode="106H00000X").taxonomyCode == "106H00000X"
    assert invalid_fields(taxonomyCode="106H00000") == ["taxonomyCode"]


def test_new_client_status_uses_plan_net_codes():
    assert valid(newClientStatus="existptonly").newClientStatus == "existptonly"
    assert invalid_fields(newClientStatus="accepting") == ["newClientStatus"]


def test_fees_are_not_negative_and_the_sliding_scale_is_ordered():
    assert invalid_fields(money={"fees": [{"sessionType": "individual", "amountUsd": -1}]}) == [
        "money.fees.0.amountUsd"
    ]
    assert invalid_fields(money={"slidingScale": {"minUsd": 90, "maxUsd": 40}}) == ["money.slidingScale"]


@pytest.mark.parametrize(
    ("field", "value", "where"),
    [
        ("issues", [{"slug": "sadness"}], "issues.0.slug"),
        ("ageGroups", ["toddlers"], "ageGroups.0"),
        ("populations", ["everyone"], "populations.0"),
        ("money", {"insurance": ["acme-health"]}, "money.insurance.0"),
        ("licences", [{"kind": "WIZARD", "number": "1", "state": "NV"}], "licences.0.kind"),
    ],
)
def test_codes_come_from_the_shared_vocabularies(field, value, where):
    assert invalid_fields(**{field: value}) == [where]


def test_lists_do_not_repeat_entries():
    assert invalid_fields(languages=["en", "en"]) == ["languages"]
    assert invalid_fields(issues=[{"slug": "grief"}, {"slug": "grief", "top": True}]) == ["issues"]


def test_only_a_few_issues_are_top():
    issues = [
        {"slug": slug, "top": True} for slug in ["anxiety", "grief", "stress", "anger", "sleep", "panic"]
    ]
    assert invalid_fields(issues=issues) == ["issues"]


@pytest.mark.parametrize(
    ("field", "value", "where"),
    [
        ("money", {"freeConsultation": 0}, "money.freeConsultation"),
        ("locations", [{"state": "NV", "isPrivate": "yes"}], "locations.0.isPrivate"),
        ("yearsInPractice", "5", "yearsInPractice"),
        ("locations", [{"state": "NV", "point": {"lat": "39.5", "lon": 1}}], "locations.0.point.lat"),
        ("licences", [{"kind": "LCSW", "number": "1", "state": "NV", "expires": 0}], "licences.0.expires"),
    ],
)
def test_scalars_are_strict_no_number_for_a_boolean_nor_text_for_a_number(field, value, where):
    assert invalid_fields(**{field: value}) == [where]


def test_unknown_fields_are_named():
    assert invalid_fields(hobbies=["chess"]) == ["hobbies"]
    assert invalid_fields(location={"state": "NV", "county": "Washoe"}) == ["location.county"]


def test_a_statement_may_hold_2000_characters_of_any_script():
    text = "心" * 2000
    assert valid(approaches=[{"slug": "emdr", "statement": text}]).approaches[0].statement == text
    assert invalid_fields(approaches=[{"slug": "emdr", "statement": text + "!"}]) == [
        "approaches.0.statement"
    ]


def profile(**fields) -> domain.TherapistProfile:
    content = NewTherapistProfile.model_validate({**MINIMAL, **fields})
    return domain.new_profile(content, owner_sub="acct-1", at=FixedClock().now())


def test_the_public_view_leaves_out_every_private_field():
    private = profile(
        email="me@example.org",
        phone="+1 775 555 0100",
        licences=[
            {"kind": "LCSW", "number": "HIDDEN-1", "state": "NV"},
            {"kind": "LPC", "number": "SHOWN-2", "state": "NV", "numberPublic": True},
        ],
        locations=[
            {
                "street": "1 Home St",
                "city": "Reno",
                "state": "NV",
                "postalCode": "89501",
                "point": {"lat": 39.5, "lon": -119.8},
                "isPrivate": True,
            }
        ],
    )
    public = domain.public_view(private).model_dump(mode="json")
    text = str(public)
    for secret in ("me@example.org", "555 0100", "HIDDEN-1", "1 Home St", "39.5", "acct-1"):
        assert secret not in text
    assert public["licences"][1]["number"] == "SHOWN-2"
    assert public["locations"][0]["postalCode"] == "89501"


def test_events_carry_the_public_view_and_version():
    created = profile(email="me@example.org")
    event = domain.created_event(created)
    assert event.type == "directory.therapist.created.v1" and event.subject == created.id
    assert event.data == domain.public_view(created).model_dump(mode="json")
    assert domain.deleted_event(created).data == {"id": created.id, "version": 2}


def test_merge_patch_follows_rfc_7396():
    target = {"a": "b", "c": {"d": "e", "f": "g"}, "list": [1, 2]}
    patch = {"a": "z", "c": {"f": None}, "list": [3]}
    assert merge_patch(target, patch) == {"a": "z", "c": {"d": "e"}, "list": [3]}


def test_a_patch_names_its_read_only_and_unknown_fields():
    with pytest.raises(InvalidInput) as caught:
        domain.parse_patch({"version": 3, "bio": {"hobby": None}, "title": "x"})
    assert [(p["field"], p["type"]) for p in caught.value.details] == [
        ("version", "read_only"),
        ("bio.hobby", "extra_forbidden"),
    ]


@pytest.mark.parametrize(
    "required", [{"displayName": None}, {"location": None}, {"location": {"state": None}}]
)
def test_a_patch_may_not_remove_a_required_field(required):
    with pytest.raises(InvalidInput) as caught:
        domain.parse_patch(required)
    assert "null would remove it" in caught.value.details[0]["message"]


def test_a_patch_may_remove_what_is_optional_and_it_takes_its_default():
    patch = domain.parse_patch({"pronouns": None, "bio": None, "location": {"city": None}})
    changes = patch.model_dump(mode="json", exclude_unset=True)
    content = domain.patched_content(domain.editable_content(profile(pronouns="she/her")), changes)
    assert content.pronouns is None and content.bio.about == "" and content.location.city == ""


def test_the_patch_schema_says_which_fields_may_be_null():
    properties = domain.ProfilePatch.model_json_schema()["properties"]
    nullable = {name for name, prop in properties.items() if {"type": "null"} in prop.get("anyOf", [])}
    assert {"pronouns", "bio", "money", "licences"} <= nullable
    assert not {"displayName", "title", "location"} & nullable


def test_a_new_status_counts_as_a_confirmation():
    before = profile()
    after = domain.revised(before, valid(newClientStatus="newpt"), at=FixedClock().advance(hours=1))
    assert after.version == 2 and after.availabilityConfirmedAt == after.updatedAt


def test_only_admins_set_verification_but_owners_may_keep_it():
    verified = {"kind": "LMFT", "number": "A1", "state": "NV", "verificationStatus": "verified"}
    with pytest.raises(Forbidden):
        domain.check_verification_unchanged(None, valid(licences=[verified]))
    held = profile(licences=[verified])
    domain.check_verification_unchanged(held, valid(licences=[verified]))


def test_statements_move_to_the_current_slug_and_unknown_slugs_are_refused():
    content = valid(approaches=[{"slug": "client-centered", "statement": "Warmth."}])
    moved = domain.canonical_statements(content, {"client-centered": "person-centered-therapy"}, [])
    assert moved.approaches[0].slug == "person-centered-therapy"
    with pytest.raises(InvalidInput, match="Unknown approach"):
        domain.canonical_statements(content, {}, [])
