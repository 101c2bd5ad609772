"""The approaches OpenAPI document is generated from the models the API validates with."""

from __future__ import annotations

from services.approaches.domain import ApproachContent
from services.approaches.openapi import openapi_document


def test_every_operation_of_the_contract_is_documented():
    paths = openapi_document()["paths"]
    assert set(paths["/v1/approaches"]) == {"get", "post"}
    assert {"get", "patch", "delete"} <= set(paths["/v1/approaches/{slug}"])


def test_the_create_body_is_the_validating_model():
    document = openapi_document()
    post = document["paths"]["/v1/approaches"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ApproachContent"
    }
    schema = document["components"]["schemas"]["ApproachContent"]
    assert schema["required"] == ["slug", "name"]
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == set(ApproachContent.model_fields)


def test_the_merge_patch_body_makes_every_field_optional_and_nullable():
    schema = openapi_document()["components"]["schemas"]["ApproachMergePatch"]
    assert "required" not in schema
    assert all({"type": "null"} in prop["anyOf"] for prop in schema["properties"].values())


def test_writes_declare_bearer_auth_and_their_errors():
    slug_path = openapi_document()["paths"]["/v1/approaches/{slug}"]
    assert slug_path["patch"]["security"] == [{"bearer": []}]
    assert {"401", "403", "404", "409", "412", "422"} <= set(slug_path["patch"]["responses"])
    assert {"204", "409"} <= set(slug_path["delete"]["responses"])
