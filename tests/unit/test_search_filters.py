"""Search parameters: what is accepted, and 400s that name the parameter."""

from __future__ import annotations

import pytest
from multidict import MultiDict

from servicekit.errors import ApiError
from services.search.domain import Sort, parse_search_query


def parse(*pairs: tuple[str, str]):
    return parse_search_query(MultiDict(pairs))


def test_defaults_are_relevance_and_twenty_per_page():
    query = parse()
    assert query.sort is Sort.RELEVANCE and query.first == 20 and query.text == ""


def test_repeatable_parameters_collect_every_value():
    query = parse(("approach", "emdr"), ("approach", "gottman-method"), ("language", "es"))
    assert query.approaches == ("emdr", "gottman-method") and query.languages == ("es",)


def test_radius_in_miles_becomes_kilometres():
    assert parse(("zip", "78701"), ("radius", "10"), ("radiusUnit", "mi")).radius_km == pytest.approx(
        16.09344
    )


def test_booleans_and_numbers_are_parsed():
    query = parse(("slidingScale", "true"), ("lgbtq", "false"), ("maxFee", "120"), ("state", "tx"))
    assert (
        query.sliding_scale is True and query.lgbtq is False and query.max_fee == 120 and query.state == "TX"
    )


@pytest.mark.parametrize(
    ("pairs", "parameter"),
    [
        ((("first", "0"),), "first"),
        ((("first", "101"),), "first"),
        ((("radius", "far"),), "radius"),
        ((("radius", "5"), ("radiusUnit", "leagues")), "radiusUnit"),
        ((("state", "XX"),), "state"),
        ((("maxFee", "-1"),), "maxFee"),
        ((("slidingScale", "maybe"),), "slidingScale"),
        ((("sort", "price"),), "sort"),
        ((("sort", "distance"),), "sort"),
        ((("format", "carrier-pigeon"),), "format"),
        ((("ageGroup", "toddlers"),), "ageGroup"),
        ((("zip", "7870A"),), "zip"),
        ((("colour", "blue"),), "colour"),
        ((("state", "TX"), ("state", "CA")), "state"),
    ],
)
def test_bad_parameters_are_400s_naming_the_parameter(pairs, parameter):
    with pytest.raises(ApiError) as caught:
        parse(*pairs)
    assert caught.value.status == 400
    assert caught.value.details[0]["field"] == parameter
