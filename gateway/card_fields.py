"""Which fields of a search card a query reads, so that the gateway asks search for those alone.

An approach page keeps a fraction of each full card search would send; asking for the fields
the document selects under the cards (fragments followed, directives ignored, so never fewer
than it may read) spares both sides encoding, sending and parsing the rest. Worked out once per
document (the nodes of strawberry's parser cache are reused) and kept beside the field node.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode
from strawberry.types.base import get_object_definition

from gateway.types.therapists import CARD_RESOLVER_READS, TherapistCard

_KEYS: dict[int, tuple[FieldNode, tuple[str, ...] | None]] = {}
MAX_REMEMBERED = 10_000


def _card_key(name: str) -> str | None:
    """The card key a `TherapistCard` field reads (None: unknown, ask for the whole card)."""
    definition = get_object_definition(TherapistCard, strict=True)
    field = next((f for f in definition.fields if f.name == name), None)
    if field is None:
        return None
    if field.base_resolver is None:
        return field.python_name
    return CARD_RESOLVER_READS.get(name)


def _fields(selection_set: SelectionSetNode | None, fragments: dict[str, Any]) -> Iterator[FieldNode]:
    for selection in selection_set.selections if selection_set is not None else ():
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            yield from _fields(fragments[selection.name.value].selection_set, fragments)


def _keys(
    nodes: Sequence[FieldNode], path: Sequence[str], fragments: dict[str, Any]
) -> tuple[str, ...] | None:
    level = list(nodes)
    for step in path:
        level = [f for node in level for f in _fields(node.selection_set, fragments) if f.name.value == step]
    keys = {"id"}  # a card without its id is never asked for
    for node in level:
        for field in _fields(node.selection_set, fragments):
            if field.name.value == "__typename":
                continue
            key = _card_key(field.name.value)
            if key is None:
                return None
            keys.add(key)
    return tuple(sorted(keys))


def card_keys(info: Any, path: Sequence[str]) -> tuple[str, ...] | None:
    """The card keys the selection of the resolving field reads under `path` (`edges`, `node`),
    or None when it reads something this cannot tell: then ask for the whole card."""
    raw = info._raw_info
    first = raw.field_nodes[0]
    known = _KEYS.get(id(first))
    if known is not None and known[0] is first:
        return known[1]
    keys = _keys(raw.field_nodes, path, raw.fragments)
    if len(_KEYS) >= MAX_REMEMBERED:
        _KEYS.clear()
    _KEYS[id(first)] = (first, keys)
    return keys


def selects(info: Any, path: Sequence[str], name: str) -> bool:
    """Whether the resolving field's selection reads the field `name` under `path` (fragments
    followed, directives ignored): e.g. whether a search asks for `explanation` under edges.node."""
    raw = info._raw_info
    level: list[FieldNode] = list(raw.field_nodes)
    for step in (*path, name):
        level = [
            f for node in level for f in _fields(node.selection_set, raw.fragments) if f.name.value == step
        ]
    return bool(level)
