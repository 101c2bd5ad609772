"""The contract's three operations, exactly as written, resolved through the services' APIs."""

from tests.integration.gateway.operations import APPROACH_PAGE, SEARCH, THERAPIST


async def test_approach_page_lists_specialists_with_their_statements(gw):
    data = await gw.data(APPROACH_PAGE, {"slug": "relational-therapy", "first": 5})
    approach = data["approach"]
    assert approach["name"] == "Relational Therapy"
    specialists = approach["specialists"]
    assert specialists["totalCount"] == 30
    assert specialists["pageInfo"] == {"hasNextPage": True, "endCursor": "4"}
    first = specialists["edges"][0]
    assert first["statement"].startswith("I use relational work")
    assert set(first["node"]) == {"id", "displayName", "title", "location"}
    assert first["node"]["location"] == {"city": "", "state": "TX"}  # an empty city stays empty


async def test_approach_page_pages_on_with_the_end_cursor(gw):
    page1 = await gw.data(APPROACH_PAGE, {"slug": "relational-therapy", "first": 20})
    cursor = page1["approach"]["specialists"]["pageInfo"]["endCursor"]
    page2 = await gw.data(APPROACH_PAGE, {"slug": "relational-therapy", "first": 20, "after": cursor})
    ids1 = {e["node"]["id"] for e in page1["approach"]["specialists"]["edges"]}
    ids2 = {e["node"]["id"] for e in page2["approach"]["specialists"]["edges"]}
    assert len(ids1) == 20 and len(ids2) == 10 and not ids1 & ids2
    assert page2["approach"]["specialists"]["pageInfo"]["hasNextPage"] is False


async def test_approach_page_for_an_old_slug_shows_the_renamed_approach(gw):
    data = await gw.data(APPROACH_PAGE, {"slug": "eye-movement-desensitization"})
    assert data["approach"]["slug"] == "emdr"


async def test_unknown_approach_is_null(gw):
    assert (await gw.data(APPROACH_PAGE, {"slug": "no-such-approach"}))["approach"] is None


async def test_therapist_lists_statements_with_approach_names(gw):
    data = await gw.data(THERAPIST, {"id": "t0001"})
    therapist = data["therapist"]
    assert therapist["displayName"] == "Rowan Q. Elbery-1, LMFT"
    assert [a["approach"]["name"] for a in therapist["approaches"]] == [
        "Relational Therapy",
        "Cognitive Behavioral Therapy",
        "Narrative Therapy",
    ]


async def test_unknown_therapist_is_null(gw):
    assert (await gw.data(THERAPIST, {"id": "nobody"}))["therapist"] is None


async def test_search_filters_by_approach_state_and_city(gw):
    data = await gw.data(
        SEARCH, {"filter": {"approaches": ["emdr"], "state": "TX", "city": "Austin"}, "first": 3}
    )
    result = data["searchTherapists"]
    assert result["totalCount"] > 0 and len(result["edges"]) == 3
    sent = gw.stub.calls[-1].query
    assert ("approach", "emdr") in sent and ("state", "TX") in sent and ("city", "Austin") in sent
