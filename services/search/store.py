"""The search read model in MongoDB: therapist cards and approaches, built only from events.

`therapists`: one document per therapist, `{_id, version, deleted, profile, points}` where
`profile` is the public profile as the last applied event gave it, kept as JSON text, and `points`
its practice locations' coordinates. Nothing queries inside a profile here (the index does), and
as one string a profile costs MongoDB and the driver one value to encode and decode instead of a
few hundred: a replica builds its index from a scan of every profile. Read models written before
hold `profile` as an embedded document; `stored_profile` reads both. A delete leaves a tombstone
(`deleted: true` with its version), so a late update never brings a deleted therapist back.
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


def profile_text(profile: dict[str, Any]) -> str:
    """A public profile as the read model stores it."""
    return orjson.dumps(profile).decode()


def therapist_fields(profile: dict[str, Any], points: list[list[float]]) -> dict[str, Any]:
    """The fields of a listed therapist's read-model document (beside `_id` and `version`)."""
    return {"deleted": False, "profile": profile_text(profile), "points": points}


def stored_profile(doc: dict[str, Any]) -> dict[str, Any] | None:
    """The public profile of a read-model document (None for a tombstone)."""
    profile = doc.get("profile")
    return orjson.loads(profile) if isinstance(profile, str) else profile


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
        try:
            result = await self.db[collection].update_one(
                {"_id": doc_id, "version": {"$lt": version}},
                {"$set": {"version": version, **fields, "appliedAt": datetime.now(UTC)}},
                upsert=True,
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
        fields = therapist_fields(profile, points)
        return await self._write_everywhere(THERAPISTS, therapist_id, version, fields)

    async def delete_therapist(self, therapist_id: str, version: int) -> bool:
        return await self._write_everywhere(
            THERAPISTS, therapist_id, version, {"deleted": True, "profile": None, "points": []}
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
