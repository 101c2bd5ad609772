"""The approaches domain: what a valid approach is, merge patches, slug renames, events."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from integration_events.approaches import (
    APPROACH_CREATED,
    APPROACH_DELETED,
    APPROACH_UPDATED,
    ApproachDeleted,
    ApproachSnapshot,
)
from integration_events.therapists import TherapistPublicProfile
from servicekit.errors import InvalidInput
from servicekit.merge_patch import merge_patch
from services.approaches import domain
from services.approaches.domain import ApproachContent

T0 = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def content(**fields: object) -> ApproachContent:
    base = {"slug": "relational-therapy", "name": "Relational Therapy"}
    return ApproachContent.model_validate({**base, **fields})


def invalid_fields(**fields: object) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        content(**fields)
    return {".".join(str(p) for p in error["loc"]) for error in caught.value.errors()}


def approach(**fields: object) -> domain.Approach:
    return domain.new_approach(content(**fields), now=T0)


def revise(current: domain.Approach, patch: object, now: datetime = T0) -> domain.Approach | None:
    return domain.revise(current, domain.validated_patch(patch), now=now)


def refused_fields(current: domain.Approach, patch: object) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        revise(current, patch)
    return [detail["field"] for detail in caught.value.details]


@pytest.mark.parametrize("slug", ["cbt", "emdr", "relational-therapy", "ifs-2", "12-step"])
def test_slugs_are_lowercase_words_of_letters_and_digits_joined_by_hyphens(slug):
    assert content(slug=slug).slug == slug


@pytest.mark.parametrize(
    "slug",
    [
        "CBT",
        "Relational-Therapy",
        "foo_bar",
        "foo bar",
        "-foo",
        "foo-",
        "foo--bar",
        "",
        "café",
        "a" * 81,
        "foo/bar",
    ],
)
def test_a_malformed_slug_is_rejected_naming_the_field(slug):
    assert invalid_fields(slug=slug) == {"slug"}


def test_name_and_slug_are_required():
    with pytest.raises(ValidationError) as caught:
        ApproachContent.model_validate({})
    assert {e["loc"][0] for e in caught.value.errors()} == {"slug", "name"}


def test_a_blank_name_is_rejected():
    assert invalid_fields(name="   ") == {"name"}


@pytest.mark.parametrize("control", ["\x00", "\x1b", "\x0c", "\x7f", "\x85"])
def test_control_characters_in_text_are_refused_naming_the_field(control):
    assert invalid_fields(name=f"Relational{control}Therapy") == {"name"}
    assert invalid_fields(aliases=[f"RT{control}"]) == {"aliases.0"}
    assert invalid_fields(sections={"whatItIs": f"x{control}"}) == {"sections.whatItIs"}


def test_line_breaks_and_tabs_are_text_kept_as_written():
    description, summary = "First.\r\n\r\n\tSecond, indented.", "One line.\nAnother."
    written = content(description=description, summary=summary)
    assert (written.description, written.summary) == (description, summary)


def test_the_summary_is_one_paragraph():
    assert content(summary="One line.\nStill the same paragraph.").summary
    assert invalid_fields(summary="First paragraph.\n\nSecond paragraph.") == {"summary"}


def test_issues_come_from_the_shared_vocabulary():
    assert content(issues=["anxiety", "trauma-ptsd"]).issues == ["anxiety", "trauma-ptsd"]
    assert invalid_fields(issues=["anxiety", "feeling-meh"]) == {"issues.1"}


def test_lists_may_not_repeat_an_entry():
    assert invalid_fields(issues=["anxiety", "anxiety"]) == {"issues"}
    assert invalid_fields(aliases=["CBT", "cbt"]) == {"aliases"}
    assert invalid_fields(related=["emdr", "emdr"]) == {"related"}


def test_related_entries_are_slugs_other_than_its_own():
    assert invalid_fields(related=["Not A Slug"]) == {"related.0"}
    assert invalid_fields(related=["emdr", "relational-therapy"]) == {""}


def test_unknown_fields_are_rejected_by_name():
    assert invalid_fields(colour="blue") == {"colour"}
    assert invalid_fields(sections={"whatItIs": "x", "history": "y"}) == {"sections.history"}


def test_a_new_approach_starts_at_version_1_with_no_previous_slugs():
    created = approach()
    assert (created.version, created.previousSlugs, created.createdAt, created.updatedAt) == (1, [], T0, T0)
    assert created.id and created.id != approach().id


def test_merge_patch_follows_rfc_7396():
    target = {"a": "b", "c": {"d": "e", "f": "g"}, "list": [1, 2]}
    patch = {"a": "z", "c": {"f": None}, "list": [3], "new": {"x": 1}}
    assert merge_patch(target, patch) == {"a": "z", "c": {"d": "e"}, "list": [3], "new": {"x": 1}}
    assert merge_patch({"a": 1}, ["replaced"]) == ["replaced"]
    assert merge_patch({"a": {"b": 1}}, {"a": None}) == {}


def test_revising_changes_the_fields_given_and_advances_the_version():
    current = approach(summary="Old.", aliases=["RT"])
    later = datetime(2025, 2, 1, tzinfo=UTC)
    revised = revise(current, {"summary": "New.", "sections": {"howItWorks": "Talking."}}, now=later)
    assert revised is not None
    assert (revised.summary, revised.aliases, revised.sections.howItWorks) == ("New.", ["RT"], "Talking.")
    assert (revised.version, revised.id, revised.createdAt, revised.updatedAt) == (2, current.id, T0, later)


def test_null_removes_a_field_back_to_its_default():
    revised = revise(approach(aliases=["RT"], summary="Kept."), {"aliases": None})
    assert revised is not None and revised.aliases == [] and revised.summary == "Kept."


def test_null_empties_one_section_and_keeps_the_others():
    current = approach(sections={"whatItIs": "Kept.", "howItWorks": "Gone."})
    revised = revise(current, {"sections": {"howItWorks": None}})
    assert revised is not None and (revised.sections.whatItIs, revised.sections.howItWorks) == ("Kept.", "")


@pytest.mark.parametrize("field", ["slug", "name"])
def test_null_for_a_required_field_is_refused_naming_it(field):
    assert refused_fields(approach(), {field: None}) == [field]


def test_a_patched_approach_must_be_valid_as_a_whole():
    assert refused_fields(approach(), {"related": ["relational-therapy"]}) == ["(body)"]


def test_a_patch_that_changes_nothing_makes_no_new_version():
    current = approach(summary="Same.")
    assert revise(current, {"summary": "Same."}) is None
    assert revise(current, {}) is None


@pytest.mark.parametrize("field", domain.READ_ONLY_FIELDS)
def test_read_only_fields_cannot_be_patched(field):
    with pytest.raises(InvalidInput) as caught:
        domain.validated_patch({field: "x"})
    assert caught.value.details == [{"field": field, "message": "is read-only"}]


def test_a_patch_must_be_an_object():
    with pytest.raises(InvalidInput):
        domain.validated_patch(["slug", "x"])


def test_a_patch_names_only_fields_an_approach_has():
    assert set(refused_fields(approach(), {"colour": "blue", "sections": {"history": "y"}})) == {
        "colour",
        "sections.history",
    }


def test_renaming_keeps_the_old_slug_as_a_previous_slug():
    renamed = revise(approach(), {"slug": "relational-psychotherapy"})
    assert renamed is not None
    assert renamed.previousSlugs == ["relational-therapy"]
    assert renamed.slugs == ["relational-psychotherapy", "relational-therapy"]


def test_renaming_back_to_a_former_slug_makes_it_current_again():
    renamed = revise(approach(), {"slug": "relational-psychotherapy"})
    back = revise(renamed, {"slug": "relational-therapy"})
    assert back is not None
    assert (back.slug, back.previousSlugs) == ("relational-therapy", ["relational-psychotherapy"])


def test_the_revision_names_version_and_identity():
    current = approach()
    assert current.revision == f"1-{current.id}"


def test_created_and_updated_events_carry_the_approach_snapshot():
    current = approach(issues=["anxiety"], related=["emdr"])
    event = domain.created_event(current)
    assert (event.type, event.subject, event.version) == (APPROACH_CREATED, current.id, 1)
    snapshot = ApproachSnapshot.model_validate(event.data)
    assert (snapshot.slug, snapshot.issues, snapshot.related) == ("relational-therapy", ["anxiety"], ["emdr"])
    renamed = revise(current, {"slug": "relational-psychotherapy"})
    updated = domain.updated_event(renamed)
    assert updated.type == APPROACH_UPDATED
    assert ApproachSnapshot.model_validate(updated.data).previousSlugs == ["relational-therapy"]


def test_the_deleted_event_is_the_next_version():
    current = approach()
    event = domain.deleted_event(current)
    assert event.type == APPROACH_DELETED
    assert ApproachDeleted.model_validate(event.data).version == 2


def test_a_therapist_references_each_approach_it_has_a_statement_for_once():
    profile = TherapistPublicProfile.model_validate(
        {
            "id": "t1",
            "version": 3,
            "displayName": "A",
            "title": "LPC",
            "location": {"state": "TX"},
            "approaches": [
                {"slug": "emdr", "statement": "a"},
                {"slug": "cognitive-behavioral-therapy", "statement": "b"},
                {"slug": "emdr", "statement": "c"},
            ],
            "createdAt": T0,
            "updatedAt": T0,
        }
    )
    assert domain.referenced_slugs(profile) == ["cognitive-behavioral-therapy", "emdr"]
