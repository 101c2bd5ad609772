"""The demo therapists: deterministic, accepted by the profiles service, as messy as real listings,
and large sets streamed quickly."""

from __future__ import annotations

import itertools
import random
import re
import time
from datetime import UTC, datetime

import pytest
import zipcodes

from devstack.demo.therapists import DemoTherapist, demo_therapists, iter_demo_therapists
from devstack.demo.wordbanks import word_banks
from integration_events.therapists import TherapistPublicProfile
from integration_events.vocabulary import (
    AGE_GROUPS,
    INSURANCE_PLANS,
    ISSUES,
    LICENCE_KINDS,
    POPULATIONS,
    TAXONOMY_CODES,
    US_STATES,
)
from services.profiles.domain import TherapistProfile, public_view
from services.profiles.domain.licensing import is_expired
from services.profiles.domain.profile import Licence

DEMO_APPROACH_SLUGS = set(
    """
    relational-therapy cognitive-behavioral-therapy dialectical-behavior-therapy emdr
    psychodynamic-therapy person-centered-therapy internal-family-systems
    acceptance-and-commitment-therapy emotionally-focused-therapy narrative-therapy
    somatic-experiencing gottman-method solution-focused-brief-therapy motivational-interviewing
    mindfulness-based-cognitive-therapy exposure-and-response-prevention trauma-focused-cbt
    cognitive-processing-therapy prolonged-exposure-therapy schema-therapy
    compassion-focused-therapy existential-therapy gestalt-therapy family-systems-therapy
    structural-family-therapy play-therapy art-therapy interpersonal-psychotherapy
    mentalization-based-treatment sensorimotor-psychotherapy attachment-based-therapy
    feminist-therapy psychoanalytic-therapy multicultural-counseling
""".split()
)


@pytest.fixture(scope="module")
def therapists() -> list[DemoTherapist]:
    return demo_therapists()


@pytest.fixture(scope="module")
def statements(therapists) -> list[tuple[str, str]]:
    return [pair for therapist in therapists for pair in therapist.statements]


def stored_profile(therapist: DemoTherapist, number: int) -> TherapistProfile:
    """The profile the profiles service would hold once the demo loader has created it."""
    created = datetime(2025, 6, 1, tzinfo=UTC)
    return TherapistProfile.model_validate(
        therapist.profile
        | {
            "id": f"t{number}",
            "ownerSub": f"demo-therapist-{number:03d}",
            "version": 1,
            "createdAt": created,
            "updatedAt": created,
            "availabilityConfirmedAt": therapist.availability,
            "approaches": [{"slug": slug, "statement": text} for slug, text in therapist.statements],
        }
    )


@pytest.fixture(scope="module")
def published(therapists) -> list[tuple[DemoTherapist, TherapistPublicProfile]]:
    """Each therapist with what the profiles service publishes of them (its own public view)."""
    return [(t, public_view(stored_profile(t, number))) for number, t in enumerate(therapists)]


def npi_is_valid(npi: str) -> bool:
    digits = [int(d) for d in "80840" + npi]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return len(npi) == 10 and total % 10 == 0


def test_the_same_seed_gives_the_same_therapists(therapists):
    assert demo_therapists() == therapists
    assert demo_therapists(seed=7) != therapists


def test_a_smaller_set_is_the_beginning_of_a_larger_one(therapists):
    assert demo_therapists(40) == therapists[:40]
    assert list(itertools.islice(iter_demo_therapists(10_000), 300)) == therapists


def test_there_are_300_therapists_by_default(therapists):
    assert len(therapists) == 300


def test_every_public_view_validates_against_the_event_contract(published):
    for therapist, public in published:
        event_data = TherapistPublicProfile.model_validate(public.model_dump(mode="json"))
        assert event_data.displayName == therapist.profile["displayName"]
        assert [a.slug for a in event_data.approaches] == [slug for slug, _ in therapist.statements]


