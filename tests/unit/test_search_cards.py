"""Cards and practice locations as the search read side builds them (public data only)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import orjson
import pytest
from tantivy import Query

from integration_events.therapists import TherapistPublicProfile
from servicekit.clock import SYSTEM_CLOCK
from services.search import domain, geo
from services.search.api import render_card, render_card_json
from services.search.application import practice_points
from services.search.index import FacetCodeRows, SearchIndex
from services.search.store import stored_listing, therapist_fields
from tests.integration.search.conftest import profile


def stored(**fields) -> dict:
    return TherapistPublicProfile.model_validate(profile(**fields)).model_dump(mode="json")


def test_a_card_resolves_renamed_approach_slugs_and_keeps_statements_as_written():
    data = stored(approaches=[{"slug": "old-name", "statement": "“Quoted” — and accentué."}])
    card = domain.card_from_profile(data, {"old-name": "new-name"})
    assert card["approaches"] == [{"slug": "new-name", "statement": "“Quoted” — and accentué."}]


def test_a_card_carries_no_bio_licence_or_address():
    data = stored(locations=[{"street": "1 Hidden Lane", "city": "Austin", "state": "TX", "isPrivate": True}])
    card = domain.card_from_profile(data, {})
    assert "bio" not in card and "licences" not in card and "locations" not in card
    assert "1 Hidden Lane" not in str(card)


def test_the_lowest_fee_counts_the_sliding_scale_floor_but_not_the_intake():
    data = stored(
        money={
            "fees": [
                {"sessionType": "intake", "amountUsd": 20},
                {"sessionType": "individual", "amountUsd": 150},
            ],
            "slidingScale": {"minUsd": 60, "maxUsd": 150},
        }
    )
    assert domain.lowest_fee(data) == 60


def test_without_licences_the_practice_states_count_as_licensed():
    data = stored(
        licences=[],
        location={"city": "Denver", "state": "CO"},
        locations=[{"city": "Boulder", "state": "CO"}],
    )
    assert domain.licensed_states(data) == ["CO"]


def test_practice_points_prefer_the_own_point_then_zip_then_city():
    own = TherapistPublicProfile.model_validate(
        profile(locations=[{"city": "Austin", "state": "TX", "point": {"lat": 30.1, "lon": -97.9}}])
    )
    assert practice_points(own) == [[30.1, -97.9]]
    by_zip = TherapistPublicProfile.model_validate(
        profile(locations=[{"city": "", "state": "TX", "postalCode": "75201"}])
    )
    zip_point = geo.zip_point("75201")
    assert practice_points(by_zip) == [[round(zip_point.lat, 5), round(zip_point.lon, 5)]]
    city_only = TherapistPublicProfile.model_validate(
        profile(locations=[], location={"city": "", "state": "TX"})
    )
    assert practice_points(city_only) == []


def indexed(*profiles: dict) -> SearchIndex:
    index = SearchIndex()
    for n, data in enumerate(profiles):
        points = [[30.27 + n / 100, -97.74]]
        index.apply({"_id": data["id"], "version": 1, **therapist_fields(data, points)}, SYSTEM_CLOCK.now())
    index.commit_blocking()
    return index


def test_a_listing_is_stored_as_one_text_and_read_back_as_it_was():
    data = stored(displayName="Soren Quillfield, LPC")
    points = [[30.27, -97.74]]
    fields = therapist_fields(data, points)
    assert set(fields) == {"deleted", "listing"} and isinstance(fields["listing"], str)
    assert stored_listing(fields) == (data, points)
    assert stored_listing({"deleted": True, "listing": None}) is None


def test_an_indexed_listing_is_found_by_text_with_its_distance_and_card():
    data = stored(displayName="Soren Quillfield, LPC", title="Licensed Professional Counselor")
    index = SearchIndex()
    index.apply(
        {"_id": data["id"], "version": 1, **therapist_fields(data, [[30.27, -97.74]])}, SYSTEM_CLOCK.now()
    )
    index.commit_blocking()
    with index.pinned():
        hits = index.load(index.top(index.parse_text("quillfield counselor"), 5), geo.Point(30.27, -97.74))
    assert [h.id for h in hits] == [data["id"]]
    assert hits[0].distance_km is not None and hits[0].distance_km < 0.1
    assert hits[0].card == domain.card_from_profile(data, {})


@pytest.mark.parametrize("confirmed_days_ago", [3, 90, None])
def test_a_search_result_card_is_the_rendered_card_byte_for_byte(confirmed_days_ago):
    confirmed = None
    if confirmed_days_ago is not None:
        confirmed = (SYSTEM_CLOCK.now() - timedelta(days=confirmed_days_ago)).isoformat()
    index = indexed(stored(displayName='Ilse "Availability" Fennick', availabilityConfirmedAt=confirmed))
    now = SYSTEM_CLOCK.now()
    with index.pinned():
        [hit] = index.load(index.top(Query.all_query(), 1), geo.Point(30.3, -97.7))
    assert render_card_json(hit, now) == orjson.dumps(render_card(hit, now))
    hit.distance_km = None
    assert render_card_json(hit, now) == orjson.dumps(render_card(hit, now))


def test_facet_counts_of_a_set_of_rows_count_each_row_once_per_value():
    index = indexed(
        stored(languages=["en", "es"], issues=[{"slug": "anxiety", "top": True}]),
        stored(languages=["en"], issues=[{"slug": "grief", "top": False}]),
        stored(languages=["fr"], issues=[{"slug": "anxiety", "top": False}]),
    )
    facets = index.count_facets(np.array([0, 1, 2]))
    assert facets["languages"] == [
        {"value": "en", "count": 2},
        {"value": "es", "count": 1},
        {"value": "fr", "count": 1},
    ]
    assert index.count_facets(np.array([1, 2]))["issues"] == [
        {"value": "anxiety", "count": 1},
        {"value": "grief", "count": 1},
    ]


def test_the_fee_facet_counts_rows_at_or_under_each_ceiling_alike_in_both_counts():
    """Rows counted here (small result sets) and the engine's aggregation (large ones) agree; a
    profile without any fee is under no ceiling, a free one under every ceiling."""
    no_fee = {"fees": [], "insurance": []}
    index = indexed(
        stored(money={"fees": [{"sessionType": "individual", "amountUsd": 0}], "insurance": []}),
        stored(money={"fees": [{"sessionType": "individual", "amountUsd": 75}], "insurance": []}),
        stored(money={"fees": [{"sessionType": "individual", "amountUsd": 76}], "insurance": []}),
        stored(money={"fees": [{"sessionType": "individual", "amountUsd": 900}], "insurance": []}),
        stored(money=no_fee),
    )
    expected = [{"value": "50", "count": 1}, {"value": "75", "count": 2}]
    expected += [{"value": str(c), "count": 3} for c in (100, 125, 150, 200, 250)]
    assert index.count_facets(np.arange(5))["maxFee"] == expected
    with index.pinned():
        total, facets = index.facets(Query.all_query())
    assert total == 5 and facets["maxFee"] == expected
    assert index.count_facets(np.array([3, 4]))["maxFee"] == []


def test_facet_code_rows_widen_grow_and_move_to_32_bits_without_losing_a_row():
    rows = FacetCodeRows()
    expected = []
    for n in range(3000):  # past the first capacity, several times
        codes = list(range(1, 2 + n % 5))
        if n == 1500:
            codes = list(range(1, 41))  # wider than any row before
        if n == 2500:
            codes = [3, 70_000]  # a code past 16 bits
        rows.append(codes)
        expected.append(codes)
    every = np.arange(3000)
    counts = rows.count(every, 70_001)
    assert counts[0] == 0  # the padding is no value
    assert counts[1] == sum(1 in c for c in expected)
    assert counts[40] == 1 and counts[70_000] == 1
    assert rows.count(np.array([1500, 2500]), 70_001)[3] == 2
    for slot in (0, 1499, 1500, 2500, 2999):
        row = rows.rows[slot]
        assert sorted(int(c) for c in row if c) == sorted(expected[slot])


def test_versions_applied_before_one_commit_leave_only_the_newest_and_a_tombstone_wins():
    """Documents wait to be handed to the engine in runs; a newer version's delete of the older
    one must still reach it, and so must a tombstone's, with more than one run before the commit."""
    now = SYSTEM_CLOCK.now()
    first = stored(displayName="Amara Westmarch, LPC")
    gone = stored(displayName="Idris Torvane, LMFT")
    index = SearchIndex()
    for n in range(300):  # more than one run of waiting documents
        filler = stored(displayName=f"Calla Ivesly {n}")
        index.apply({"_id": filler["id"], "version": 1, **therapist_fields(filler, [])}, now)
    index.apply({"_id": first["id"], "version": 1, **therapist_fields(first, [])}, now)
    index.apply({"_id": gone["id"], "version": 1, **therapist_fields(gone, [])}, now)
    renamed = {**first, "displayName": "Amara Westmarch-Quill, LPC"}
    index.apply({"_id": first["id"], "version": 2, **therapist_fields(renamed, [])}, now)
    index.apply({"_id": gone["id"], "version": 2, "deleted": True, "listing": None}, now)
    index.commit_blocking()
    with index.pinned():
        assert index.size == 301
        hits = index.load(index.top(index.parse_text("westmarch"), 5), None)
        assert [h.card["displayName"] for h in hits] == ["Amara Westmarch-Quill, LPC"]
        assert index.top(index.parse_text("torvane"), 5) == []
