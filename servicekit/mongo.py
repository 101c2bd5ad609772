"""The MongoDB connection: PyMongo's native asyncio client, one per process."""

from __future__ import annotations

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase


def connect(uri: str, *, app_name: str) -> AsyncMongoClient:
    # Short selection timeout so readiness and writes fail fast (503) while MongoDB is down,
    # instead of hanging requests for the driver's default 30 s.
    return AsyncMongoClient(
        uri,
        appname=app_name,
        tz_aware=True,
        serverSelectionTimeoutMS=3000,
        connectTimeoutMS=3000,
        # Retryable writes follow the URI (the driver's default: on), so that a deployment's
        # replica set keeps them and the embedded development server can do without.
    )


async def is_reachable(client: AsyncMongoClient) -> bool:
    try:
        await client.admin.command("ping")
    except Exception:
        return False
    return True


def database(client: AsyncMongoClient, name: str) -> AsyncDatabase:
    return client.get_database(name)
