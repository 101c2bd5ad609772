"""The therapist profile: its fields and rules, its public view and its events (no I/O).

Text is kept exactly as the therapist wrote it (case, spacing, accents, typographic
punctuation); only invisible control characters are removed. Codes are validated against the
shared vocabularies and established standards (two-letter states, BCP-47, NPI, NUCC taxonomy,
Plan-Net new-patient codes).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from integration_events import vocabulary
from integration_events.therapists import (
    THERAPIST_CREATED,
    THERAPIST_DELETED,
    THERAPIST_UPDATED,
    NewClientStatus,
    SessionFormat,
    TherapistDeleted,
    TherapistPublicProfile,
    VerificationStatus,
)
from servicekit.envelope import CloudEvent, new_event

EVENT_SOURCE = "/directory/profiles"
MAX_STATEMENT_LENGTH = 2000
KEEP_IN_TEXT = frozenset("\t\n\r")


# --- text -------------------------------------------------------------------------------

def strip_invisible_controls(value: Any) -> Any:
    """Remove control characters (Unicode category Cc) except tab and line breaks."""
    if not isinstance(value, str):
        return value
    if value.isprintable():  # the common case: nothing to remove
        return value
    return "".join(ch for ch in value if ch in KEEP_IN_TEXT or unicodedata.category(ch) != "Cc")


def _visible(value: str) -> str:
    if not value.strip():
        raise ValueError("must contain visible characters")
    return value


def text(max_length: int, *, required: bool = False) -> Any:
    """A free-text field kept as written; `required` text must not be blank."""
    checks: list[Any] = [BeforeValidator(strip_invisible_controls),
                         StringConstraints(min_length=1 if required else 0, max_length=max_length)]
    if required:
        checks.append(AfterValidator(_visible))
    return Annotated[str, *checks]


# --- codes ------------------------------------------------------------------------------

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


def patterned(pattern: str, check: Callable[[str], bool], message: str, *, max_length: int = 100) -> Any:
    """A string matched by `pattern` (published in the JSON schema) and `check`."""
    compiled = re.compile(pattern)

    def validate(value: str) -> str:
        if len(value) > max_length or not compiled.fullmatch(value) or not check(value):
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


def _always(_: str) -> bool:
    return True


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
LanguageTag = patterned(BCP47_PATTERN, _always, "must be a well-formed BCP-47 language tag, e.g. en, es-MX",
                        max_length=35)
Npi = patterned(r"[0-9]{10}", npi_check_digit_is_valid,
                "must be a 10-digit NPI whose last digit is its Luhn check digit", max_length=10)
TaxonomyCode = patterned(r"[0-9]{3}[0-9A-Z]{6}X", _always,
                         "must be a NUCC taxonomy code, e.g. 106H00000X", max_length=10)
PostalCode = patterned(r"[0-9]{5}(?:-[0-9]{4})?", _always, "must be a US ZIP code (12345 or 12345-6789)",
                       max_length=10)
Slug = patterned(r"[a-z0-9]+(?:-[a-z0-9]+)*", _always,
                 "must be a slug: lowercase letters and digits separated by hyphens", max_length=100)
Email = patterned(r"[^@\s]+@[^@\s]+\.[^@\s]+", _always, "must be an email address", max_length=254)
Phone = patterned(r"\+?[0-9(][0-9 ().\-/]{5,28}[0-9]", _always,
                  "must be a phone number of digits, spaces and ( ) . - /", max_length=30)


def _web_address(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


PhotoUrl = patterned(r"https?://\S+", _web_address, "must be an http(s) URL", max_length=2000)


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
    return Annotated[list[item], Field(max_length=max_length, json_schema_extra={"uniqueItems": True}),
                     AfterValidator(unique)]


# --- the profile ------------------------------------------------------------------------

class Strict(BaseModel):
    """Input models: an unknown field is an error that names it."""

    model_config = ConfigDict(extra="forbid")


class ProfileLocation(Strict):
    city: text(100) = ""  # may be empty; a ZIP code typed into it is kept as written
    state: StateCode


class Coordinates(Strict):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class PracticeLocation(Strict):
    """A practice address; a private one (a home office) shows only city, state and ZIP."""

    label: text(100) | None = None
    street: text(200) | None = None
    city: text(100) = ""
    state: StateCode
    postalCode: PostalCode | None = None
    point: Coordinates | None = None
    isPrivate: bool = False


class Licence(Strict):
    kind: LicenceKindCode
    number: text(40, required=True)
    state: StateCode
    expires: date | None = None
    verificationStatus: VerificationStatus = VerificationStatus.UNVERIFIED
    numberPublic: bool = False  # the therapist chooses whether the number is shown


class Fee(Strict):
    sessionType: SessionTypeCode
    amountUsd: int = Field(ge=0, le=100_000)


class SlidingScaleRange(Strict):
    minUsd: int = Field(ge=0, le=100_000)
    maxUsd: int = Field(ge=0, le=100_000)

    @model_validator(mode="after")
    def _ordered(self) -> SlidingScaleRange:
        if self.minUsd > self.maxUsd:
            raise ValueError("minUsd must not be more than maxUsd")
        return self


class PaymentTerms(Strict):
    fees: Annotated[list[Fee], Field(max_length=len(vocabulary.SESSION_TYPES)),
                    AfterValidator(lambda v: unique_by(v, "sessionType"))] = []
    slidingScale: SlidingScaleRange | None = None
    freeConsultation: bool = False
    insurance: unique_list(InsuranceCode, len(vocabulary.INSURANCE_PLANS)) = []
    outOfNetworkSuperbill: bool = False


class TreatedIssue(Strict):
    slug: IssueCode
    top: bool = False


MAX_TOP_ISSUES = 5


def _few_top_issues(issues: list[TreatedIssue]) -> list[TreatedIssue]:
    unique_by(issues, "slug")
    if sum(issue.top for issue in issues) > MAX_TOP_ISSUES:
        raise ValueError(f"at most {MAX_TOP_ISSUES} issues may be marked top")
    return issues


class SelfDescribedIdentity(Strict):
    """Self-described and optional; free text in the therapist's own words."""

    gender: text(60) | None = None
    raceEthnicity: Annotated[list[text(60)], Field(max_length=10)] = []
    lgbtq: bool | None = None
    faith: text(60) | None = None


