"""Demand control: the static cost of a GraphQL operation, priced before anything runs.

The cost approximates how many objects an answer may hold, from the parsed and validated
document and the request's variables (a pure function: document + schema + variables -> cost):

- A field of an object type costs 1 plus the cost of its selection; a scalar or enum field costs
  0 (it is read from an object already fetched, so the object's 1 pays for it). `__typename` is
  such a leaf.
- A list field multiplies that by its size. Connections are sized by their page argument (`first`,
  from the literal or the variable, else the argument's default in the schema), which bounds the
  lists directly under them (their `edges`); `findMatch` is sized by `questionnaire.first`. Lists
  without a page argument have a declared typical size (`LIST_SIZES`, else `DEFAULT_LIST_SIZE`).
  Nested lists multiply.
- Fragments and inline fragments are followed. Where the parent is a union or an interface, the
  answer is one concrete type per object, so the most expensive branch counts, not the sum: a
  client handling every typed result (`ValidationFailed`, `NotFound`, ...) is not charged for
  outcomes that cannot all happen. Fields selected twice are counted twice, and `@skip`/`@include`
  are ignored: the cost is an upper bound, never an underestimate.
- Introspection (`__schema`, `__type`) has a fixed cost: it is answered from the in-memory schema,
  whose size is bounded by the gateway's own code, not by the client, and costing its deeply
  nested lists would price the standard introspection query above any real page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.utilities import get_operation_ast, type_from_ast

# Connections and result pages: the argument (a path into the arguments) whose value is the
# number of items in the lists directly under the field.
PAGE_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "Approach.specialists": ("first",),
    "Query.searchTherapists": ("first",),
    "Query.myInquiries": ("first",),
    "Query.findMatch": ("questionnaire", "first"),
}

# Lists without a page argument: their typical size in the directory, keyed `Type.field`.
LIST_SIZES: dict[str, int] = {
    "Query.approaches": 40,  # the approach catalogue (34 today)
    "Approach.related": 8,
    **{f"SearchFacets.{name}": 20 for name in ("approaches", "issues", "insurance", "languages")},
    **{f"SearchFacets.{name}": 60 for name in ("states", "telehealthStates", "cities")},
}
DEFAULT_LIST_SIZE = 10  # a therapist's approaches, issues, licences, fees, a form's field errors
INTROSPECTION_COST = 100
INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
) -> int:
    """The cost of the operation `operation_name` (or the only one) of a validated document; 0
    when there is no such operation (execution reports that)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    root = _root_type(schema, operation.operation)
    if root is None:
        return 0
    coerced = _coerced_variables(schema, operation, variables or {})
    known = _priced(document, operation)
    if known is not None:
        page_fields, costs = known
        sizes = tuple(_page_size(field, node, path, coerced) for field, node, path in page_fields)
        if sizes in costs:
            return costs[sizes]
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    pricing = _Pricing(schema, fragments, coerced)
    cost = pricing.selection_cost(root, operation.selection_set, page_size=None)
    _remember(document, operation, pricing.page_fields, pricing.sizes, cost)
    return cost


# Per document (by identity, held so its id is not reused; documents come from the parser
# cache), per operation: its page fields in the order the walk meets them, which does not
# depend on the variables, and the cost for each combination of their page sizes seen. The
# sizes are all a cost depends on, so most requests are priced without the walk.
_PRICED: dict[int, tuple[DocumentNode, dict[int, tuple[list[Any], dict[tuple[Any, ...], int]]]]] = {}
MAX_PRICED_DOCUMENTS = 1_000
MAX_SIZES_PER_OPERATION = 256


def _priced(
    document: DocumentNode, operation: OperationDefinitionNode
) -> tuple[list[Any], dict[tuple[Any, ...], int]] | None:
    entry = _PRICED.get(id(document))
    if entry is None or entry[0] is not document:
        return None
    return entry[1].get(id(operation))


def _remember(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    page_fields: list[Any],
    sizes: list[Any],
    cost: int,
) -> None:
    entry = _PRICED.get(id(document))
    if entry is None or entry[0] is not document:
        if len(_PRICED) >= MAX_PRICED_DOCUMENTS:
            _PRICED.clear()
        entry = _PRICED[id(document)] = (document, {})
    _, costs = entry[1].setdefault(id(operation), (page_fields, {}))
    if len(costs) >= MAX_SIZES_PER_OPERATION:
        costs.clear()
    costs[tuple(sizes)] = cost


