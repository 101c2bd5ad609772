"""Cards and practice locations as the search read side builds them (public data only)."""

from __future__ import annotations

from integration_events.therapists import TherapistPublicProfile
from services.search import domain, geo
from services.search.consumers import practice_points
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
