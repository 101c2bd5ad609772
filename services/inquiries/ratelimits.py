"""How often inquiries may be sent, with the `limits` library: a moving window per client (the
visitor's address) and one per therapist written to, kept in this replica's memory.

An inquiry is counted against both limits only when both admit it, so a sender refused by the
therapist's limit does not spend their own allowance.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter


class MovingWindowLimits:
    def __init__(self, per_client: str, per_therapist: str) -> None:
        self._per_client = parse(per_client)
        self._per_therapist = parse(per_therapist)
        self._moving_window: MovingWindowRateLimiter | None = None

    @property
    def _limiter(self) -> MovingWindowRateLimiter:
        # Made on first use: the in-memory storage schedules its expiry on the running event loop.
        if self._moving_window is None:
            self._moving_window = MovingWindowRateLimiter(MemoryStorage())
        return self._moving_window

    async def wait_before_sending(self, client: str, therapist_id: str) -> int | None:
        checks = ((self._per_client, "client", client), (self._per_therapist, "therapist", therapist_id))
        for item, *key in checks:
            if not await self._limiter.test(item, *key):
                return await self._wait(item, *key)
        for item, *key in checks:
            # Another request may have taken the last place since the test.
            if not await self._limiter.hit(item, *key):
                return await self._wait(item, *key)
        return None

    async def _wait(self, item: RateLimitItem, *key: str) -> int:
        stats = await self._limiter.get_window_stats(item, *key)
        return max(1, math.ceil(stats.reset_time - time.time()))
