"""Free text is kept exactly as written, and refused when it holds control characters."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from servicekit.text import free_text


class Note(BaseModel):
    body: free_text(50, required=True)


@pytest.mark.parametrize(
    "written", ["dr. wren t. okafor-lind, LMFT #44", "“I’m fine” — isn’t it?", "line one\nline two\r\n\tend"]
)
def test_text_is_kept_exactly_as_written(written):
    assert Note(body=written).body == written


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\x0c"])
def test_control_characters_are_refused_naming_the_field(control):
    with pytest.raises(ValidationError) as caught:
        Note(body=f"before{control}after")
    (error,) = caught.value.errors()
    assert error["loc"] == ("body",)
    assert "control characters" in error["msg"]


def test_required_text_must_show_something():
    with pytest.raises(ValidationError):
        Note(body=" \n\t ")


def test_the_schema_publishes_the_refusal():
    schema = Note.model_json_schema()["properties"]["body"]
    assert schema["maxLength"] == 50 and schema["minLength"] == 1
    assert "\x00" in schema["pattern"] and "\x9f" in schema["pattern"]
