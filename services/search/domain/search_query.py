"""Search requests: the query parameters of a search and of an approach page as sent (strings),
validated with pydantic into what the engine asks for (`SearchQuery`); and the same parameters
as JSON values, several searches at once, in a fits request (`FitsRequest`).

Every value is trimmed and an empty one counts as not given. A parameter that cannot be read is
a `BadRequest` naming it, with the same message whatever the transport; where several are
wrong, the first in field order is named. As JSON, each value must have the type the API's
document gives it (a number, true or false, a list), and is then read as its query-string text
would be, so both transports mean exactly the same search.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from integration_events.therapists import NewClientStatus, SessionFormat
from integration_events.vocabulary import AGE_GROUPS, US_STATES
from servicekit.errors import BadRequest, invalid_input
from services.search.domain.cards import SearchCard
from services.search.domain.responsiveness import WINDOW


class Sort(StrEnum):
    RELEVANCE = "relevance"
    DISTANCE = "distance"
    FRESHNESS = "freshness"


FORMATS = tuple(f.value for f in SessionFormat)
NEW_CLIENT_STATUSES = tuple(s.value for s in NewClientStatus)
KM_PER_MILE = 1.609344
MAX_TEXT = 500
MAX_RADIUS = 2000
# Every reply measured took less than the window: a longer limit asks for any measured reply.
MAX_REPLY_HOURS = int(WINDOW.total_seconds() // 3600)
# Searches one fits request may ask about (the gateway sends more in several requests).
MAX_FILTERS = 100
# Validation context: the parameters are JSON values, not query-string text.
JSON_VALUES = {"json": True}


class SearchQuery(BaseModel):
    """A search as the engine answers it."""

    model_config = ConfigDict(frozen=True)

    text: str = ""
    approaches: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()
    state: str | None = None
    city: str | None = None
    zip: str | None = None
    radius_km: float | None = None
    telehealth_state: str | None = None
    formats: tuple[str, ...] = ()
    new_client_status: tuple[str, ...] = ()
    insurance: str | None = None
    max_fee: int | None = None
    responds_within_hours: int | None = None
    sliding_scale: bool | None = None
    languages: tuple[str, ...] = ()
    gender: str | None = None
    lgbtq: bool | None = None
    race_ethnicity: str | None = None
    faith: str | None = None
    age_group: str | None = None
    verified_only: bool = False
    explain: bool = False  # add each result's rank explanation
    sort: Sort = Sort.RELEVANCE
    first: int = 20
    after: str | None = None


def invalid_parameter(parameter: str, message: str) -> BadRequest:
    return BadRequest(
        f"Invalid query parameter '{parameter}': {message}",
        details=[{"field": parameter, "message": message}],
    )


def unknown_place(parameter: str) -> BadRequest:
    """A ZIP code or city (`parameter`) that the offline place list does not know."""
    return BadRequest(
        f"The {parameter} given is not a known US place",
        code="unknown_place",
        details=[{"field": parameter, "message": "not found in the offline place list"}],
    )


def _refused(message: str) -> PydanticCustomError:
    return PydanticCustomError("invalid_parameter", "{message}", {"message": message})


def _given(value: Any) -> str | None:
    if not isinstance(value, str):
        raise _refused("give it once")
    return value.strip() or None


def _as_json(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("json"))


_JSON_TYPE_MESSAGES = {
    "number": "must be a number",
    "integer": "must be a whole number",
    "boolean": "must be true or false",
    "string": "must be text",
}


def _json_text(value: Any, schema: dict[str, Any]) -> str:
    """A JSON value as the query-string text it stands for, if it has the type `schema` names."""
    kind = schema.get("type", "string")  # an enum's values are text
    if kind == "boolean" and isinstance(value, bool):
        return "true" if value else "false"
    if kind in ("number", "integer") and isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if kind == "integer" and float(value).is_integer() else str(value)
    if kind == "string" and isinstance(value, str):
        return value
    raise _refused(_JSON_TYPE_MESSAGES[kind])


def _parameter(read: Callable[[str], Any] | None, schema: dict[str, Any]) -> Any:
    """A single query parameter: trimmed, empty means not given, else `read` (raising
    `_refused`) turns it into its value; `schema` is what the API's document says of it (with the
    empty value a list of allowed values accepts, as not given)."""
    if "enum" in schema:
        schema = {**schema, "enum": [*schema["enum"], ""]}

    def validate(value: Any, info: ValidationInfo) -> Any:
        text = _given(_json_text(value, schema) if _as_json(info) else value)
        return text if text is None or read is None else read(text)

    return Annotated[Any, BeforeValidator(validate), WithJsonSchema(schema)]


def _repeatable(allowed: Iterable[str] | None = None, items: dict[str, Any] | None = None) -> Any:
    """A parameter that may be given several times (any of its values matches)."""
    known = set(allowed) if allowed is not None else None

    def validate(value: Any, info: ValidationInfo) -> tuple[str, ...]:
        if _as_json(info) and not isinstance(value, list):
            raise _refused("must be a list")
        given = [value] if isinstance(value, str) else value
        if not isinstance(given, list | tuple) or not all(isinstance(v, str) for v in given):
            raise _refused("must be text")
        values = tuple(v.strip() for v in given if v.strip())
        for v in values if known is not None else ():
            if v not in known:
                raise _refused(f"unknown value {v!r}; one of {', '.join(sorted(known))}")
        return values

    schema = {"type": "array", "items": items or {"type": "string"}}
    return Annotated[tuple[str, ...], BeforeValidator(validate), WithJsonSchema(schema)]


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _refused("must be a number") from None
    if not 0 < value <= MAX_RADIUS or math.isnan(value):
        raise _refused(f"must be greater than 0 and at most {MAX_RADIUS}")
    return value


def _one_of(allowed: Iterable[str], message: str) -> Callable[[str], str]:
    known = tuple(allowed)

    def read(text: str) -> str:
        if text not in known:
            raise _refused(message)
        return text

    return read


def _whole_number(text: str, unit: str, *, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise _refused(f"must be a whole number of {unit}") from None
    if value < least:
        raise _refused("must not be negative" if least == 0 else f"must be at least {least}")
    return value


def _dollars(text: str) -> int:
    return _whole_number(text, "US dollars", least=0)


def _hours(text: str) -> int:
    return min(_whole_number(text, "hours", least=1), MAX_REPLY_HOURS)


def _text(text: str) -> str:
    if len(text) > MAX_TEXT:
        raise _refused(f"at most {MAX_TEXT} characters")
    return text


def _state(text: str) -> str:
    if text.upper() not in US_STATES:
        raise _refused("must be a two-letter US state code")
    return text.upper()


def _boolean(text: str) -> bool:
    if text.lower() in ("true", "1", "yes"):
        return True
    if text.lower() in ("false", "0", "no"):
        return False
    raise _refused("must be true or false")


def _page_size(text: str) -> int:
    try:
        first = int(text)
    except ValueError:
        raise _refused("must be an integer from 1 to 100") from None
    if not 1 <= first <= 100:
        raise _refused("must be an integer from 1 to 100")
    return first


def _zip(text: str) -> str:
    if not text.isdigit():
        raise _refused("must be a five-digit US ZIP code")
    return text


_STRING = {"type": "string"}
_SORTS = [s.value for s in Sort]
_PAGE_SIZE = {"type": "integer", "minimum": 1, "maximum": 100}

Radius = _parameter(_number, {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_RADIUS})
RadiusUnit = _parameter(_one_of(("km", "mi"), "must be km or mi"), {"enum": ["km", "mi"]})
Dollars = _parameter(_dollars, {"type": "integer", "minimum": 0})
Hours = _parameter(_hours, {"type": "integer", "minimum": 1})
SortName = _parameter(_one_of(_SORTS, "must be relevance, distance or freshness"), {"enum": _SORTS})
AgeGroup = _parameter(_one_of(AGE_GROUPS, f"one of {', '.join(AGE_GROUPS)}"), {"enum": list(AGE_GROUPS)})
Text = _parameter(_text, {"type": "string", "maxLength": MAX_TEXT})
State = _parameter(_state, _STRING)
Flag = _parameter(_boolean, {"type": "boolean"})
PageSize = _parameter(_page_size, _PAGE_SIZE)
Zip = _parameter(_zip, _STRING)
Word = _parameter(None, _STRING)
Formats = _repeatable(FORMATS, {"enum": list(FORMATS)})
NewClientStatuses = _repeatable(NEW_CLIENT_STATUSES, {"enum": list(NEW_CLIENT_STATUSES)})
Words = _repeatable()
CARD_FIELDS = tuple(SearchCard.model_fields)
CardFields = _repeatable(CARD_FIELDS, {"enum": list(CARD_FIELDS)})


class SearchParameters(BaseModel):
    """`GET /v1/therapists` query parameters (fields in the order their errors are reported); as
    JSON values, one search of a fits request."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    radius: Radius = Field(None, description="Distance from zip or city")
    radiusUnit: RadiusUnit = Field(None, description="Unit of radius (default km)")
    maxFee: Dollars = Field(None, description="Lowest session fee (or sliding-scale floor) at most this, USD")
    respondsWithinHours: Hours = Field(
        None, description="Median reply to inquiries within this many hours (last 90 days)"
    )
    sort: SortName = Field(None, description="Default relevance; distance needs zip or city")
    ageGroup: AgeGroup = Field(None, description="Age group served")
    text: Text = Field(None, description="Free text over names, titles, approaches, statements and bios")
    state: State = Field(None, description="Two-letter state code")
    telehealthState: State = Field(None, description="Offers telehealth in this state")
    format: Formats = Field((), description="Session format (any of)")
    newClientStatus: NewClientStatuses = Field((), description="New-client status (any of)")
    slidingScale: Flag = Field(None, description="Offers a sliding scale")
    lgbtq: Flag = Field(None, description="Identifies as LGBTQ+")
    verifiedOnly: Flag = Field(
        None, description="Only therapists with a licence verified by an administrator and not expired"
    )
    first: PageSize = Field(None, description="Page size (default 20)")
    explain: Flag = Field(
        None, description="Give each result's `explanation`: every factor of the value it is ordered by"
    )
    zip: Zip = Field(None, description="Five-digit ZIP code (default radius 40 km)")
    approach: Words = Field((), description="Approach slug (any of; old slugs resolve)")
    issue: Words = Field((), description="Issue slug (any of)")
    city: Word = Field(None, description="City name")
    insurance: Word = Field(None, description="Insurance plan id")
    language: Words = Field((), description="BCP-47 language (any of)")
    gender: Word = Field(None, description="Self-described gender")
    raceEthnicity: Word = Field(None, description="Self-described race or ethnicity")
    faith: Word = Field(None, description="Self-described faith")
    after: Word = Field(None, description="Cursor of the last item seen")

    def query(self) -> SearchQuery:
        radius_km = None
        if self.radius is not None:
            radius_km = self.radius * KM_PER_MILE if self.radiusUnit == "mi" else self.radius
        query = SearchQuery(
            text=self.text or "",
            approaches=self.approach,
            issues=self.issue,
            state=self.state,
            city=self.city,
            zip=self.zip,
            radius_km=radius_km,
            telehealth_state=self.telehealthState,
            formats=self.format,
            new_client_status=self.newClientStatus,
            insurance=self.insurance,
            max_fee=self.maxFee,
            responds_within_hours=self.respondsWithinHours,
            sliding_scale=self.slidingScale,
            languages=self.language,
            gender=self.gender,
            lgbtq=self.lgbtq,
            race_ethnicity=self.raceEthnicity,
            faith=self.faith,
            age_group=self.ageGroup,
            verified_only=bool(self.verifiedOnly),
            explain=bool(self.explain),
            sort=Sort(self.sort or Sort.RELEVANCE),
            first=self.first or 20,
            after=self.after,
        )
        if query.sort is Sort.DISTANCE and not (query.zip or query.city):
            raise invalid_parameter("sort", "distance needs a place: zip or city")
        return query


