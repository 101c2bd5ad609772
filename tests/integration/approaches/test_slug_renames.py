"""Renaming an approach's slug never breaks a link: old slugs keep resolving to the approach."""

from __future__ import annotations

from tests.integration.approaches.conftest import new_approach_body, unique_slug


async def renamed(service, stem: str = "renamed") -> tuple[dict, str]:
    """An approach renamed once: (the approach as it is now, its old slug)."""
    created = await service.create()
    response = await service.patch(created["slug"], {"slug": unique_slug(stem)})
    assert response.status == 200
    return await response.json(), created["slug"]


async def test_renaming_answers_with_the_new_location_and_records_the_old_slug(service):
    created = await service.create()
    new_slug = unique_slug("new")
    response = await service.patch(created["slug"], {"slug": new_slug})
    assert response.status == 200
    assert response.headers["Location"] == f"/v1/approaches/{new_slug}"
    body = await response.json()
    assert (body["id"], body["slug"], body["previousSlugs"]) == (created["id"], new_slug, [created["slug"]])


async def test_an_old_slug_answers_301_to_the_new_one(service):
    approach, old = await renamed(service)
    async with service.http.get(f"/v1/approaches/{old}", allow_redirects=False) as response:
        assert response.status == 301
        assert response.headers["Location"] == f"/v1/approaches/{approach['slug']}"
        assert (await response.json())["error"]["code"] == "approach_moved"


async def test_a_client_following_redirects_gets_the_approach_by_its_old_slug(service):
    approach, old = await renamed(service)
    async with service.http.get(f"/v1/approaches/{old}") as response:
        assert response.status == 200
        assert await response.json() == approach


async def test_the_slug_filter_resolves_old_slugs(service):
    approach, old = await renamed(service)
    async with service.http.get("/v1/approaches", params=[("slug", old), ("slug", approach["slug"])]) as r:
        assert [item["id"] for item in (await r.json())["items"]] == [approach["id"]]


async def test_every_former_slug_keeps_resolving_after_several_renames(service):
    approach, first = await renamed(service)
    second = approach["slug"]
    response = await service.patch(second, {"slug": unique_slug("third")})
    current = await response.json()
    assert current["previousSlugs"] == [first, second]
    for old in (first, second):
        async with service.http.get(f"/v1/approaches/{old}", allow_redirects=False) as r:
            assert r.headers["Location"] == f"/v1/approaches/{current['slug']}"


async def test_writes_to_an_old_slug_answer_308_to_the_new_one(service):
    approach, old = await renamed(service)
    response = await service.patch(old, {"summary": "x"})
    assert response.status == 308
    assert response.headers["Location"] == f"/v1/approaches/{approach['slug']}"
    async with service.http.delete(
        f"/v1/approaches/{old}", headers=service.admin, allow_redirects=False
    ) as response:
        assert response.status == 308


async def test_a_slug_held_by_another_approach_cannot_be_taken_by_renaming(service):
    other = await service.create()
    mine = await service.create()
    response = await service.patch(mine["slug"], {"slug": other["slug"]})
    assert response.status == 409
    assert (await response.json())["error"]["code"] == "slug_taken"


async def test_a_former_slug_of_another_approach_cannot_be_taken(service):
    _, old = await renamed(service)
    async with service.http.post(
        "/v1/approaches", json=new_approach_body(old), headers=service.admin
    ) as response:
        assert response.status == 409
    mine = await service.create()
    response = await service.patch(mine["slug"], {"slug": old})
    assert response.status == 409


async def test_renaming_back_to_a_former_slug_makes_it_current_again(service):
    approach, old = await renamed(service)
    response = await service.patch(approach["slug"], {"slug": old})
    assert response.status == 200
    back = await response.json()
    assert (back["slug"], back["previousSlugs"]) == (old, [approach["slug"]])
    async with service.http.get(f"/v1/approaches/{old}", allow_redirects=False) as r:
        assert r.status == 200


async def test_deleting_an_approach_frees_all_its_slugs(service):
    approach, old = await renamed(service)
    async with service.http.delete(f"/v1/approaches/{approach['slug']}", headers=service.admin) as r:
        assert r.status == 204
    async with service.http.get(f"/v1/approaches/{old}", allow_redirects=False) as r:
        assert r.status == 404
    fresh = await service.create(old)
    assert fresh["id"] != approach["id"]