def test_public_view_carries_no_private_field(published):
    hidden_numbers = hidden_streets = 0
    for therapist, public in published:
        text = public.model_dump_json()
        assert therapist.profile["email"] not in text
        assert therapist.profile["phone"] not in text
        for written, shown in zip(therapist.profile["licences"], public.licences, strict=True):
            if not written["numberPublic"]:
                assert shown.number is None
                hidden_numbers += 1
        for written, shown in zip(therapist.profile["locations"], public.locations, strict=True):
            if written["isPrivate"]:
                assert written["street"] not in text
                assert shown.street is None and shown.point is None
                hidden_streets += 1
    assert hidden_numbers > 100 and hidden_streets > 20  # there was something to hide


def test_every_sentence_of_the_word_banks_expands_with_the_known_placeholders():
    banks = word_banks()
    sentences = [
        *banks.suites,
        *itertools.chain(*banks.prose.values(), *banks.family_lines.values(), *banks.language_lines.values()),
    ]
    sentences += [t for approach in banks.approaches.values() for t in (*approach.core, *approach.short)]
    fill = dict.fromkeys(
        ("approach", "other_approach", "issue", "issue2", "issue3", "client", "city", "number", "floor"), "x"
    )
    for sentence in sentences:
        assert not re.search(r"[{}<>|]", sentence.expand(random.Random(0), fill)), sentence


def test_a_large_set_streams_in_linear_time_with_unique_names():
    # The benchmark directory has 250,000 therapists: generation must not slow down as it goes
    # (each name is checked against those already drawn) and must never repeat a name.
    names: set[str] = set()
    stream = iter_demo_therapists(4_000, seed=3)
    halves = []
    for _ in range(2):
        started = time.process_time()  # CPU time: other processes on the machine do not count
        names.update(t.profile["displayName"].lower() for t in itertools.islice(stream, 2_000))
        halves.append(time.process_time() - started)
    assert len(names) == 4_000
    assert halves[1] < 2 * halves[0] + 0.5, halves
    assert sum(halves) < 30, halves  # ~0.7 ms a therapist on a 2-core development machine


def test_private_fields_are_present_in_the_create_bodies(therapists):
    profiles = [t.profile for t in therapists]
    assert all(p["email"].endswith(("@example.com", "@example.org", "@example.net")) for p in profiles)
    assert all("555-01" in p["phone"] or "555 01" in p["phone"] or "555.01" in p["phone"] for p in profiles)
    licences = [lic for p in profiles for lic in p["licences"]]
    assert {lic["numberPublic"] for lic in licences} == {True, False}
    assert all(lic["number"] for lic in licences)
    locations = [loc for p in profiles for loc in p["locations"]]
    assert {loc["isPrivate"] for loc in locations} == {True, False}
    assert all(loc["street"] for loc in locations)


def test_at_least_60_therapists_write_about_relational_therapy(statements):
    assert sum(slug == "relational-therapy" for slug, _ in statements) >= 60


def test_each_therapist_has_one_to_six_distinct_demo_approaches(therapists):
    used = set()
    for therapist in therapists:
        slugs = [slug for slug, _ in therapist.statements]
        assert 1 <= len(slugs) <= 6
        assert len(set(slugs)) == len(slugs)
        used |= set(slugs)
    assert used == DEMO_APPROACH_SLUGS


def test_some_cities_are_empty_and_some_hold_a_zip_code(therapists):
    cities = [t.profile["location"]["city"] for t in therapists]
    assert cities.count("") >= 5
    assert sum(city.isdigit() for city in cities) >= 2


def test_zip_codes_are_real_and_match_their_city_and_state(therapists):
    for therapist in therapists:
        for location in therapist.profile["locations"]:
            (record,) = zipcodes.matching(location["postalCode"])
            assert record["state"] == location["state"]
            assert record["city"].lower() == location["city"].lower()
        city = therapist.profile["location"]["city"]
        if city.isdigit():
            assert zipcodes.matching(city)[0]["state"] == therapist.profile["location"]["state"]


