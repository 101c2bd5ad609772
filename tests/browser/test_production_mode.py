"""The web client against a gateway in production mode (`DIRECTORY_ENV=production`: registered
operations only, no introspection, no cross-site GETs): the visitor's pages work exactly as in
development, since the gateway registers its own web client's operations. The web client tests
imported below run here again, against this directory."""

from __future__ import annotations

import orjson
import pytest

from gateway.persisted import query_hash
from tests.browser.conftest import ALL_SEARCHABLE
from tests.browser.test_web_client import (  # noqa: F401 - collected again, in production mode
    test_a_search_narrows_with_filters_and_the_facet_counts_follow,
    test_the_approach_page_shows_the_approach_and_its_specialists_in_their_own_words,
    test_the_questionnaire_shows_who_fits_and_why_without_keeping_the_answers,
)
from tests.stack import directory_running


@pytest.fixture(scope="module")
async def directory(web_client_served, infra, tmp_path_factory):
    # The tests' own seeding check, registered as an operator registers theirs.
    manifest = tmp_path_factory.mktemp("production") / "operations.json"
    manifest.write_bytes(orjson.dumps({query_hash(ALL_SEARCHABLE): ALL_SEARCHABLE}))
    async with directory_running(
        infra, tag="production", gateway_environment="production", persisted_queries_manifest=manifest
    ) as running:
        yield running


async def test_this_gateway_refuses_what_production_refuses(directory):
    async with directory.http.post(
        f"{directory.urls['gateway']}/graphql", json={"query": "{ approaches { slug } }"}
    ) as response:
        body = await response.json()
    assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
