"""Reads for caches and read models: the public listing in stable pages, and conditional GETs."""

from __future__ import annotations

from tests.integration.profiles.conftest import new_sub


async def test_the_listing_walks_every_profile_once_in_public_views(profiles):
    created = {
        (await profiles.create(new_sub(), email="private@example.org", phone="+1 512 555 0100"))["id"]
        for _ in range(5)
    }
    seen: list[str] = []
    after = None
    while True:
        path = "/v1/therapists?first=2" + (f"&after={after}" if after else "")
        reply = await profiles.call("GET", path)
        assert reply.status == 200
        for item in reply.body["items"]:
            assert "email" not in item and "phone" not in item
            seen.append(item["id"])
        after = reply.body["next"]
        if after is None:
            break
    assert created <= set(seen)
    assert len(seen) == len(set(seen))


async def test_a_page_size_out_of_range_is_a_400_naming_it(profiles):
    for first in ("0", "501", "ten"):
        reply = await profiles.call("GET", f"/v1/therapists?first={first}")
        assert reply.status == 400
        assert reply.body["error"]["details"][0]["field"] == "first"


async def test_a_client_holding_the_current_etag_gets_304_and_a_stale_one_the_profile(profiles):
    created = await profiles.create(new_sub())
    path = f"/v1/therapists/{created['id']}"
    current = await profiles.call("GET", path)
    assert current.status == 200
    etag = current.headers["ETag"]
    assert (await profiles.call("GET", path, headers={"If-None-Match": etag})).status == 304
    stale = await profiles.call("GET", path, headers={"If-None-Match": '"0"'})
    assert stale.status == 200 and stale.body["id"] == created["id"]