class BioSections(Strict):
    helpWith: text(5000) = ""
    approach: text(5000) = ""
    about: text(5000) = ""


class ApproachStatementText(Strict):
    """The body of `PUT /v1/therapists/{id}/approaches/{slug}`."""

    statement: text(MAX_STATEMENT_LENGTH, required=True)


class PracticedApproach(ApproachStatementText):
    slug: Slug


class ProfileContent(Strict):
    """Everything a therapist writes about themselves: the editable part of a profile."""

    displayName: text(200, required=True)
    title: text(200, required=True)
    location: ProfileLocation
    pronouns: text(40) | None = None
    photoUrl: PhotoUrl | None = None
    yearsInPractice: int | None = Field(default=None, ge=0, le=80)
    licences: Annotated[list[Licence], Field(max_length=20)] = []
    npi: Npi | None = None
    taxonomyCode: TaxonomyCode | None = None
    locations: Annotated[list[PracticeLocation], Field(max_length=10)] = []
    telehealthStates: unique_list(StateCode, len(vocabulary.US_STATES)) = []
    formats: unique_list(SessionFormat, len(SessionFormat)) = []
    newClientStatus: NewClientStatus | None = None
    money: PaymentTerms = PaymentTerms()
    approaches: Annotated[list[PracticedApproach], Field(max_length=50),
                          AfterValidator(lambda v: unique_by(v, "slug"))] = []
    issues: Annotated[list[TreatedIssue], Field(max_length=len(vocabulary.ISSUES)),
                      AfterValidator(_few_top_issues)] = []
    populations: unique_list(PopulationCode, len(vocabulary.POPULATIONS)) = []
    ageGroups: unique_list(AgeGroupCode, len(vocabulary.AGE_GROUPS)) = []
    languages: unique_list(LanguageTag, 30) = []
    identity: SelfDescribedIdentity = SelfDescribedIdentity()
    bio: BioSections = BioSections()
    # Private: never in the public view or in events.
    email: Email | None = None
    phone: Phone | None = None


