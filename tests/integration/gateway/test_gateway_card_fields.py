"""The gateway asks search for the card fields a query reads on an approach page, and only those
(`field` parameters), so that neither side encodes, sends or parses the rest of each card."""

from __future__ import annotations

from tests.integration.gateway.operations import APPROACH_PAGE


def asked_fields(gw) -> list[str]:
    [call] = [c for c in gw.stub.calls if c.path.endswith("/specialists")]
    return [value for name, value in call.query if name == "field"]


async def test_the_approach_page_asks_for_the_fields_it_shows(gw):
    data = await gw.data(APPROACH_PAGE, {"slug": "emdr", "first": 3})
    assert data["approach"]["specialists"]["edges"][0]["node"]["displayName"]
    assert asked_fields(gw) == ["displayName", "id", "location", "title"]


async def test_fields_in_fragments_and_resolved_fields_are_asked_for_too(gw):
    query = """query($slug: String!) { approach(slug: $slug) { specialists(first: 2) { edges { node {
        __typename ...Card ... on TherapistCard { responsiveness { sampleSize } } } } } } }
        fragment Card on TherapistCard { unresponsive money { fees { amountUsd } } }"""
    data = await gw.data(query, {"slug": "emdr"})
    assert data["approach"]["specialists"]["edges"][0]["node"]["responsiveness"]["sampleSize"] >= 0
    assert asked_fields(gw) == ["id", "money", "responsiveness", "unresponsive"]
