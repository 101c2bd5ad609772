"""No N+1: the number of service calls for a query does not grow with the items it lists."""

from tests.integration.gateway.operations import APPROACH_PAGE, THERAPIST

SEARCH_WITH_APPROACH_NAMES = """
query ($first: Int) {
  searchTherapists(first: $first) {
    edges { node { id approaches { statement approach { slug name } } } }
  }
}"""


async def test_therapist_approach_names_come_from_one_batched_approaches_call(gw):
    await gw.data(THERAPIST, {"id": "t0001"})
    approach_calls = [c for c in gw.stub.calls if c.backend == "approaches"]
    assert len(approach_calls) == 1
    assert approach_calls[0].path == "/v1/approaches"
    assert sorted(v for k, v in approach_calls[0].query if k == "slug") == [
        "cognitive-behavioral-therapy",
        "narrative-therapy",
        "relational-therapy",
    ]
    assert gw.stub.count("profiles") == 1


async def test_listing_more_therapists_does_not_make_more_calls(gw):
    await gw.data(SEARCH_WITH_APPROACH_NAMES, {"first": 2})
    calls_for_two = len(gw.stub.calls)
    gw.gateway.read_cache.clear()
    gw.gateway.response_cache.clear()
    gw.stub.calls.clear()
    data = await gw.data(SEARCH_WITH_APPROACH_NAMES, {"first": 20})
    assert len(data["searchTherapists"]["edges"]) == 20
    assert len(gw.stub.calls) == calls_for_two == 2  # one search call, one approaches call


async def test_a_repeated_anonymous_query_is_answered_without_calling_the_services(gw):
    first = await gw.data(APPROACH_PAGE, {"slug": "relational-therapy"})
    calls = len(gw.stub.calls)
    assert calls == 2  # the approach and its specialists
    assert await gw.data(APPROACH_PAGE, {"slug": "relational-therapy"}) == first
    assert len(gw.stub.calls) == calls


async def test_a_query_with_a_token_is_not_served_from_the_response_cache_but_reuses_service_reads(gw):
    await gw.data(APPROACH_PAGE, {"slug": "relational-therapy"})
    calls = len(gw.stub.calls)
    status, body = await gw.post(
        APPROACH_PAGE, {"slug": "relational-therapy"}, headers={"Authorization": "Bearer anything"}
    )
    assert status == 200 and body["data"]["approach"]["slug"] == "relational-therapy"
    assert len(gw.stub.calls) == calls  # both reads came from the read cache