class NewTherapistProfile(ProfileContent):
    """The body of `POST /v1/therapists`. `ownerSub` (admins only) creates it for that account."""

    ownerSub: text(200, required=True) | None = None


class TherapistProfile(ProfileContent):
    """The whole profile as its owner (or an admin) sees it, private fields included."""

    id: str
    ownerSub: str
    version: int = Field(ge=1)
    availabilityConfirmedAt: datetime | None = None
    createdAt: datetime
    updatedAt: datetime


class AvailabilityConfirmation(Strict):
    """The body of `POST /v1/therapists/{id}/availability`."""

    newClientStatus: NewClientStatus


READ_ONLY_FIELDS = frozenset(TherapistProfile.model_fields) - frozenset(ProfileContent.model_fields)


# --- rules over whole profiles -----------------------------------------------------------

class ProfileRuleViolation(ValueError):
    """A change that is well-formed but not allowed; `field` names where."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def now() -> datetime:
    # MongoDB keeps milliseconds: truncate so that what is stored is what was announced.
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def new_profile(content: ProfileContent, *, owner_sub: str, at: datetime) -> TherapistProfile:
    fields = content.model_dump(exclude={"ownerSub"})
    return TherapistProfile(
        **fields, id=uuid.uuid4().hex, ownerSub=owner_sub, version=1, createdAt=at, updatedAt=at,
        availabilityConfirmedAt=at if content.newClientStatus is not None else None,
    )


def editable_content(profile: TherapistProfile) -> dict[str, Any]:
    """The profile's editable part as JSON, the document a merge patch applies to."""
    return profile.model_dump(mode="json", exclude=READ_ONLY_FIELDS)


def revised(profile: TherapistProfile, content: ProfileContent, *, at: datetime) -> TherapistProfile:
    """The next version of `profile` with `content`; a new status counts as a confirmation."""
    confirmed = profile.availabilityConfirmedAt
    if content.newClientStatus != profile.newClientStatus:
        confirmed = at if content.newClientStatus is not None else None
    return TherapistProfile(
        **content.model_dump(), id=profile.id, ownerSub=profile.ownerSub, version=profile.version + 1,
        createdAt=profile.createdAt, updatedAt=at, availabilityConfirmedAt=confirmed,
    )


def with_availability(
    profile: TherapistProfile, status: NewClientStatus, *, at: datetime
) -> TherapistProfile:
    return profile.model_copy(update={
        "newClientStatus": status, "availabilityConfirmedAt": at, "version": profile.version + 1,
        "updatedAt": at,
    })


def with_statement(profile: TherapistProfile, slug: str, statement: str) -> ProfileContent:
    """The content with `statement` for `slug`, replacing an earlier one for that approach."""
    approaches = [a for a in profile.approaches if a.slug != slug]
    approaches.append(PracticedApproach(slug=slug, statement=statement))
    return _content_with(profile, approaches=approaches)


def without_statement(profile: TherapistProfile, slug: str) -> ProfileContent | None:
    """The content without the statement for `slug`, or None when there is none."""
    approaches = [a for a in profile.approaches if a.slug != slug]
    if len(approaches) == len(profile.approaches):
        return None
    return _content_with(profile, approaches=approaches)


def _content_with(profile: TherapistProfile, **changes: Any) -> ProfileContent:
    fields = {name: getattr(profile, name) for name in ProfileContent.model_fields}
    return ProfileContent.model_construct(**{**fields, **changes})


def check_verification_unchanged(before: TherapistProfile | None, after: ProfileContent) -> None:
    """Only administrators verify licences: anyone else may keep a status, never set one."""
    held = {
        (lic.kind, lic.state, lic.number): lic.verificationStatus
        for lic in (before.licences if before is not None else [])
    }
    for index, lic in enumerate(after.licences):
        if lic.verificationStatus == VerificationStatus.UNVERIFIED:
            continue
        if held.get((lic.kind, lic.state, lic.number)) != lic.verificationStatus:
            raise ProfileRuleViolation(
                f"licences.{index}.verificationStatus",
                "Only an administrator can set a licence's verificationStatus",
            )