def _page_first(value: Any) -> int:
    # An approach page reads `first` as digits only, and an empty one is refused.
    try:
        first = int(value) if isinstance(value, str) and value.strip().isdigit() else 0
    except ValueError:  # a digit that is no decimal one, such as a superscript
        first = 0
    if not 1 <= first <= 100:
        raise _refused("an integer from 1 to 100")
    return first


class PageParameters(BaseModel):
    """`GET /v1/approaches/{slug}/specialists` query parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    first: Annotated[int, BeforeValidator(_page_first), WithJsonSchema(_PAGE_SIZE)] = Field(
        20, description="Page size (default 20)"
    )
    after: Annotated[str | None, BeforeValidator(lambda v: v or None), WithJsonSchema(_STRING)] = Field(
        None, description="Cursor of the last item seen"
    )
    field: CardFields = Field(
        (), description="Card fields each node holds (repeatable; default: the whole card)"
    )


class FitsRequest(BaseModel):
    """`POST /v1/therapists/{id}/fits`: which of these searches the therapist is a result of."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    filters: list[SearchParameters] = Field(
        min_length=1,
        max_length=MAX_FILTERS,
        description="Searches, each with the query parameters of GET /v1/therapists as JSON values "
        "(a repeatable one as a list); sort and paging play no part",
    )


