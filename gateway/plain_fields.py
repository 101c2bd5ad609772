"""Executing the fields that only read the services' JSON, from a plan prepared once per document.

Most of a page is fields without a resolver of their own (a card's `displayName`, an edge's
`cursor`) or with one that only looks at its parent (a location's `city`): graphql-core resolves
and completes each of them, one call chain per field per item, which is most of the gateway's
work on a long list. `PlainFieldExecutor` completes such a field, and the whole subtree under it
when it holds nothing else, by a completer made once per field node (documents come from
strawberry's parser cache, so the nodes of a registered operation live as long as the process).

A completer does only what graphql-core would do for these fields: read the key with the
schema's default resolver (or call that resolver) and coerce the value by its type. Anything
else (a resolver taking more than its parent, arguments, directives, fragments, deferral, an
abstract type, a source that is not JSON) takes graphql-core's path. So does any value the
completer cannot complete, a null in a non-null field or a value its scalar refuses:
graphql-core then completes that field afresh, and reports its error, path and null propagation
exactly as it always does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
    is_leaf_type,
)
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# What a completer answers when it cannot complete a value: graphql-core's path then does.
UNCOMPLETED: Any = object()
Completer = Callable[[Any], Any]
# A field's completer from its parent's JSON object, or None when it is not a plain field.
FieldCompleter = Completer | None


def _reader(field_def: GraphQLField) -> Callable[[Any], Any] | None:
    """How strawberry reads the field from its parent: the default resolver for a field without
    a resolver; for a synchronous resolver that takes nothing but its parent (no arguments, no
    `info`, no extensions), the resolver itself. None for any other field."""
    definition = field_def.extensions.get("strawberry-definition")
    if definition is None or definition.extensions:
        return None
    resolver = definition.base_resolver
    if resolver is None:
        if not getattr(field_def.resolve, "_is_default", False):
            return None
        read, name = definition.default_resolver, definition.python_name
        return lambda source: read(source, name)
    if (
        definition.arguments
        or resolver.is_async
        or resolver.info_parameter is not None
        or getattr(field_def.resolve, "__name__", None) != "_resolver"  # strawberry's plain wrapper
    ):
        return None
    positional = resolver.self_parameter is not None
    named = [p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p is not None]

    def resolve(source: Any) -> Any:
        try:
            value = resolver(*((source,) if positional else ()), **dict.fromkeys(named, source))
        except Exception:  # noqa: BLE001 - graphql-core's path runs it again and reports it
            return UNCOMPLETED
        if isinstance(value, Exception):
            return UNCOMPLETED
        return None if value is Undefined else value

    return resolve


def _value_completer(return_type: GraphQLOutputType, node: FieldNode) -> Completer | None:
    """Completes a value of `return_type` as graphql-core's complete_value does, for a JSON value."""
    if isinstance(return_type, GraphQLNonNull):
        inner = _value_completer(return_type.of_type, node)
        if inner is None:
            return None

        def non_null(value: Any) -> Any:
            completed = inner(value)
            return UNCOMPLETED if completed is None else completed

        return non_null
    if isinstance(return_type, GraphQLList):
        item = _value_completer(return_type.of_type, node)
        if item is None:
            return None

        def each(value: Any) -> Any:
            if value is None:
                return None
            if type(value) is not list:
                return UNCOMPLETED
            completed = [item(v) for v in value]
            return UNCOMPLETED if UNCOMPLETED in completed else completed

        return each
    if is_leaf_type(return_type):
        coerce = return_type.coerce_output_value  # type: ignore[union-attr]

        def leaf(value: Any) -> Any:
            if value is None:
                return None
            try:
                coerced = coerce(value)
            except Exception:  # noqa: BLE001 - graphql-core's path reports it
                return UNCOMPLETED
            return UNCOMPLETED if coerced is None or coerced is Undefined else coerced

        return leaf
    if isinstance(return_type, GraphQLObjectType) and return_type.is_type_of is None:
        fields = _object_fields(return_type, node)
        if fields is None:
            return None

        def object_value(value: Any) -> Any:
            if value is None:
                return None
            if type(value) is not dict:
                return UNCOMPLETED
            completed = {}
            for key, complete in fields:
                field_value = complete(value)
                if field_value is UNCOMPLETED:
                    return UNCOMPLETED
                completed[key] = field_value
            return completed

        return object_value
    return None


