"""Per-request DataLoaders: one backend call per batch, however many items a query lists."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from gateway.clients import ReadTrace, ServiceClients


class Loaders:
    def __init__(self, clients: ServiceClients, trace: ReadTrace) -> None:
        self.clients = clients
        self.trace = trace
        # Approaches by slug (old slugs too): every slug a query touches, in one call.
        self.approach: DataLoader[str, dict[str, Any] | None] = DataLoader(load_fn=self._approaches)
        # Profiles has no batch read; the loader still asks once per distinct id per request.
        self.therapist: DataLoader[str, dict[str, Any] | None] = DataLoader(load_fn=self._therapists)
        # Search cards by therapist id (what search derived: responsiveness).
        self.card: DataLoader[str, dict[str, Any] | None] = DataLoader(load_fn=self._cards)

    async def _approaches(self, slugs: Sequence[str]) -> list[dict[str, Any] | None]:
        found = await self.clients.approaches_by_slugs(slugs, self.trace)
        return [found.get(slug) for slug in slugs]

    async def _therapists(self, ids: Sequence[str]) -> list[dict[str, Any] | None]:
        return list(await asyncio.gather(*(self.clients.therapist(i, self.trace) for i in ids)))

    async def _cards(self, ids: Sequence[str]) -> list[dict[str, Any] | None]:
        return list(await asyncio.gather(*(self.clients.card(i, self.trace) for i in ids)))
