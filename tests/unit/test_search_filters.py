"""Search parameters: what is accepted, and 400s that name the parameter."""

from __future__ import annotations

import pytest
from multidict import MultiDict

from servicekit.errors import BadRequest
from servicekit.http import STATUS_OF
from services.search.api import query_parameters
from services.search.domain import PageParameters, SearchParameters, Sort, page_parameters, search_query


def parse(*pairs: tuple[str, str]):
    return search_query(query_parameters(MultiDict(pairs), SearchParameters))


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


def test_values_are_trimmed_and_empty_ones_are_not_given():
    query = parse(("text", "  grief  "), ("state", " "), ("first", ""), ("format", " video "), ("format", ""))
    assert query.text == "grief" and query.state is None and query.first == 20 and query.formats == ("video",)


def test_a_reply_time_beyond_the_measured_window_asks_for_any_measured_reply():
    assert parse(("respondsWithinHours", "24")).responds_within_hours == 24
    assert parse(("respondsWithinHours", "9" * 30)).responds_within_hours == 90 * 24


@pytest.mark.parametrize(
    ("pairs", "parameter"),
    [
        ((("first", "0"),), "first"),
        ((("first", "101"),), "first"),
        ((("radius", "far"),), "radius"),
        ((("radius", "5"), ("radiusUnit", "leagues")), "radiusUnit"),
        ((("state", "XX"),), "state"),
        ((("maxFee", "-1"),), "maxFee"),
        ((("respondsWithinHours", "0"),), "respondsWithinHours"),
        ((("respondsWithinHours", "1.5"),), "respondsWithinHours"),
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
    with pytest.raises(BadRequest) as caught:
        parse(*pairs)
    assert STATUS_OF[type(caught.value)] == 400 and caught.value.code == "invalid_parameter"
    assert caught.value.details[0]["field"] == parameter


def test_a_bad_parameter_is_named_with_what_is_wrong_with_it():
    with pytest.raises(BadRequest) as caught:
        parse(("radius", "far"))
    assert caught.value.message == "Invalid query parameter 'radius': must be a number"
    assert caught.value.details == [{"field": "radius", "message": "must be a number"}]


def test_the_first_bad_parameter_is_the_one_named():
    with pytest.raises(BadRequest) as caught:
        parse(("state", "TX"), ("colour", "blue"), ("state", "CA"))
    assert caught.value.details[0]["field"] == "state"
    with pytest.raises(BadRequest) as caught:
        parse(("lgbtq", "maybe"), ("radius", "far"))
    assert caught.value.details[0]["field"] == "radius"


def test_an_approach_page_takes_a_page_size_and_a_cursor_only():
    paging = page_parameters(query_parameters(MultiDict([("first", "5"), ("after", "abc")]), PageParameters))
    assert (paging.first, paging.after) == (5, "abc")
    assert page_parameters({}).first == 20
    for pairs in ([("first", "0")], [("first", "")], [("first", "x")], [("sort", "freshness")]):
        with pytest.raises(BadRequest):
            page_parameters(query_parameters(MultiDict(pairs), PageParameters, once=False))
