"""The owner view in the gateway's schema, without a server: `MyProfile` mirrors the input
`TherapistProfilePatch` (what is read can be sent back), availability is stale by search's own
rule, an owner view makes its answer uncacheable, and the operation files are valid documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from graphql import (
    GraphQLInputObjectType,
    GraphQLObjectType,
    OperationDefinitionNode,
    get_named_type,
    parse,
    validate,
)

from gateway.clients import BackendResponse
from gateway.context import GatewayContext
from gateway.persisted import read_operation
from gateway.schema import schema
from gateway.types.mutations import LocationInput, merge_patch, owner_body
from gateway.types.owner import NewProfileInput, availability_age, existing_profile_id
from integration_events.therapists import STALE_AFTER

OPERATIONS = Path(__file__).resolve().parents[2] / "gateway" / "operations"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
OWNER_OPERATIONS = {
    "MyProfile",
    "CreateMyProfile",
    "UpdateMyProfile",
    "ConfirmAvailability",
    "SetApproachStatement",
    "RemoveApproachStatement",
    "DeleteMyProfile",
}


def graphql_type(name: str):
    return schema._schema.type_map[name]


def mirrored(patch: GraphQLInputObjectType, view: GraphQLObjectType, path: str = "") -> list[str]:
    """What of `patch` the output type `view` lacks or types differently, field by field."""
    problems = []
    for name, field in patch.fields.items():
        where = f"{path}{name}"
        if name not in view.fields:
            problems.append(f"{where}: missing")
            continue
        given, shown = get_named_type(field.type), get_named_type(view.fields[name].type)
        if isinstance(given, GraphQLInputObjectType):
            problems += mirrored(given, shown, f"{where}.")
            # Nested objects mirror each other exactly (the top level has id, version and more).
            problems += [
                f"{where}.{extra}: not in the input" for extra in set(shown.fields) - set(given.fields)
            ]
        elif given.name != shown.name:
            problems.append(f"{where}: {given.name} given, {shown.name} shown")
    return problems


def test_my_profile_mirrors_the_profile_patch_field_for_field():
    assert mirrored(graphql_type("TherapistProfilePatch"), graphql_type("MyProfile")) == []


def test_a_new_profile_takes_every_field_of_a_patch_and_needs_name_title_and_location():
    new, patch = graphql_type("NewProfileInput"), graphql_type("TherapistProfilePatch")
    assert set(new.fields) == set(patch.fields)
    required = {name for name, field in new.fields.items() if str(field.type).endswith("!")}
    assert required == {"displayName", "title", "location"}


def test_a_new_profile_sends_only_what_was_given():
    given = NewProfileInput(
        displayName="Odile Marchbanks-Nakamura, PhD",
        title="Clinical Psychologist",
        location=LocationInput(state="WA"),
        pronouns=None,
    )
    assert merge_patch(given) == {
        "displayName": "Odile Marchbanks-Nakamura, PhD",
        "title": "Clinical Psychologist",
        "location": {"state": "WA"},
        "pronouns": None,
    }


def test_availability_is_stale_after_search_s_threshold_and_days_are_whole_days():
    def confirmed(ago: timedelta) -> str:
        return (NOW - ago).isoformat()

    assert availability_age(None, NOW) == (True, None)
    assert availability_age(confirmed(timedelta(days=10, hours=23)), NOW) == (False, 10)
    assert availability_age(confirmed(STALE_AFTER), NOW) == (False, STALE_AFTER.days)
    assert availability_age(confirmed(STALE_AFTER + timedelta(minutes=1)), NOW) == (True, STALE_AFTER.days)
    assert availability_age("2026-01-01T00:00:00Z", NOW) == (True, 60)


def context() -> GatewayContext:
    return GatewayContext(clients=None, caches=(), request_id="unit", authorization="Bearer unit")  # type: ignore[arg-type]


def test_an_owner_view_makes_its_answer_uncacheable():
    holder = context()
    view = {"id": "t1", "email": "private@example.test"}
    assert owner_body(holder, BackendResponse(200, view, {})) == view
    assert holder.trace.cacheable is False


async def test_a_conflict_without_the_existing_id_asks_for_the_callers_own_profile():
    class Clients:
        async def my_profile(self, authorization: str) -> BackendResponse:
            assert authorization == "Bearer unit"
            return BackendResponse(200, {"id": "t-existing"}, {})

    holder = context()
    holder.clients = Clients()  # type: ignore[assignment]
    conflict = BackendResponse(409, {"error": {"code": "profile_exists", "message": "", "details": []}}, {})
    assert await existing_profile_id(holder, conflict) == "t-existing"
    named = {
        "error": {"code": "profile_exists", "message": "", "details": [{"message": "", "id": "t-named"}]}
    }
    assert await existing_profile_id(holder, BackendResponse(409, named, {})) == "t-named"


def test_every_operation_file_is_a_valid_document_of_the_schema():
    names = set()
    for path in sorted(OPERATIONS.glob("*.graphql")):
        document = parse(read_operation(path))
        assert validate(schema._schema, document) == [], path.name
        names |= {d.name.value for d in document.definitions if isinstance(d, OperationDefinitionNode)}
    assert names >= OWNER_OPERATIONS