def canonical_statements(
    content: ProfileContent, current_slugs: Mapping[str, str], already_held: Iterable[str]
) -> ProfileContent:
    """Statements under each approach's current slug; a slug not known (and not held) is refused.

    `current_slugs` maps every slug the service knows (current or previous) to the current one.
    """
    held = set(already_held)
    approaches = []
    for index, item in enumerate(content.approaches):
        slug = current_slugs.get(item.slug)
        if slug is None:
            if item.slug not in held:
                raise ProfileRuleViolation(
                    f"approaches.{index}.slug",
                    f"Unknown approach {item.slug!r}: no approach with this slug is known to the directory",
                )
            slug = item.slug
        approaches.append(PracticedApproach(slug=slug, statement=item.statement))
    slugs = [a.slug for a in approaches]
    if len(set(slugs)) != len(slugs):
        raise ProfileRuleViolation("approaches", "Two statements name the same approach")
    return content.model_copy(update={"approaches": approaches})


def _object_model(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def patch_problems(
    model: type[BaseModel], patch: Mapping[str, Any], prefix: str = ""
) -> list[dict[str, str]]:
    """Fields a patch names that the profile does not have (or that are read-only)."""
    problems = []
    for key, value in patch.items():
        path = f"{prefix}{key}"
        field = model.model_fields.get(key)
        if model is ProfileContent and key in READ_ONLY_FIELDS:
            problems.append({"field": path, "message": "is read-only", "type": "read_only"})
        elif field is None:
            problems.append({"field": path, "message": "is not a profile field", "type": "extra_forbidden"})
        elif isinstance(value, dict):
            nested = _object_model(field.annotation)
            if nested is not None:
                problems.extend(patch_problems(nested, value, f"{path}."))
    return problems


# --- public view and events ---------------------------------------------------------------

def public_view(profile: TherapistProfile) -> TherapistPublicProfile:
    """What anyone may see, and what events carry: nothing private."""
    data = profile.model_dump(exclude={"ownerSub", "email", "phone"})
    data["licences"] = [
        {**lic, "number": lic["number"] if lic["numberPublic"] else None} for lic in data["licences"]
    ]
    data["locations"] = [
        {**loc, "street": None, "point": None} if loc["isPrivate"] else loc for loc in data["locations"]
    ]
    return TherapistPublicProfile.model_validate(data)


def profile_event(
    event_type: str, profile: TherapistProfile, *, traceparent: str | None = None
) -> CloudEvent:
    return new_event(
        type=event_type, source=EVENT_SOURCE, subject=profile.id,
        data=public_view(profile).model_dump(mode="json"), traceparent=traceparent,
    )


def created_event(profile: TherapistProfile, *, traceparent: str | None = None) -> CloudEvent:
    return profile_event(THERAPIST_CREATED, profile, traceparent=traceparent)


def updated_event(profile: TherapistProfile, *, traceparent: str | None = None) -> CloudEvent:
    return profile_event(THERAPIST_UPDATED, profile, traceparent=traceparent)


def deleted_event(profile: TherapistProfile, *, traceparent: str | None = None) -> CloudEvent:
    data = TherapistDeleted(id=profile.id, version=profile.version + 1)
    return new_event(type=THERAPIST_DELETED, source=EVENT_SOURCE, subject=profile.id,
                     data=data.model_dump(mode="json"), traceparent=traceparent)


# --- conditional requests ------------------------------------------------------------------

def etag(version: int) -> str:
    return f'"{version}"'


def if_match_allows(header: str | None, version: int) -> bool:
    """`If-Match` holds for `version`: absent, `*`, or a list naming it (`3`, `"3"`, `W/"3"`)."""
    if header is None:
        return True
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*":
            return True
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag.strip('"') == str(version):
            return True
    return False