def _page_size(
    field: GraphQLField, node: FieldNode, path: tuple[str, ...], variables: VariableValues
) -> int | None:
    try:
        value: Any = get_argument_values(field, node, variables)
    except GraphQLError:  # an argument execution will refuse: priced by its default
        return None
    for step in path:
        # Strawberry turns input objects into its classes: read attributes as well as keys.
        value = value.get(step) if isinstance(value, Mapping) else getattr(value, step, None)
    return value if isinstance(value, int) and value >= 0 else None


def _root_type(schema: GraphQLSchema, operation: OperationType) -> GraphQLObjectType | None:
    if operation is OperationType.QUERY:
        return schema.query_type
    if operation is OperationType.MUTATION:
        return schema.mutation_type
    return schema.subscription_type


def _coerced_variables(
    schema: GraphQLSchema, operation: OperationDefinitionNode, given: Mapping[str, Any]
) -> VariableValues:
    # Coerced as execution will coerce them (defaults of the operation and of input fields filled
    # in). Invalid variables are priced as absent: execution then refuses them before any resolver.
    coerced = get_variable_values(schema, operation.variable_definitions or (), dict(given))
    return coerced if isinstance(coerced, VariableValues) else VariableValues(sources={}, coerced={})


class _Pricing:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        # The page fields met, in order, and their sizes (what `operation_cost` remembers).
        self.page_fields: list[tuple[GraphQLField, FieldNode, tuple[str, ...]]] = []
        self.sizes: list[int | None] = []

    def selection_cost(self, parent: Any, selection_set: SelectionSetNode, page_size: int | None) -> int:
        """The most expensive concrete type the parent may be: per object, one of them answers."""
        concrete = self.schema.get_possible_types(parent) if is_abstract_type(parent) else [parent]
        return max((self._cost_as(t, selection_set, page_size, set()) for t in concrete), default=0)

    def _cost_as(
        self,
        concrete: GraphQLObjectType,
        selection_set: SelectionSetNode,
        page_size: int | None,
        seen: set[str],
    ) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field_cost(concrete, selection, page_size)
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(selection.type_condition, concrete):
                    total += self._cost_as(concrete, selection.selection_set, page_size, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                # Validation refuses fragment cycles; `seen` only guards a document that skipped it.
                if (
                    fragment is not None
                    and name not in seen
                    and self._applies(fragment.type_condition, concrete)
                ):
                    total += self._cost_as(concrete, fragment.selection_set, page_size, seen | {name})
        return total

    def _applies(self, condition: Any, concrete: GraphQLObjectType) -> bool:
        if condition is None:
            return True
        condition_type = type_from_ast(self.schema, condition)
        if condition_type is None:
            return False
        if is_abstract_type(condition_type):
            return self.schema.is_sub_type(condition_type, concrete)
        return condition_type is concrete

    def _field_cost(self, parent: GraphQLObjectType, node: FieldNode, page_size: int | None) -> int:
        name = node.name.value
        if name in INTROSPECTION_FIELDS:
            return INTROSPECTION_COST
        field = parent.fields.get(name)
        if field is None or is_leaf_type(get_named_type(field.type)) or node.selection_set is None:
            return 0  # __typename, scalars and enums (an unknown field fails validation first)
        key = f"{parent.name}.{name}"
        own_page = None
        if key in PAGE_ARGUMENTS:
            own_page = _page_size(field, node, PAGE_ARGUMENTS[key], self.variables)
            self.page_fields.append((field, node, PAGE_ARGUMENTS[key]))
            self.sizes.append(own_page)
        each = 1 + self.selection_cost(get_named_type(field.type), node.selection_set, own_page)
        if isinstance(get_nullable_type(field.type), GraphQLList):
            return self._list_size(key, page_size) * each
        return each

    @staticmethod
    def _list_size(key: str, page_size: int | None) -> int:
        if key in LIST_SIZES:
            return LIST_SIZES[key]
        return page_size if page_size is not None else DEFAULT_LIST_SIZE
