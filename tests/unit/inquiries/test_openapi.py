"""The inquiries OpenAPI document is generated from the models the API validates and answers
with, and the checked-in copy is that document."""

from __future__ import annotations

import json

from jsonschema import Draft202012Validator

from services.inquiries.domain import InquiryForm
from services.inquiries.openapi import DOCUMENT_PATH, document_text, openapi_document


def schemas() -> dict:
    return openapi_document()["components"]["schemas"]


def form_accepts(body: dict) -> bool:
    # The form's own schema, standalone: it has no references.
    return Draft202012Validator(schemas()["InquiryForm"]).is_valid(body)


def test_the_checked_in_document_is_the_one_the_code_builds():
    # On failure: python -m services.inquiries.openapi --write
    assert DOCUMENT_PATH.read_text(encoding="utf-8") == document_text()


def test_every_reference_resolves():
    text = json.dumps(openapi_document())
    names = {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}
    assert names <= set(schemas())


def test_every_operation_of_the_design_is_documented():
    paths = openapi_document()["paths"]
    assert {(path, method) for path, item in paths.items() for method in item} == {
        ("/v1/inquiries", "post"),
        ("/v1/therapists/{id}/inquiries", "get"),
        ("/v1/inquiries/{id}/answered", "post"),
    }


def test_the_send_body_is_the_validating_model():
    schema = schemas()["InquiryForm"]
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == set(InquiryForm.model_fields)
    assert set(schema["required"]) == {"therapistId", "name", "message", "consent"}


def test_the_document_says_that_an_email_or_a_phone_is_required_and_consent_must_be_true():
    minimal = {"therapistId": "t-1", "name": "Sam", "message": "Hello", "consent": True}
    assert not form_accepts(minimal)
    assert not form_accepts({**minimal, "email": None})
    assert form_accepts({**minimal, "phone": "+1 512 555 0100"})
    assert not form_accepts({**minimal, "email": "sam@example.org", "consent": False})


def test_a_refusal_for_sending_too_often_is_documented_with_its_wait():
    answer = openapi_document()["paths"]["/v1/inquiries"]["post"]["responses"]["429"]
    assert "Retry-After" in answer["headers"]
