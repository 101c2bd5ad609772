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

import hashlib
import re
import sys
from collections.abc import Mapping
from pathlib import Path

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
        registered = orjson.loads(path.read_bytes()) if path is not None else {}
        for digest, query in registered.items():
            if query_hash(query) != digest:
                raise ValueError(f"{path}: the hash {digest} does not match its query")
        return cls(registered, only_registered=only_registered)

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
