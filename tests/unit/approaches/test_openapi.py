"""The approaches OpenAPI document is generated from the models the API validates and answers
with, and the checked-in copy is that document."""

from __future__ import annotations

import json

from jsonschema import Draft202012Validator

from servicekit.errors import ErrorBody
from services.approaches.domain import ApproachContent
from services.approaches.openapi import DOCUMENT_PATH, document_text, openapi_document


def schemas() -> dict:
    return openapi_document()["components"]["schemas"]


def test_the_checked_in_document_is_the_one_the_code_builds():
    # On failure: python -m services.approaches.openapi --write
    assert DOCUMENT_PATH.read_text(encoding="utf-8") == document_text()


def test_every_reference_resolves():
    text = json.dumps(openapi_document())
    names = {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}
    assert names <= set(schemas())


def test_every_operation_of_the_contract_is_documented():
    paths = openapi_document()["paths"]
    assert set(paths["/v1/approaches"]) == {"get", "post"}
    assert {"get", "patch", "delete"} <= set(paths["/v1/approaches/{slug}"])


def test_the_create_body_is_the_validating_model():
    post = openapi_document()["paths"]["/v1/approaches"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ApproachContent"
    }
    schema = schemas()["ApproachContent"]
    assert schema["required"] == ["slug", "name"]
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == set(ApproachContent.model_fields)


def test_the_merge_patch_body_lets_only_fields_with_a_default_be_null():
    patch = openapi_document()["paths"]["/v1/approaches/{slug}"]["patch"]
    ref = patch["requestBody"]["content"]["application/merge-patch+json"]["schema"]["$ref"]
    schema = schemas()[ref.rsplit("/", 1)[-1]]
    assert "required" not in schema and schema["additionalProperties"] is False
    properties = schema["properties"]
    nullable = {name for name, prop in properties.items() if {"type": "null"} in prop.get("anyOf", [])}
    assert nullable == set(schema["properties"]) - {"slug", "name"}


def test_text_fields_declare_that_control_characters_are_refused():
    name = schemas()["ApproachContent"]["properties"]["name"]
    assert not Draft202012Validator(name).is_valid("Relational\x00Therapy")
    assert Draft202012Validator(name).is_valid("Relational Therapy")


def test_every_error_answer_is_the_common_error_body():
    assert schemas()["ErrorBody"]["properties"].keys() == ErrorBody.model_json_schema()["properties"].keys()
    for path in openapi_document()["paths"].values():
        for operation in (op for key, op in path.items() if key != "parameters"):
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/ErrorBody"
                    }


def test_writes_declare_bearer_auth_their_precondition_and_their_errors():
    slug_path = openapi_document()["paths"]["/v1/approaches/{slug}"]
    assert slug_path["patch"]["security"] == [{"bearer": []}]
    assert {"400", "401", "403", "404", "409", "412", "422"} <= set(slug_path["patch"]["responses"])
    assert {"204", "400", "409", "412"} <= set(slug_path["delete"]["responses"])
    for method in ("patch", "delete"):
        assert [p["name"] for p in slug_path[method]["parameters"]] == ["If-Match"]
