"""The profiles OpenAPI document is generated from the models the API validates and answers
with, and the checked-in copy is that document."""

from __future__ import annotations

import json

from jsonschema import Draft202012Validator

from services.profiles.openapi import DOCUMENT_PATH, document_text, openapi_document


def schemas() -> dict:
    return openapi_document()["components"]["schemas"]


def body_schema(path: str, method: str, media: str = "application/json") -> dict:
    ref = openapi_document()["paths"][path][method]["requestBody"]["content"][media]["schema"]["$ref"]
    return schemas()[ref.rsplit("/", 1)[-1]]


def test_the_checked_in_document_is_the_one_the_code_builds():
    # On failure: python -m services.profiles.openapi --write
    assert DOCUMENT_PATH.read_text(encoding="utf-8") == document_text()


def test_every_reference_resolves():
    text = json.dumps(openapi_document())
    names = {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}
    assert names <= set(schemas())


def test_every_operation_of_the_service_is_documented():
    operations = {(path, method) for path, item in openapi_document()["paths"].items() for method in item}
    assert len(operations) == 13
    assert {("/v1/therapists", "post"), ("/v1/therapists/{id}", "patch"), ("/v1/me", "get")} <= operations


def test_every_error_answer_is_the_kits_error_body():
    for item in openapi_document()["paths"].values():
        for operation in item.values():
            for status, answer in operation["responses"].items():
                if int(status) >= 400:
                    assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")


def test_the_merge_patch_body_lets_only_fields_that_are_not_required_be_null():
    schema = body_schema("/v1/therapists/{id}", "patch", "application/merge-patch+json")
    validator = Draft202012Validator({**schema, "components": {"schemas": schemas()}})
    assert schema["additionalProperties"] is False and "required" not in schema
    assert validator.is_valid({"pronouns": None, "bio": None})
    for refused in ({"displayName": None}, {"title": None}, {"location": None}):
        assert not validator.is_valid(refused), refused


def test_booleans_in_a_new_profile_are_booleans_only():
    new_profile = body_schema("/v1/therapists", "post")
    money = schemas()[new_profile["properties"]["money"]["$ref"].rsplit("/", 1)[-1]]
    assert money["properties"]["freeConsultation"]["type"] == "boolean"
