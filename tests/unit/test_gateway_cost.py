"""The static cost of operations (gateway.cost), priced on the gateway's own schema."""

from typing import Any

import pytest
from graphql import parse, validate

from gateway.cost import DEFAULT_LIST_SIZE, INTROSPECTION_COST, LIST_SIZES, operation_cost
from gateway.schema import schema

CATALOGUE = LIST_SIZES["Query.approaches"]


def cost(document: str, variables: dict[str, Any] | None = None, operation_name: str | None = None) -> int:
    parsed = parse(document)
    assert validate(schema._schema, parsed) == []  # the cost is only taken of valid documents
    return operation_cost(schema._schema, parsed, variables, operation_name)


def test_scalar_and_enum_fields_cost_nothing_and_an_object_costs_one():
    assert cost("{ __typename }") == 0
    assert cost('{ therapist(id: "t1") { id displayName newClientStatus languages } }') == 1
    assert cost('{ therapist(id: "t1") { id location { city } bio { about } } }') == 3


def test_a_page_costs_its_first_times_each_item():
    # searchTherapists 1 + edges 5 x (edge 1 + node 1)
    assert cost("{ searchTherapists(first: 5) { totalCount edges { cursor node { id } } } }") == 11


def test_the_page_size_sizes_only_the_lists_directly_under_the_connection():
    # each node's approaches is a therapist's list (the default size), not another page of 5
    query = "{ searchTherapists(first: 5) { edges { node { approaches { slug approach { name } } } } } }"
    assert cost(query) == 1 + 5 * (1 + 1 + DEFAULT_LIST_SIZE * 2)


def test_an_absent_first_takes_the_argument_default_from_the_schema():
    assert cost("{ searchTherapists { edges { cursor } } }") == 1 + 20
    assert cost('{ myInquiries(therapistId: "t1") { edges { cursor } } }') == 1 + 20


def test_first_is_read_from_the_variables_then_the_variable_default_then_the_schema():
    query = "query ($n: Int) { searchTherapists(first: $n) { edges { cursor } } }"
    assert cost(query, {"n": 7}) == 8
    assert cost(query) == 21
    assert cost("query ($n: Int = 3) { searchTherapists(first: $n) { edges { cursor } } }") == 4


def test_invalid_variables_are_priced_as_absent():
    query = "query ($n: Int) { searchTherapists(first: $n) { edges { cursor } } }"
    assert cost(query, {"n": "a great many"}) == 21


def test_find_match_is_sized_by_the_questionnaire_first_in_a_literal_a_variable_or_its_default():
    edges = "{ edges { node { id } } }"
    assert cost('{ findMatch(questionnaire: {state: "TX", first: 4}) ' + edges + " }") == 1 + 4 * 2
    assert cost('{ findMatch(questionnaire: {state: "TX"}) ' + edges + " }") == 1 + 10 * 2
    by_variable = "query ($q: MatchQuestionnaire!) { findMatch(questionnaire: $q) " + edges + " }"
    assert cost(by_variable, {"q": {"state": "TX", "first": 50}}) == 1 + 50 * 2
    nested = 'query ($n: Int!) { findMatch(questionnaire: {state: "TX", first: $n}) ' + edges + " }"
    assert cost(nested, {"n": 3}) == 1 + 3 * 2


def test_lists_without_first_have_their_declared_size_and_nested_lists_multiply():
    assert cost("{ approaches { slug } }") == CATALOGUE
    assert cost("{ approaches { related { slug } } }") == CATALOGUE * (1 + LIST_SIZES["Approach.related"])
    every_specialist = "{ approaches { specialists(first: 100) { edges { node { id displayName } } } } }"
    assert cost(every_specialist) == CATALOGUE * (1 + 1 + 100 * 2)


def test_named_and_inline_fragments_cost_what_their_fields_cost():
    plain = cost('{ therapist(id: "t1") { id location { city } } }')
    named = 'query { therapist(id: "t1") { ...Card } } fragment Card on Therapist { id location { city } }'
    inline = '{ therapist(id: "t1") { ... on Therapist { id location { city } } } }'
    assert cost(named) == cost(inline) == plain == 2


def test_the_most_expensive_branch_of_a_union_counts_not_the_sum():
    mutation = """mutation { updateMyProfile(therapistId: "t1", patch: {}) {
      __typename
      ... on ProfileUpdated { profile { licences { kind } } }
      ... on ValidationFailed { fieldErrors { path } }
    } }"""
    updated = 1 + DEFAULT_LIST_SIZE  # profile and its licences
    failed = DEFAULT_LIST_SIZE
    assert cost(mutation) == 1 + max(updated, failed)


def test_a_fragment_on_the_union_itself_applies_to_every_branch():
    mutation = """mutation { deleteMyProfile(therapistId: "t1") { ...Outcome ... on NotFound { message } } }
    fragment Outcome on DeleteMyProfileResult { __typename }"""
    assert cost(mutation) == 1


@pytest.mark.parametrize(
    "introspection",
    [
        "{ __schema { types { name fields { name type { name ofType { name } } } } } }",
        '{ __type(name: "Therapist") { name fields { name } } }',
    ],
)
def test_introspection_has_a_fixed_cost(introspection):
    assert cost(introspection) == INTROSPECTION_COST


def test_the_named_operation_is_the_one_priced():
    document = "query Cheap { __typename } query Dear { approaches { slug } }"
    assert cost(document, operation_name="Cheap") == 0
    assert cost(document, operation_name="Dear") == CATALOGUE
    assert cost(document, operation_name="Missing") == 0


def test_one_document_priced_again_with_other_page_sizes_costs_what_a_fresh_walk_does():
    # The gateway reuses parsed documents, and remembers their costs by page size.
    document = parse(
        "query($first: Int, $inner: Int, $text: String) { searchTherapists(first: $first, text: $text) "
        '{ edges { node { id } } } approach(slug: "x") { specialists(first: $inner) { edges { cursor } } } }'
    )
    for variables in ({"first": 5, "inner": 3}, {"first": 7, "inner": 3, "text": "a"}, {"first": 5}, {}):
        fresh = operation_cost(schema._schema, parse(document.loc.source.body), variables)
        assert operation_cost(schema._schema, document, variables) == fresh
        assert operation_cost(schema._schema, document, variables) == fresh
