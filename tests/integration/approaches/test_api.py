"""The approaches REST API: every endpoint, its auth, validation and conditional requests."""

from __future__ import annotations

import pytest

from tests.integration.approaches.conftest import new_approach_body, unique_slug
from tests.support import auth_header, token

THERAPIST = auth_header("therapist-1", "therapist")


async def error_of(response) -> dict:
    body = await response.json()
    assert set(body) == {"error"}
    return body["error"]


async def test_create_answers_201_with_the_approach_its_location_and_etag(service):
    slug = unique_slug("relational")
    body = new_approach_body(
        slug,
        aliases=["Relational-Cultural Therapy"],
        issues=["loneliness"],
        sections={"whatItIs": "Connection heals."},
        related=["emdr"],
    )
    async with service.http.post("/v1/approaches", json=body, headers=service.admin) as response:
        assert response.status == 201
        created = await response.json()
        assert response.headers["Location"] == f"/v1/approaches/{slug}"
        assert response.headers["ETag"] == f'"1-{created["id"]}"'
    assert {key: created[key] for key in body if key != "sections"} == {
        k: v for k, v in body.items() if k != "sections"
    }
    assert created["sections"] == {
        "whatItIs": "Connection heals.",
        "howItWorks": "",
        "helpsWith": "",
        "whatYouLearn": "",
    }
    assert created["version"] == 1 and created["previousSlugs"] == []
    assert created["createdAt"] == created["updatedAt"]


async def test_create_with_only_slug_and_name_fills_in_defaults(service):
    slug = unique_slug()
    async with service.http.post(
        "/v1/approaches", json={"slug": slug, "name": "Minimal"}, headers=service.admin
    ) as response:
        assert response.status == 201
        created = await response.json()
    assert (created["summary"], created["description"], created["aliases"]) == ("", "", [])


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "unauthenticated"),
        (THERAPIST, 403, "forbidden"),
        ({"Authorization": "Bearer not-a-jwt"}, 401, "invalid_token"),
        ({"Authorization": f"Bearer {token('admin-1', 'admin', aud='someone-else')}"}, 401, "invalid_token"),
    ],
)
async def test_only_admins_may_create(service, headers, status, code):
    async with service.http.post("/v1/approaches", json=new_approach_body(), headers=headers) as response:
        assert response.status == status
        assert (await error_of(response))["code"] == code


async def test_invalid_fields_are_named_in_a_422(service):
    body = new_approach_body("Not A Slug", issues=["anxiety", "made-up"], summary="One.\n\nTwo.")
    del body["name"]
    async with service.http.post("/v1/approaches", json=body, headers=service.admin) as response:
        assert response.status == 422
        error = await error_of(response)
    assert error["code"] == "validation_failed"
    assert {d["field"] for d in error["details"]} == {"slug", "name", "issues.1", "summary"}


async def test_malformed_json_is_a_400_and_another_media_type_a_415(service):
    async with service.http.post(
        "/v1/approaches", data=b"{not json", headers={**service.admin, "Content-Type": "application/json"}
    ) as response:
        assert response.status == 400
        assert (await error_of(response))["code"] == "malformed_json"
    async with service.http.post(
        "/v1/approaches",
        data=b"slug=x",
        headers={**service.admin, "Content-Type": "application/x-www-form-urlencoded"},
    ) as response:
        assert response.status == 415


async def test_a_body_that_is_not_an_object_is_a_422(service):
    async with service.http.post("/v1/approaches", json=["slug"], headers=service.admin) as response:
        assert response.status == 422


async def test_a_slug_already_in_use_is_a_409(service):
    created = await service.create()
    async with service.http.post(
        "/v1/approaches", json=new_approach_body(created["slug"]), headers=service.admin
    ) as response:
        assert response.status == 409
        error = await error_of(response)
    assert error["code"] == "slug_taken" and error["details"][0]["field"] == "slug"


