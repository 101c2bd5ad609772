"""The gateway's executor for plain fields (gateway.plain_fields) answers exactly as strawberry's
general executor does: the same data, the same errors with the same paths, the same nulls,
whatever the services' JSON holds (missing keys, nulls, values of the wrong type)."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLType,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.plain_fields import PlainFieldExecutor
from gateway.types.approaches import SpecialistConnection
from gateway.types.common import SCALAR_OVERRIDES, read_field
from gateway.types.search import TherapistConnection
from gateway.types.therapists import TherapistCard


@strawberry.type
class Query:
    @strawberry.field
    def specialists(self, info: strawberry.Info) -> SpecialistConnection | None:
        return info.context["specialists"]

    @strawberry.field
    def results(self, info: strawberry.Info) -> TherapistConnection:
        return info.context["results"]

    @strawberry.field
    def cards(self, info: strawberry.Info) -> list[TherapistCard | None] | None:
        return info.context["cards"]


def schema_with(executor: type) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        config=StrawberryConfig(default_resolver=read_field),
        scalar_overrides=SCALAR_OVERRIDES,
        execution_context_class=executor,
    )


GENERAL, PLAIN = schema_with(StrawberryGraphQLCoreExecutionContext), schema_with(PlainFieldExecutor)
CARD = """
  id displayName title location { city state } pronouns photoUrl newClientStatus formats
  availabilityConfirmedAt availabilityStale distanceKm languages ageGroups telehealthStates updatedAt
  issues { slug top } approaches { slug statement }
  money { fees { sessionType amountUsd } slidingScale { minUsd maxUsd } insurance freeConsultation }
  identity { gender raceEthnicity lgbtq faith }
  responsiveness { answeredShare medianReplyHours sampleSize } unresponsive
"""
DOCUMENTS = {
    "approach page": """query { specialists { totalCount pageInfo { hasNextPage endCursor }
        edges { cursor statement node { id displayName title location { city state } } } } }""",
    "search": """query { results { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { id displayName title location { city state } } }
        facets { states { value count } formats { value } } } }""",
    "every card field": f"query {{ cards {{ {CARD} }} }}",
    "aliases and typenames": """query { cards { __typename who: displayName where: location { __typename town: city }
        displayName money { __typename fees { amountUsd } } } }""",
    "a field twice": "query { cards { id location { state } location { city } } }",
}


def json_for(graphql_type: GraphQLType, depth: int = 0) -> st.SearchStrategy[Any]:
    """JSON as a service might send it for `graphql_type`, wrong now and then."""
    wrong = st.one_of(
        st.none(), st.integers(-5, 2**40), st.text(max_size=3), st.booleans(), st.just([]), st.just({})
    )
    if isinstance(graphql_type, GraphQLNonNull):
        return json_for(graphql_type.of_type, depth)
    if isinstance(graphql_type, GraphQLList):
        return st.one_of(st.lists(json_for(graphql_type.of_type, depth + 1), max_size=3), wrong)
    if isinstance(graphql_type, GraphQLEnumType):
        return st.one_of(st.sampled_from([v.value for v in graphql_type.values.values()]), wrong)
    if isinstance(graphql_type, GraphQLScalarType):
        right = {
            "Int": st.integers(-3, 3),
            "Float": st.floats(allow_nan=False, allow_infinity=False),
            "Boolean": st.booleans(),
        }.get(graphql_type.name, st.text(max_size=4))
        return st.one_of(right, right, right, wrong)
    assert isinstance(graphql_type, GraphQLObjectType)
    if depth > 4:
        return st.none()
    fields = {name: json_for(field.type, depth + 1) for name, field in graphql_type.fields.items()}
    return st.one_of(
        st.fixed_dictionaries({}, optional=fields), st.fixed_dictionaries({}, optional=fields), wrong
    )


def root_json(field: str) -> st.SearchStrategy[Any]:
    return json_for(GENERAL._schema.query_type.fields[field].type)


async def answers(document: str, context: dict[str, Any]) -> list[tuple[Any, list[dict[str, Any]]]]:
    results = []
    for schema in (GENERAL, PLAIN):
        result = await schema.execute(document, context_value=context)
        results.append((result.data, [error.formatted for error in result.errors or ()]))
    return results


@pytest.mark.parametrize("name", DOCUMENTS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
async def test_the_plain_field_executor_answers_as_the_general_one(name, data):
    context = {
        "specialists": data.draw(root_json("specialists")),
        "results": data.draw(root_json("results")),
        "cards": data.draw(root_json("cards")),
    }
    general, plain = await answers(DOCUMENTS[name], context)
    assert plain == general


async def test_a_well_formed_page_is_answered_without_a_single_error():
    node = {"id": "t1", "displayName": "A", "title": "T", "location": {"state": "TX"}}
    context = {
        "specialists": {
            "totalCount": 1,
            "pageInfo": {"hasNextPage": False, "endCursor": "c"},
            "edges": [{"cursor": "c", "statement": "s", "node": node}],
        }
    }
    general, plain = await answers(DOCUMENTS["approach page"], context)
    assert plain == general
    assert plain[1] == []
    assert plain[0]["specialists"]["edges"][0]["node"]["location"] == {"city": "", "state": "TX"}
