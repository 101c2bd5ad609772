"""Search reads kept in the gateway's read cache: as the bytes search sent, each reuse parsed
afresh, so a long tail of searches asked once holds no parsed objects for the collector."""

from __future__ import annotations

from tests.integration.gateway.backends import owner_token
from tests.integration.gateway.operations import SEARCH

# With a token the whole-response cache is bypassed: only the read cache can answer again.
SIGNED_IN = {"Authorization": owner_token("t0003"), "X-Visitor-Session": "visitor-1"}


async def test_a_search_read_again_is_answered_from_the_read_cache_as_it_was_first(gw):
    variables = {"filter": {"state": "TX"}, "first": 5}
    first = await gw.data(SEARCH, variables, headers=SIGNED_IN)
    again = await gw.data(SEARCH, variables, headers=SIGNED_IN)
    assert again == first and first["searchTherapists"]["edges"]
    assert gw.stub.count("search", "/v1/therapists") == 1
    kept = [
        entry.value for entry in gw.gateway.read_cache._entries.values() if isinstance(entry.value, bytes)
    ]
    assert kept and all(value.startswith(b"{") for value in kept)