async def test_read_returns_the_approach_with_its_etag(service):
    created = await service.create()
    async with service.http.get(f"/v1/approaches/{created['slug']}") as response:
        assert response.status == 200
        assert response.headers["ETag"] == f'"1-{created["id"]}"'
        assert await response.json() == created


async def test_read_with_the_current_etag_answers_304_and_with_an_old_one_200(service):
    created = await service.create()
    url = f"/v1/approaches/{created['slug']}"
    etag = f'"1-{created["id"]}"'
    async with service.http.get(url, headers={"If-None-Match": etag}) as response:
        assert response.status == 304
        assert response.headers["ETag"] == etag
        assert await response.read() == b""
    await service.patch(created["slug"], {"summary": "Changed."})
    async with service.http.get(url, headers={"If-None-Match": etag}) as response:
        assert response.status == 200
        assert (await response.json())["summary"] == "Changed."


async def test_reading_an_unknown_slug_is_a_404(service):
    for slug in (unique_slug("missing"), "Not%20A%20Slug"):
        async with service.http.get(f"/v1/approaches/{slug}") as response:
            assert response.status == 404
            assert (await error_of(response))["code"] == "approach_not_found"


async def test_list_returns_every_approach_sorted_by_name(service):
    await service.create(name="zeta approach")
    await service.create(name="Alpha approach")
    async with service.http.get("/v1/approaches") as response:
        assert response.status == 200
        items = (await response.json())["items"]
    names = [item["name"] for item in items]
    assert names == sorted(names, key=str.casefold)
    assert {"Alpha approach", "zeta approach"} <= set(names)


async def test_list_answers_304_until_the_catalogue_changes(service):
    async with service.http.get("/v1/approaches") as response:
        etag = response.headers["ETag"]
    async with service.http.get("/v1/approaches", headers={"If-None-Match": etag}) as response:
        assert response.status == 304
    await service.create()
    async with service.http.get("/v1/approaches", headers={"If-None-Match": etag}) as response:
        assert response.status == 200


async def test_the_slug_filter_fetches_several_at_once_and_skips_unknown_ones(service):
    first, second, _ = [await service.create(name=name) for name in ("B first", "A second", "C other")]
    params = [
        ("slug", first["slug"]),
        ("slug", second["slug"]),
        ("slug", first["slug"]),
        ("slug", unique_slug("unknown")),
    ]
    async with service.http.get("/v1/approaches", params=params) as response:
        assert response.status == 200
        items = (await response.json())["items"]
    assert [item["slug"] for item in items] == [second["slug"], first["slug"]]


async def test_a_malformed_slug_filter_is_a_400_naming_the_parameter(service):
    async with service.http.get("/v1/approaches", params=[("slug", "Bad Slug")]) as response:
        assert response.status == 400
        error = await error_of(response)
    assert error["code"] == "invalid_parameter" and error["details"][0]["field"] == "slug"


async def test_patch_applies_a_merge_patch_and_advances_version_and_etag(service):
    created = await service.create(aliases=["RT"], sections={"whatItIs": "Kept.", "howItWorks": "Old."})
    response = await service.patch(
        created["slug"],
        {"summary": "New.", "sections": {"howItWorks": "New."}},
        **{"Content-Type": "application/merge-patch+json"},
    )
    assert response.status == 200
    patched = await response.json()
    assert patched["summary"] == "New." and patched["aliases"] == ["RT"]
    assert patched["sections"]["whatItIs"] == "Kept." and patched["sections"]["howItWorks"] == "New."
    assert patched["version"] == 2 and patched["updatedAt"] > created["updatedAt"]
    assert response.headers["ETag"] == f'"2-{created["id"]}"'
    async with service.http.get(f"/v1/approaches/{created['slug']}") as read:
        assert await read.json() == patched


async def test_patch_sent_as_merge_patch_json_is_accepted(service):
    created = await service.create()
    async with service.http.patch(
        f"/v1/approaches/{created['slug']}",
        data=b'{"name": "Renamed"}',
        headers={**service.admin, "Content-Type": "application/merge-patch+json"},
    ) as response:
        assert response.status == 200
        assert (await response.json())["name"] == "Renamed"


