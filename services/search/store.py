"""The search read model in MongoDB: therapist cards and approaches, built only from events.

`therapists`: one document per therapist, `{_id, version, deleted, listing}` where `listing` is
one JSON text holding the public profile as the last applied event gave it and its practice
locations' coordinates (`{"profile": ..., "points": [[lat, lon], ...]}`). Nothing queries inside
a listing here (the index does), and a replica builds its index from a scan of every document:
as one string a listing costs MongoDB and the driver one value to decode and encode, where a
profile as a document is a few hundred and coordinates as arrays a few more objects each.
A delete leaves a tombstone (`deleted: true` with its version), so a late update never brings a
deleted therapist back.
`approaches`: `{_id (approach id), version, deleted, slug, name, aliases, previousSlugs}`.

Every write is conditional on the stored version being older, so duplicates and late, older
events change nothing, whichever replica applies them and in whatever order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

THERAPISTS = "therapists"
APPROACHES = "approaches"
META = "meta"
REBUILD_MARKER = "rebuild"


def listing_text(profile: dict[str, Any], points: list[list[float]]) -> str:
    """A listed therapist's public profile and practice points as the read model stores them."""
    return orjson.dumps({"profile": profile, "points": points}).decode()


def therapist_fields(profile: dict[str, Any], points: list[list[float]]) -> dict[str, Any]:
    """The fields of a listed therapist's read-model document (beside `_id` and `version`)."""
    return {"deleted": False, "listing": listing_text(profile, points)}


def stored_listing(doc: dict[str, Any]) -> tuple[dict[str, Any], list[list[float]]] | None:
    """The public profile and practice points of a read-model document (None for a tombstone)."""
    listing = doc.get("listing")
    if listing is None:
        return None
    parsed = orjson.loads(listing)
    return parsed["profile"], parsed["points"]


class ReadModel:
    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db

    @property
    def therapists(self):
        return self.db[THERAPISTS]

    @property
    def approaches(self):
        return self.db[APPROACHES]

    async def create_indexes(self) -> None:
        await self.approaches.create_index([("slug", ASCENDING)])
        await self.approaches.create_index([("previousSlugs", ASCENDING)])

    async def write_if_newer(
        self, collection: str, doc_id: str, version: int, fields: dict[str, Any]
    ) -> bool:
        """Upsert `fields` unless a document of this version or newer exists; True if applied."""
        update = {"$set": {"version": version, **fields, "appliedAt": datetime.now(UTC)}}
        try:
            result = await self.db[collection].update_one(
                {"_id": doc_id, "version": {"$lt": version}}, update, upsert=True
            )
        except DuplicateKeyError:  # the stored version is the same or newer
            return False
        return result.modified_count > 0 or result.upserted_id is not None

    async def begin_rebuild(self, collection: str) -> None:
        await self.db[META].replace_one({"_id": REBUILD_MARKER}, {"collection": collection}, upsert=True)

    async def finish_rebuild(self, collection: str) -> None:
        """Swap the rebuilt collection in (readers keep the old one until the rename)."""
        await self.db.client.admin.command(
            {
                "renameCollection": f"{self.db.name}.{collection}",
                "to": f"{self.db.name}.{THERAPISTS}",
                "dropTarget": True,
            }
        )
        await self.db[META].delete_one({"_id": REBUILD_MARKER})
        await self.db.drop_collection(collection)  # a consumer that wrote during the rename

    async def rebuild_targets(self) -> list[str]:
        """Collections being rebuilt right now; events go there too, so the rebuild misses none."""
        marker = await self.db[META].find_one({"_id": REBUILD_MARKER})
        return [marker["collection"]] if marker else []

    async def _write_everywhere(self, base: str, doc_id: str, version: int, fields: dict[str, Any]) -> bool:
        applied = await self.write_if_newer(base, doc_id, version, fields)
        for target in await self.rebuild_targets():
            if target.startswith(base + "_"):
                await self.write_if_newer(target, doc_id, version, fields)
        return applied

    async def put_therapist(
        self, therapist_id: str, version: int, profile: dict[str, Any], points: list[list[float]]
    ) -> bool:
        return await self._write_everywhere(
            THERAPISTS, therapist_id, version, therapist_fields(profile, points)
        )

    async def delete_therapist(self, therapist_id: str, version: int) -> bool:
        return await self._write_everywhere(
            THERAPISTS, therapist_id, version, {"deleted": True, "listing": None}
        )

    async def put_approach(self, approach_id: str, version: int, fields: dict[str, Any]) -> bool:
        return await self._write_everywhere(APPROACHES, approach_id, version, {"deleted": False, **fields})

    async def delete_approach(self, approach_id: str, version: int, slug: str) -> bool:
        return await self._write_everywhere(
            APPROACHES,
            approach_id,
            version,
            {"deleted": True, "slug": slug, "name": "", "aliases": [], "previousSlugs": []},
        )

    async def therapists_by_id(self, ids: list[str]) -> list[dict[str, Any]]:
        return await self.therapists.find({"_id": {"$in": ids}}).to_list()

    async def live_approaches(self) -> list[dict[str, Any]]:
        return await self.approaches.find({"deleted": False}).to_list()