def parameters_error(exc: ValidationError) -> BadRequest:
    """The first problem of a parameters model's validation, naming its parameter."""
    error = exc.errors(include_url=False, include_input=False)[0]
    name = str(error["loc"][0]) if error["loc"] else "(query)"
    message = "unknown parameter" if error["type"] == "extra_forbidden" else error["msg"]
    return invalid_parameter(name, message)


def search_query(parameters: Mapping[str, Any]) -> SearchQuery:
    """The search that query parameters ask for (repeatable ones as lists); BadRequest naming
    the first parameter that cannot be read."""
    try:
        return SearchParameters.model_validate(parameters).query()
    except ValidationError as exc:
        raise parameters_error(exc) from None


def in_filter(position: int, error: BadRequest) -> BadRequest:
    """`error`, about one search parameter, said of the fits request's filter at `position`."""
    details = [{**d, "field": f"filters.{position}.{d['field']}"} for d in error.details]
    return BadRequest(f"Filter {position}: {error.message}", code=error.code, details=details)


def fit_queries(body: Any) -> list[SearchQuery]:
    """The searches a fits request asks about; InvalidInput naming each field that cannot be read
    (`filters.1.radius`), BadRequest naming the one whose parameters do not go together."""
    try:
        request = FitsRequest.model_validate(body, context=JSON_VALUES)
    except ValidationError as exc:
        raise invalid_input(exc) from None
    queries = []
    for position, parameters in enumerate(request.filters):
        try:
            queries.append(parameters.query())
        except BadRequest as exc:
            raise in_filter(position, exc) from None
    return queries


def page_parameters(parameters: Mapping[str, Any]) -> PageParameters:
    try:
        return PageParameters.model_validate(parameters)
    except ValidationError as exc:
        raise parameters_error(exc) from None