async def test_patch_that_changes_nothing_keeps_the_version(service):
    created = await service.create()
    response = await service.patch(created["slug"], {"name": created["name"]})
    assert response.status == 200
    assert (await response.json())["version"] == 1


async def test_patch_with_a_stale_if_match_is_a_412_and_changes_nothing(service):
    created = await service.create()
    await service.patch(created["slug"], {"summary": "Second version."})
    stale = f'"1-{created["id"]}"'
    response = await service.patch(created["slug"], {"summary": "Lost update"}, **{"If-Match": stale})
    assert response.status == 412
    assert response.headers["ETag"] == f'"2-{created["id"]}"'
    assert (await error_of(response))["code"] == "precondition_failed"
    async with service.http.get(f"/v1/approaches/{created['slug']}") as read:
        assert (await read.json())["summary"] == "Second version."


@pytest.mark.parametrize("if_match", ['"1-{id}"', "1", '"1"', "*"])
async def test_patch_with_a_current_if_match_succeeds(service, if_match):
    created = await service.create()
    response = await service.patch(
        created["slug"], {"summary": "Updated."}, **{"If-Match": if_match.format(id=created["id"])}
    )
    assert response.status == 200


async def test_patch_of_read_only_or_invalid_fields_is_a_422_naming_them(service):
    created = await service.create()
    response = await service.patch(created["slug"], {"version": 7, "id": "mine"})
    assert response.status == 422
    assert {d["field"] for d in (await error_of(response))["details"]} == {"version", "id"}
    response = await service.patch(created["slug"], {"issues": ["nope"], "sections": {"extra": "x"}})
    assert response.status == 422
    assert {d["field"] for d in (await error_of(response))["details"]} == {"issues.0", "sections.extra"}
    response = await service.patch(created["slug"], {"name": None})
    assert response.status == 422
    response = await service.patch(created["slug"], ["not", "an", "object"])
    assert response.status == 422


async def test_only_admins_may_patch_or_delete(service):
    created = await service.create()
    url = f"/v1/approaches/{created['slug']}"
    async with service.http.patch(url, json={"name": "x"}, headers=THERAPIST) as response:
        assert response.status == 403
    async with service.http.patch(url, json={"name": "x"}) as response:
        assert response.status == 401
    async with service.http.delete(url, headers=THERAPIST) as response:
        assert response.status == 403
    async with service.http.delete(url) as response:
        assert response.status == 401


async def test_patch_or_delete_of_an_unknown_slug_is_a_404(service):
    missing = unique_slug("missing")
    response = await service.patch(missing, {"name": "x"})
    assert response.status == 404
    async with service.http.delete(f"/v1/approaches/{missing}", headers=service.admin) as response:
        assert response.status == 404


async def test_delete_removes_the_approach(service):
    created = await service.create()
    url = f"/v1/approaches/{created['slug']}"
    async with service.http.delete(url, headers=service.admin) as response:
        assert response.status == 204
    async with service.http.get(url) as response:
        assert response.status == 404


async def test_delete_with_a_stale_if_match_is_a_412(service):
    created = await service.create()
    await service.patch(created["slug"], {"summary": "v2"})
    async with service.http.delete(
        f"/v1/approaches/{created['slug']}", headers={**service.admin, "If-Match": "1"}
    ) as response:
        assert response.status == 412


async def test_openapi_document_is_served(service):
    async with service.http.get("/openapi.json") as response:
        assert response.status == 200
        document = await response.json()
    assert document["openapi"].startswith("3.")
    assert "/v1/approaches/{slug}" in document["paths"]


async def test_health_readiness_and_metrics_answer(service):
    async with service.http.get("/healthz") as response:
        assert response.status == 200
    async with service.http.get("/readyz") as response:
        assert response.status == 200
        assert (await response.json())["checks"] == {"mongodb": True, "rabbitmq": True, "prepared": True}
    async with service.http.get("/metrics") as response:
        assert "directory_http_requests_total" in await response.text()