def _object_fields(parent: GraphQLObjectType, node: FieldNode) -> list[tuple[str, Completer]] | None:
    """The completers of a sub-selection of plain fields only (else None)."""
    if node.selection_set is None:
        return None
    fields: list[tuple[str, Completer]] = []
    for selection in node.selection_set.selections:
        if not isinstance(selection, FieldNode):
            return None
        key = selection.alias.value if selection.alias else selection.name.value
        complete = _field_completer(parent, selection)
        if complete is None or any(key == seen for seen, _ in fields):
            return None
        fields.append((key, complete))
    return fields


def _field_completer(parent: GraphQLObjectType, node: FieldNode) -> FieldCompleter:
    if node.directives or node.arguments:
        return None
    name = node.name.value
    if name == "__typename":
        typename = parent.name
        return lambda _: typename
    field_def = parent.fields.get(name)
    if field_def is None:
        return None
    read = _reader(field_def)
    complete = _value_completer(field_def.type, node) if read is not None else None
    if read is None or complete is None:
        return None

    def field_value(source: Any) -> Any:
        value = read(source)
        return UNCOMPLETED if value is UNCOMPLETED else complete(value)

    return field_value


# Per field node (by identity: AST nodes hash their whole subtree), per parent type: its
# completer, None for a field that is not plain. The entry holds the node, so its id is not
# reused while it is kept; all are dropped past a bound, for documents that come and go.
_PLANS: dict[int, tuple[FieldNode, dict[GraphQLObjectType, FieldCompleter]]] = {}
MAX_PLANNED_NODES = 20_000


def field_completer(parent: GraphQLObjectType, node: FieldNode) -> FieldCompleter:
    """The plan of `node` on `parent`, made on first use."""
    entry = _PLANS.get(id(node))
    if entry is None or entry[0] is not node:
        if len(_PLANS) >= MAX_PLANNED_NODES:
            _PLANS.clear()
        entry = _PLANS[id(node)] = (node, {})
    by_parent = entry[1]
    if parent not in by_parent:
        by_parent[parent] = _field_completer(parent, node)
    return by_parent[parent]


class PlainFieldExecutor(StrawberryGraphQLCoreExecutionContext):
    """strawberry's executor, completing plain fields from their plans (see the module)."""

    def execute_fields(  # type: ignore[override]
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: dict[str, Any],
        position_context: Any,
    ) -> Any:
        middleware = self.middleware_manager
        if (
            type(source_value) is not dict
            or position_context is not None
            or (middleware and middleware.middlewares)
        ):
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        general: dict[str, Any] = {}
        for response_name, field_details_list in grouped_field_set.items():
            details = field_details_list[0]
            if (
                len(field_details_list) == 1
                and details.defer_usage is None
                and not details.fragment_variable_values
            ):
                complete = field_completer(parent_type, details.node)
                if complete is not None and (value := complete(source_value)) is not UNCOMPLETED:
                    results[response_name] = value
                    continue
            results[response_name] = None  # keeps the selection's order; filled in below
            general[response_name] = field_details_list
        if not general:
            return results
        rest = super().execute_fields(parent_type, source_value, path, general, position_context)
        if not self.is_awaitable(rest):
            results.update(rest)
            return {key: results[key] for key in results if key in rest or key not in general}

        async def with_rest() -> dict[str, Any]:
            done = await rest
            results.update(done)
            return {key: results[key] for key in results if key in done or key not in general}

        return with_rest()
