from tests.integration.search.conftest import profile


async def test_a_published_therapist_appears_as_a_card(search):
    data = profile()
    await search.put_therapist(data)
    await search.settled(data["id"], 1)
    card = await search.card(data["id"])
    assert card["displayName"] == data["displayName"]
    body = await search.search(text="oakhollow")
    assert any(e["node"]["id"] == data["id"] for e in body["edges"])
    print(body["facets"])
