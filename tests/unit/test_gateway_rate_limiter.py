"""The rate limiter counts a client's units in its store a batch at a time: exact at small
allowances, within one batch of the allowance at large ones, a refused client refused without
asking the store again, and a pending batch counted once it is a second old."""

from __future__ import annotations

from limits.aio.strategies import SlidingWindowCounterRateLimiter

from gateway import ratelimit
from gateway.ratelimit import ClientRateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingLimiter(ClientRateLimiter):
    """Counts how often the store is asked to take units."""

    def __init__(self, per_minute: int, clock: Clock) -> None:
        super().__init__(per_minute, clock=clock)
        self.store_hits = 0
        original = self.storage.acquire_sliding_window_entry

        async def counted(*args, **kwargs):
            self.store_hits += 1
            return await original(*args, **kwargs)

        self.storage.acquire_sliding_window_entry = counted  # type: ignore[method-assign]


async def remaining(limiter: ClientRateLimiter, client: str) -> int:
    stats = await SlidingWindowCounterRateLimiter(limiter.storage).get_window_stats(limiter.item, client)
    return stats.remaining


async def test_a_small_allowance_is_counted_exactly():
    limiter = ClientRateLimiter(5, clock=Clock())
    assert limiter.batch == 1
    assert [await limiter.charge("address:a", 1) for _ in range(5)] == [None] * 5
    wait = await limiter.charge("address:a", 1)
    assert wait is not None and 1 <= wait <= 60
    assert await limiter.charge("address:b", 1) is None  # another client has its own allowance


async def test_a_large_allowance_is_kept_to_within_one_batch():
    limiter = ClientRateLimiter(1000, clock=Clock())
    assert limiter.batch == 10
    served = 0
    while await limiter.charge("address:scraper", 3) is None:
        served += 3
        assert served <= 2000, "never refused"
    assert 1000 - limiter.batch <= served <= 1000 + limiter.batch


async def test_a_refused_client_is_refused_here_until_its_wait_is_over():
    clock = Clock()
    limiter = CountingLimiter(2, clock)
    assert await limiter.charge("address:a", 1) is None
    assert await limiter.charge("address:a", 1) is None
    wait = await limiter.charge("address:a", 1)
    assert wait is not None
    asked = limiter.store_hits
    clock.now += wait - 0.5
    assert await limiter.charge("address:a", 1) is not None
    assert limiter.store_hits == asked  # refused without asking the store
    clock.now += 1
    await limiter.charge("address:a", 1)
    assert limiter.store_hits == asked + 1  # the wait is over: the store decides again


async def test_units_pending_for_a_second_are_counted_in_the_store():
    clock = Clock()
    limiter = CountingLimiter(1000, clock)
    assert await limiter.charge("address:a", 2) is None
    assert limiter.store_hits == 0 and await remaining(limiter, "address:a") == 1000
    clock.now += ratelimit.FLUSH_SECONDS + 0.1
    assert await limiter.charge("address:a", 3) is None
    assert limiter.store_hits == 1 and await remaining(limiter, "address:a") == 995


async def test_idle_clients_are_forgotten_when_the_table_is_full(monkeypatch):
    monkeypatch.setattr(ratelimit, "MAX_TABS", 3)
    clock = Clock()
    limiter = ClientRateLimiter(1000, clock=clock)
    for client in ("address:a", "address:b", "address:c"):
        await limiter.charge(client, 1)
    clock.now += ratelimit.IDLE_SECONDS + 1
    await limiter.charge("address:b", 1)
    await limiter.charge("address:d", 1)
    assert set(limiter._tabs) == {"address:b", "address:d"}
