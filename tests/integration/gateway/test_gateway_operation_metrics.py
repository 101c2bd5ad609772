"""Per-operation metrics on the gateway's /metrics: counted by registered operation name (any
other name as `other`), timed, priced, and with the errors' codes."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.integration.gateway.operations import APPROACH_PAGE


async def samples(gw) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with gw.http.get(f"{gw.url}/metrics") as response:
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        if family.name.startswith("directory_gateway_operation")
        for sample in family.samples
    }


def grown(before: dict, after: dict, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


async def test_each_registered_operation_is_counted_timed_and_priced_by_its_name(gw):
    before = await samples(gw)
    await gw.data(APPROACH_PAGE, {"slug": "emdr", "first": 5})
    after = await samples(gw)
    assert (
        grown(before, after, "directory_gateway_operations_total", operation="ApproachPage", outcome="ok")
        == 1
    )
    assert grown(before, after, "directory_gateway_operation_seconds_count", operation="ApproachPage") == 1
    assert grown(before, after, "directory_gateway_operation_cost_count", operation="ApproachPage") == 1
    assert grown(before, after, "directory_gateway_operation_cost_sum", operation="ApproachPage") > 0


async def test_an_unregistered_name_is_counted_as_other(gw):
    before = await samples(gw)
    await gw.data("query MadeUpByAClient { approaches { slug } }")
    after = await samples(gw)
    assert grown(before, after, "directory_gateway_operations_total", operation="other", outcome="ok") == 1
    assert not any("MadeUpByAClient" in str(key) for key in after)


async def test_errors_are_counted_by_their_code(gw):
    before = await samples(gw)
    query = "query ApproachPage { approaches { specialists(first: 100) { edges { node { id } } } } }"
    status, body = await gw.post(query)
    assert body["errors"][0]["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    after = await samples(gw)
    labels = {"operation": "ApproachPage", "code": "COST_LIMIT_EXCEEDED"}
    assert grown(before, after, "directory_gateway_operation_errors_total", **labels) == 1
    assert (
        grown(
            before,
            after,
            "directory_gateway_operations_total",
            operation="ApproachPage",
            outcome="COST_LIMIT_EXCEEDED",
        )
        == 1
    )
