"""The card fields the gateway asks search for (`field=`, gateway.card_fields) are all fields
search answers: asking for one it does not know would be refused with a 400."""

from __future__ import annotations

from strawberry.types.base import get_object_definition

from gateway.card_fields import _card_key
from gateway.types.therapists import TherapistCard
from services.search.domain.search_query import CARD_FIELDS


def test_every_card_key_the_gateway_may_ask_for_is_a_search_card_field():
    fields = get_object_definition(TherapistCard, strict=True).fields
    keys = {_card_key(field.name) for field in fields} - {None}  # None: it asks for the whole card
    assert keys and keys <= set(CARD_FIELDS)
