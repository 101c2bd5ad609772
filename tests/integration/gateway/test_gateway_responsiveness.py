"""Who really answers: search's responsiveness figures on profiles and cards, and the filter."""

from tests.integration.gateway.backends import NOT_MEASURED, profile

RESPONSIVENESS = "responsiveness { answeredShare medianReplyHours sampleSize }"
THERAPIST_RESPONSIVENESS = f"query ($id: ID!) {{ therapist(id: $id) {{ id {RESPONSIVENESS} }} }}"
SEARCH_CARDS = f"""
query ($filter: TherapistFilter) {{
  searchTherapists(filter: $filter, first: 10) {{
    totalCount edges {{ node {{ id unresponsive {RESPONSIVENESS} }} }}
  }}
}}"""


async def test_a_therapist_shows_how_they_answer_inquiries(gw):
    data = await gw.data(THERAPIST_RESPONSIVENESS, {"id": "t0001"})
    assert data["therapist"]["responsiveness"] == {
        "answeredShare": 0.75,
        "medianReplyHours": 13.0,
        "sampleSize": 4,
    }
    assert gw.stub.count("search", "/v1/therapists/t0001") == 1


async def test_a_therapist_nobody_wrote_to_yet_has_nothing_measured(gw):
    data = await gw.data(THERAPIST_RESPONSIVENESS, {"id": "t0002"})
    assert data["therapist"]["responsiveness"] == NOT_MEASURED


async def test_a_therapist_search_does_not_list_yet_has_no_responsiveness(gw):
    gw.stub.profiles["t9999"] = {**profile(9999, []), "id": "t9999"}
    data = await gw.data(THERAPIST_RESPONSIVENESS, {"id": "t9999"})
    assert data["therapist"] == {"id": "t9999", "responsiveness": None}


async def test_a_search_outage_leaves_the_profile_readable_without_responsiveness(gw):
    gw.gateway.clients.urls = {**gw.gateway.clients.urls, "search": "http://127.0.0.1:9"}
    data = await gw.data(THERAPIST_RESPONSIVENESS, {"id": "t0001"})
    assert data["therapist"] == {"id": "t0001", "responsiveness": None}
    assert len(gw.gateway.response_cache) == 0  # the answer without it is not kept


async def test_search_cards_show_responsiveness_and_the_unresponsive_label(gw):
    edges = (await gw.data(SEARCH_CARDS))["searchTherapists"]["edges"]
    by_id = {e["node"]["id"]: e["node"] for e in edges}
    assert by_id["t0003"]["responsiveness"] == {
        "answeredShare": 0.75,
        "medianReplyHours": 26.0,
        "sampleSize": 4,
    }
    assert by_id["t0002"]["responsiveness"] == NOT_MEASURED
    assert [i for i, node in by_id.items() if node["unresponsive"]] == ["t0004", "t0009"]


async def test_match_cards_show_responsiveness(gw):
    query = f"""query {{ findMatch(questionnaire: {{state: "TX"}}) {{
      edges {{ node {{ id unresponsive {RESPONSIVENESS} }} }} }} }}"""
    node = (await gw.data(query))["findMatch"]["edges"][1]["node"]
    assert node == {
        "id": "t0001",
        "unresponsive": False,
        "responsiveness": {"answeredShare": 0.75, "medianReplyHours": 13.0, "sampleSize": 4},
    }


async def test_the_responds_within_hours_filter_reaches_search(gw):
    data = await gw.data(SEARCH_CARDS, {"filter": {"respondsWithinHours": 24}})
    nodes = [e["node"] for e in data["searchTherapists"]["edges"]]
    assert nodes and all(n["responsiveness"]["medianReplyHours"] <= 24 for n in nodes)
    assert ("respondsWithinHours", "24") in gw.stub.calls[-1].query


async def test_a_therapist_profile_says_whether_search_demotes_them_as_unresponsive(gw):
    query = "query ($id: ID!) { therapist(id: $id) { id unresponsive } }"
    assert (await gw.data(query, {"id": "t0004"}))["therapist"] == {"id": "t0004", "unresponsive": True}
    assert (await gw.data(query, {"id": "t0001"}))["therapist"] == {"id": "t0001", "unresponsive": False}
    gw.stub.profiles["t9998"] = {**profile(9998, []), "id": "t9998"}
    assert (await gw.data(query, {"id": "t9998"}))["therapist"] == {"id": "t9998", "unresponsive": None}
