"""If-Match and If-None-Match, as every service reads them."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import make_mocked_request

from servicekit import conditional
from servicekit.errors import BadRequest


def _request(**headers: str):
    return make_mocked_request("GET", "/", headers=headers)


@pytest.mark.parametrize("header", ['"3"', "3", 'W/"3"', "*", '"2", "3"', "2, 3"])
def test_if_match_holds_when_it_names_the_current_version(header):
    assert conditional.holds(conditional.if_match(_request(**{"If-Match": header})), 3)


@pytest.mark.parametrize("header", ['"2"', "2", '"30"'])
def test_if_match_fails_for_another_version(header):
    assert not conditional.holds(conditional.if_match(_request(**{"If-Match": header})), 3)


def test_no_if_match_always_holds():
    assert conditional.if_match(_request()) is None
    assert conditional.holds(None, 3)


@pytest.mark.parametrize("header", ["", "   ", "three", '"3" junk"'])
def test_an_empty_or_garbled_if_match_is_a_bad_request_naming_the_header(header):
    with pytest.raises(BadRequest) as caught:
        conditional.if_match(_request(**{"If-Match": header}))
    assert caught.value.details[0]["field"] == "If-Match"


def test_if_none_match_naming_the_current_tag_means_not_modified():
    assert conditional.not_modified(_request(**{"If-None-Match": '"5"'}), conditional.etag(5))
    assert not conditional.not_modified(_request(**{"If-None-Match": '"4"'}), conditional.etag(5))
    assert not conditional.not_modified(_request(), conditional.etag(5))
