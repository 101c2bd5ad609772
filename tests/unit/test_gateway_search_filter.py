"""A search's filter is built from graphql-core's coerced input by a shortcut of the gateway's
(gateway.types.search): it equals what strawberry's general conversion builds, for any input."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLScalarType
from graphql.utilities import coerce_input_value
from hypothesis import given, settings
from hypothesis import strategies as st
from strawberry.types.arguments import convert_argument
from strawberry.types.base import get_object_definition

from gateway.schema import schema
from gateway.types.search import TherapistFilter

FILTER = schema._schema.type_map["TherapistFilter"]
assert isinstance(FILTER, GraphQLInputObjectType)


def given_value(graphql_type: Any) -> st.SearchStrategy[Any]:
    """A valid input value as a client sends it in variables."""
    if isinstance(graphql_type, GraphQLNonNull):
        return present_value(graphql_type.of_type)
    return st.one_of(st.none(), present_value(graphql_type))


def present_value(graphql_type: Any) -> st.SearchStrategy[Any]:
    if isinstance(graphql_type, GraphQLList):
        return st.lists(given_value(graphql_type.of_type), max_size=3)
    if isinstance(graphql_type, GraphQLEnumType):
        return st.sampled_from(list(graphql_type.values))
    assert isinstance(graphql_type, GraphQLScalarType)
    return {
        "Int": st.integers(-10, 10),
        "Float": st.floats(0.5, 100, allow_nan=False),
        "Boolean": st.booleans(),
    }.get(graphql_type.name, st.text(max_size=5))


FILTERS = st.fixed_dictionaries({}, optional={name: given_value(f.type) for name, f in FILTER.fields.items()})


def converted(value: dict[str, Any], *, shortcut: bool) -> TherapistFilter:
    definition = get_object_definition(TherapistFilter, strict=True)
    builder = definition.from_input
    definition.from_input = builder if shortcut else None
    try:
        registry = schema.schema_converter.scalar_registry
        return convert_argument(value, TherapistFilter, registry, schema.config)  # type: ignore[return-value]
    finally:
        definition.from_input = builder


@settings(max_examples=200, deadline=None)
@given(FILTERS)
def test_the_filter_shortcut_builds_what_strawberry_builds(given_filter):
    coerced = coerce_input_value(given_filter, FILTER)
    built = converted(coerced, shortcut=True)
    assert built == converted(coerced, shortcut=False)
    # Lists are copied: graphql-core may hand the same default to later requests.
    for name, value in vars(built).items():
        assert not isinstance(value, list) or value is not coerced.get(name)