def test_statements_use_typographic_punctuation_and_accents(statements):
    texts = [text for _, text in statements]
    for mark in "“”’—–é":
        assert any(mark in text for text in texts), mark
    assert any(re.search(r"[ñü]", text) for text in texts)


def test_statement_lengths_range_from_one_line_to_a_long_paragraph(statements):
    lengths = [len(text) for _, text in statements]
    assert min(lengths) < 60
    assert max(lengths) > 600
    assert all(0 < length <= 2000 for length in lengths)


def test_statements_rarely_repeat_exactly(statements):
    texts = [text for _, text in statements]
    assert len(set(texts)) >= 0.95 * len(texts)


def test_display_names_are_unique_and_written_in_many_styles(therapists):
    names = [t.profile["displayName"] for t in therapists]
    assert len({name.lower() for name in names}) == len(names)
    assert any(re.search(r" [A-Z]\. ", name) for name in names)  # middle initial
    assert any(name.endswith(("LMFT", "LCSW", "PhD", "PsyD", "LPC")) for name in names)
    assert any(name == name.lower() for name in names)
    assert any(re.fullmatch(r"[^,]+, [A-Z][a-zà-ÿ-]+", name) for name in names)  # "Family, Given"
    assert any(not name.isascii() for name in names)


def test_titles_include_the_usual_professions(therapists):
    titles = {t.profile["title"] for t in therapists}
    for title in (
        "Licensed Clinical Social Worker",
        "Licensed Professional Counselor Candidate",
        "Licensed Clinical Mental Health Counselor",
        "Clinical Psychologist",
    ):
        assert title in titles


def test_npis_pass_the_luhn_check(therapists):
    npis = [t.profile["npi"] for t in therapists if "npi" in t.profile]
    assert len(npis) > 50
    assert all(npi_is_valid(npi) for npi in npis)


def test_codes_come_from_the_shared_vocabularies(therapists):
    for p in (t.profile for t in therapists):
        assert p["location"]["state"] in US_STATES
        assert all(issue["slug"] in ISSUES for issue in p["issues"])
        assert any(issue["top"] for issue in p["issues"])
        assert set(p["ageGroups"]) <= set(AGE_GROUPS)
        assert set(p["populations"]) <= set(POPULATIONS)
        assert all(lic["kind"] in LICENCE_KINDS for lic in p["licences"])
        assert p.get("taxonomyCode") is None or p["taxonomyCode"] in TAXONOMY_CODES
        assert set(p["money"].get("insurance", [])) <= set(INSURANCE_PLANS)
        assert set(p.get("telehealthStates", [])) <= set(US_STATES)


def test_languages_are_distinct_bcp47_codes(therapists):
    codes = set()
    for therapist in therapists:
        languages = therapist.profile["languages"]
        assert len(set(languages)) == len(languages)
        codes |= set(languages)
    assert {"en", "es", "ase"} <= codes
    assert all(re.fullmatch(r"[a-z]{2,3}(-[A-Z][a-z]{3}|-[A-Z]{2})?", code) for code in codes)


def test_sliding_scales_identity_and_availability_vary(therapists):
    profiles = [t.profile for t in therapists]
    scales = [p["money"]["slidingScale"] for p in profiles if "slidingScale" in p["money"]]
    assert 30 < len(scales) < 270
    assert all(scale["minUsd"] <= scale["maxUsd"] for scale in scales)
    assert 30 < sum("identity" in p for p in profiles) < 270
    assert {t.availability is None for t in therapists} == {True, False}


def test_demo_therapists_made_today_hold_a_licence_in_force_so_all_are_listed():
    # ./dev up makes them around today: a demo with expired licences would hide them from search.
    now = datetime.now(UTC)
    for therapist in demo_therapists(300, now=now):
        licences = [Licence.model_validate(licence) for licence in therapist.profile.get("licences") or ()]
        assert not licences or any(not is_expired(licence, now) for licence in licences), therapist.profile
