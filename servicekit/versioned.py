"""Copies of another service's records, kept order-safe by the owner's version in one write.

Events can arrive twice or out of order; the copy takes an event's fields only if its version is
newer than the one held. A conditional upsert decides that inside MongoDB in one round trip, so
no transaction (find, write, commit) is needed for it.
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError


async def write_if_newer(
    collection: AsyncCollection,
    doc_id: str,
    version: int,
    fields: dict[str, Any],
    *,
    session: AsyncClientSession | None = None,
) -> bool:
    """Upsert `fields` at `version` unless this version or a newer one is held; True if written."""
    try:
        result = await collection.update_one(
            {"_id": doc_id, "version": {"$lt": version}},
            {"$set": {"version": version, **fields}},
            upsert=True,
            session=session,
        )
    except DuplicateKeyError:  # the document exists with this version or a newer one
        return False
    return result.matched_count > 0 or result.upserted_id is not None
