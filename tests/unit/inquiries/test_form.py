"""What a visitor's form must hold: a name, a message of up to 2,000 characters kept as written,
consent, and no field the service does not know."""

from __future__ import annotations

import pytest

from servicekit.errors import InvalidInput
from servicekit.http import parse_model
from services.inquiries.domain import InquiryForm


def body(**fields: object) -> dict[str, object]:
    return {
        "therapistId": "t-1",
        "name": "Sam Rivera",
        "email": "sam@example.org",
        "message": "Hello",
        "consent": True,
        **fields,
    }


def refused_fields(data: dict[str, object]) -> set[str]:
    with pytest.raises(InvalidInput) as refused:
        parse_model(InquiryForm, data)
    return {detail["field"] for detail in refused.value.details}


@pytest.mark.parametrize("consent", [False, "true", 1])
def test_consent_must_be_given_as_true(consent):
    assert refused_fields(body(consent=consent)) == {"consent"}


def test_consent_cannot_be_left_out():
    data = body()
    del data["consent"]
    assert refused_fields(data) == {"consent"}


def test_a_message_of_2001_characters_is_refused():
    assert refused_fields(body(message="x" * 2001)) == {"message"}


def test_typographic_punctuation_and_line_breaks_are_kept():
    message = "It’s “hard” to say…\r\n\tSee you — maybe"
    assert parse_model(InquiryForm, body(message=message)).message == message


def test_control_characters_in_the_message_are_refused():
    assert refused_fields(body(message="Hello\x1b[31m")) == {"message"}


@pytest.mark.parametrize("field, value", [("name", ""), ("name", "x" * 201), ("message", "   ")])
def test_name_and_message_must_hold_something_visible_within_their_length(field, value):
    assert refused_fields(body(**{field: value})) == {field}


@pytest.mark.parametrize("field, value", [("email", "not-an-address"), ("phone", "call me")])
def test_contact_details_must_look_like_an_address_or_a_number(field, value):
    assert refused_fields(body(**{field: value})) == {field}


@pytest.mark.parametrize("key", ["", "k" * 101])
def test_an_idempotency_key_is_1_to_100_characters(key):
    assert refused_fields(body(idempotencyKey=key)) == {"idempotencyKey"}


def test_an_unknown_field_is_refused_by_name():
    assert refused_fields(body(subject="hi")) == {"subject"}
