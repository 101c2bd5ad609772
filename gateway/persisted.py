"""Persisted operations: Automatic Persisted Queries and an operator's registered set.

APQ convention: a client sends `extensions.persistedQuery = {version: 1, sha256Hash}`
without the query; if the gateway does not know the hash it answers PERSISTED_QUERY_NOT_FOUND
and the client sends query and hash once, after which the hash alone is enough.

Operators can restrict the gateway to a registered set (GATEWAY_PERSISTED_QUERIES_ONLY=true
with GATEWAY_PERSISTED_QUERIES=<manifest.json>). Build a manifest from .graphql files:

    python -m gateway.persisted gateway/operations > persisted-queries.json

An operation file may spread fragments kept once under `fragments/` beside it (`...MyProfileFields`
from `fragments/MyProfileFields.graphql`); `read_operation` appends those it uses, so each
registered document stands alone, as clients send it.
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import orjson

from gateway.cache import BoundedMap


def query_hash(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


class PersistedQueries:
    def __init__(
        self,
        registered: Mapping[str, str] | None = None,
        *,
        only_registered: bool = False,
        max_automatic: int = 5_000,
    ) -> None:
        self.registered = dict(registered or {})
        self.only_registered = only_registered
        self._automatic = BoundedMap(max_automatic)

    @classmethod
    def from_manifest(cls, path: Path | None, *, only_registered: bool) -> PersistedQueries:
        """The operator's manifest, if any, beside the gateway's own operations (`own_operations`)."""
        registered = orjson.loads(path.read_bytes()) if path is not None else {}
        for digest, query in registered.items():
            if query_hash(query) != digest:
                raise ValueError(f"{path}: the hash {digest} does not match its query")
        return cls({**own_operations(), **registered}, only_registered=only_registered)

    def lookup(self, digest: str) -> str | None:
        query = self.registered.get(digest)
        if query is None and not self.only_registered:
            query = self._automatic.get(digest)
        return query

    def remember(self, digest: str, query: str) -> None:
        if not self.only_registered:
            self._automatic.set(digest, query)

    def allows(self, digest: str) -> bool:
        return not self.only_registered or digest in self.registered


def read_operation(path: Path) -> str:
    """The operation in `path` with the shared fragments it spreads appended (see above)."""
    text = path.read_text(encoding="utf-8")
    shared = path.parent / "fragments"
    for fragment in sorted(shared.glob("*.graphql")) if shared.is_dir() else []:
        if re.search(rf"\.\.\.\s*{fragment.stem}\b", text):
            text = text.rstrip("\n") + "\n\n" + fragment.read_text(encoding="utf-8")
    return text


OPERATIONS = Path(__file__).parent / "operations"
WEB_STATIC = Path(__file__).parent / "web" / "static"
# The web client's operations: constants in these modules, in this order (later ones may use
# earlier ones), each a template string or `selectionOf(CONSTANT, "field")`.
WEB_CLIENT_MODULES = ("api.js", "pages/me/operations.js")
_CONSTANT = re.compile(
    r"^(?:export )?const ([A-Z_]+) = (?:([`\"])(.*?)\2|selectionOf\(([A-Z_]+), \"(\w+)\"\));", re.S | re.M
)


def selection_of(query: str, field: str) -> str:
    """The `{...}` selection of `field(` in `query`, as the web client's `selectionOf` takes it."""
    start = query.index("{", query.index(f"{field}("))
    depth = 0
    for i in range(start, len(query)):
        depth += {"{": 1, "}": -1}.get(query[i], 0)
        if depth == 0:
            return query[start : i + 1]
    raise ValueError(f"no selection for {field}")


def web_client_operations(static: Path = WEB_STATIC) -> dict[str, str]:
    """The operations the gateway's own web client sends, by constant name, exactly as sent."""
    constants: dict[str, str] = {}
    for module in WEB_CLIENT_MODULES:
        for name, _, text, source, field in _CONSTANT.findall((static / module).read_text(encoding="utf-8")):
            if source:
                constants[name] = selection_of(constants[source], field)
            else:
                constants[name] = re.sub(r"\$\{([A-Z_]+)\}", lambda ref: constants[ref.group(1)], text)
    return {
        name: query
        for name, query in constants.items()
        if re.match(r"\s*(query|mutation|subscription)\b", query)
    }


@functools.cache
def own_operations() -> Mapping[str, str]:
    """What every gateway registers by itself, {sha256: query}: `gateway/operations/` and its web
    client's (read once per process)."""
    own = {**manifest_of([OPERATIONS]), **{query_hash(q): q for q in web_client_operations().values()}}
    return MappingProxyType(own)


def manifest_of(paths: list[Path]) -> dict[str, str]:
    files = [f for p in paths for f in (sorted(p.glob("*.graphql")) if p.is_dir() else [p])]
    queries = [read_operation(f) for f in files]
    return {query_hash(q): q for q in queries}


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    if not args:
        raise SystemExit("usage: python -m gateway.persisted <dir or .graphql file>... > manifest.json")
    sys.stdout.write(orjson.dumps(manifest_of([Path(a) for a in args]), option=orjson.OPT_INDENT_2).decode())
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
