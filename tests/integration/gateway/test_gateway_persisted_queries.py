"""Persisted operations: the APQ convention, and an operator's registered-only set."""

from gateway.persisted import manifest_of, query_hash, web_client_operations
from tests.integration.gateway.backends import StubDirectory
from tests.integration.gateway.conftest import running_gateway
from tests.integration.gateway.operations import APPROACH_PAGE, OPERATIONS


def apq(digest: str) -> dict:
    return {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}


async def test_an_unknown_hash_asks_for_the_query_then_the_hash_alone_is_enough(gw):
    query = "query ApproachNames { approaches { slug name } }"  # not one of the gateway's own
    digest = query_hash(query)
    status, body = await gw.post(None, None, **apq(digest))
    assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    registered = await gw.data(query, None, **apq(digest))
    assert await gw.data(None, None, **apq(digest)) == registered


async def test_the_gateways_own_operations_are_known_by_hash_without_a_manifest(gw):
    web_client_search = web_client_operations()["SEARCH"]
    for query, variables in ((APPROACH_PAGE, {"slug": "emdr"}), (web_client_search, {"text": "anxiety"})):
        assert await gw.data(None, variables, **apq(query_hash(query))) == await gw.data(query, variables)


async def test_a_hash_that_does_not_match_the_query_is_refused(gw):
    status, body = await gw.post(APPROACH_PAGE, {"slug": "emdr"}, **apq("0" * 64))
    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"


async def test_registered_only_mode_runs_registered_operations_and_nothing_else(infra, tmp_path):
    manifest = tmp_path / "persisted.json"
    import orjson

    manifest.write_bytes(orjson.dumps(manifest_of([OPERATIONS])))
    async with running_gateway(
        infra,
        StubDirectory.with_demo_data(),
        persisted_queries_manifest=manifest,
        persisted_queries_only=True,
    ) as gw:
        by_hash = await gw.data(None, {"slug": "emdr"}, **apq(query_hash(APPROACH_PAGE)))
        assert by_hash["approach"]["slug"] == "emdr"
        assert (await gw.data(APPROACH_PAGE, {"slug": "emdr"})) == by_hash  # full text of a registered one
        status, body = await gw.post("{ approaches { slug } }")
        assert status == 400 and body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
