"""The kinds of value a profile is made of: free text, codes from the shared vocabularies and
established standards (two-letter states, BCP-47, NPI, NUCC taxonomy), patterned strings, and
strict scalars.

Each kind publishes in its JSON schema exactly what it accepts, so the OpenAPI document built
from the models says what the service accepts. Scalars are strict: `0` is not a boolean and
`"5"` is not a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    WithJsonSchema,
)

from integration_events import vocabulary


class Strict(BaseModel):
    """Input models: an unknown field is an error that names it."""

    model_config = ConfigDict(extra="forbid")


# True or false only: not 0, 1 or "yes".
Flag = StrictBool
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def whole_number(*, ge: int, le: int) -> Any:
    """An integer from `ge` to `le`; not a float, a boolean or a numeric string."""
    return Annotated[int, Field(strict=True, ge=ge, le=le)]


def number(*, ge: float, le: float) -> Any:
    """A number from `ge` to `le`; not a boolean or a numeric string."""
    return Annotated[float, Field(strict=True, ge=ge, le=le)]


def _iso_date_text(value: Any) -> Any:
    # Dates arrive as JSON text; pydantic alone would also read a number as a timestamp, or a
    # date-time as a date.
    if isinstance(value, date) or (isinstance(value, str) and ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("must be a date written as YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]


def code(codes: Iterable[str], what: str, *, hint: str = "") -> Any:
    """A string that must be one of `codes`; the JSON schema lists them as an enum."""
    allowed = frozenset(codes)

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"{value!r} is not a known {what}{hint}")
        return value

    return Annotated[str, AfterValidator(check), WithJsonSchema({"type": "string", "enum": sorted(allowed)})]


StateCode = code(vocabulary.US_STATES, "two-letter US state or territory code", hint=" (upper case, e.g. TX)")
IssueCode = code(vocabulary.ISSUES, "issue code")
AgeGroupCode = code(vocabulary.AGE_GROUPS, "age group code")
PopulationCode = code(vocabulary.POPULATIONS, "population code")
InsuranceCode = code(vocabulary.INSURANCE_PLANS, "insurance plan code")
LicenceKindCode = code(vocabulary.LICENCE_KINDS, "licence kind")
SessionTypeCode = code(vocabulary.SESSION_TYPES, "session type")


def patterned(
    pattern: str, message: str, *, max_length: int = 100, check: Callable[[str], bool] | None = None
) -> Any:
    """A string matched by `pattern` (published in the JSON schema) and, if given, `check`."""
    compiled = re.compile(pattern)

    def validate(value: str) -> str:
        if (
            len(value) > max_length
            or not compiled.fullmatch(value)
            or (check is not None and not check(value))
        ):
            raise ValueError(message)
        return value

    schema = {"type": "string", "pattern": f"^(?:{pattern})$", "maxLength": max_length}
    return Annotated[str, AfterValidator(validate), WithJsonSchema(schema)]


def npi_check_digit_is_valid(npi: str) -> bool:
    """The NPI's tenth digit is a Luhn check digit over the prefix 80840 and its first nine."""
    total = 0
    for position, char in enumerate(reversed("80840" + npi)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _web_address(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


# RFC 5646 "langtag" or private use, written as one pattern so the OpenAPI document carries it.
BCP47_PATTERN = (
    r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
    r"(?:-[A-Za-z]{4})?"
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?"
    r"|[Xx](?:-[A-Za-z0-9]{1,8})+"
)
LanguageTag = patterned(
    BCP47_PATTERN, "must be a well-formed BCP-47 language tag, e.g. en, es-MX", max_length=35
)
Npi = patterned(
    r"[0-9]{10}",
    "must be a 10-digit NPI whose last digit is its Luhn check digit",
    max_length=10,
    check=npi_check_digit_is_valid,
)
TaxonomyCode = patterned(
    r"[0-9]{3}[0-9A-Z]{6}X", "must be a NUCC taxonomy code, e.g. 106H00000X", max_length=10
)
PostalCode = patterned(
    r"[0-9]{5}(?:-[0-9]{4})?", "must be a US ZIP code (12345 or 12345-6789)", max_length=10
)
Slug = patterned(
    r"[a-z0-9]+(?:-[a-z0-9]+)*",
    "must be a slug: lowercase letters and digits separated by hyphens",
    max_length=100,
)
Email = patterned(r"[^@\s]+@[^@\s]+\.[^@\s]+", "must be an email address", max_length=254)
Phone = patterned(
    r"\+?[0-9(][0-9 ().\-/]{5,28}[0-9]",
    "must be a phone number of digits, spaces and ( ) . - /",
    max_length=30,
)
PhotoUrl = patterned(r"https?://\S+", "must be an http(s) URL", max_length=2000, check=_web_address)


def unique(values: list[Any]) -> list[Any]:
    if len(set(values)) != len(values):
        raise ValueError("must not repeat an entry")
    return values


def unique_by(items: list[Any], key: str) -> list[Any]:
    seen = [getattr(item, key) for item in items]
    if len(set(seen)) != len(seen):
        raise ValueError(f"must not repeat a {key}")
    return items


def unique_list(item: Any, max_length: int) -> Any:
    return Annotated[
        list[item],
        Field(max_length=max_length, json_schema_extra={"uniqueItems": True}),
        AfterValidator(unique),
    ]
