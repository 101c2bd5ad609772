"""A lease: which one of a service's replicas does a periodic job now.

Every replica runs the job's schedule; before each run it takes the lease, and only the replica
holding it works. A lease is one MongoDB document per job, `{_id: job, holder, expiresAt}`: it is
taken when it has expired or is already the taker's (so the holder renews it), atomically, so of
two replicas asking at once one gets it. A replica that dies loses the lease when it expires.
The lease only spares duplicate work: jobs are written to be safe when run twice anyway (a
clock skew between replicas, or a run outliving its lease, may let two overlap).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError


class Lease(Protocol):
    async def take(self, holder: str, at: datetime, duration: timedelta) -> bool:
        """Whether `holder` holds the lease from `at` for `duration` (taken or renewed)."""
        ...


class MongoLease:
    """The lease of job `name`, kept in `collection` (shared by a service's jobs)."""

    def __init__(self, collection: AsyncCollection, name: str) -> None:
        self.collection = collection
        self.name = name

    async def take(self, holder: str, at: datetime, duration: timedelta) -> bool:
        try:
            await self.collection.find_one_and_update(
                {"_id": self.name, "$or": [{"expiresAt": {"$lte": at}}, {"holder": holder}]},
                {"$set": {"holder": holder, "expiresAt": at + duration, "takenAt": at}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:  # held by another replica: the upsert met its document
            return False
        return True
