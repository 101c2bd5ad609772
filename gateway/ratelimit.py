"""Rate limiting per client, counted in the cost units of `gateway.cost`.

A client is the subject of a valid bearer token when there is one, else the network address the
request came from, read through the operator's trusted proxies (`X-Forwarded-For`, right to
left: the first address that is not one of theirs). An invalid token counts as no token, so
forging subjects does not buy a fresh allowance.

The allowance is `GATEWAY_RATE_LIMIT` units per minute, refilled continuously (the `limits`
library's sliding-window counter), kept in this replica's memory or, with `REDIS_URL`, in Redis
so that every replica counts against the same allowance. If Redis does not answer, operations
are let through (and counted in a metric): a directory that stops serving because its limiter's
store is away would be worse than one briefly unlimited.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

import structlog
from aiohttp import web
from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from prometheus_client import Counter

from servicekit.auth import TokenVerifier
from servicekit.errors import ApiError

log = structlog.get_logger(__name__)

RATE_LIMITED = Counter(
    "directory_gateway_rate_limited_total", "Operations refused by the per-client rate limit"
)
LIMITER_UNAVAILABLE = Counter(
    "directory_gateway_rate_limiter_unavailable_total",
    "Operations let through because the rate limiter's store did not answer",
)

Network = IPv4Network | IPv6Network

FLUSH_SECONDS = 1.0
IDLE_SECONDS = 60.0
MAX_TABS = 100_000


def trusted_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """`10.0.0.0/8`, `192.0.2.7` or `::1` -> networks; a ValueError names a bad entry."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"GATEWAY_TRUSTED_PROXIES: {entry!r} is not an address or network") from exc
    return tuple(networks)


def _address(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(peer: str | None, forwarded_for: Iterable[str], trusted: tuple[Network, ...]) -> str:
    """The client's address: the peer, unless it is a trusted proxy, in which case the nearest
    address in `X-Forwarded-For` (its values in order) that is not one, walking from the right.
    Anything a client could have written itself (left of the first untrusted hop) is ignored."""

    def is_trusted(address: IPv4Address | IPv6Address) -> bool:
        return any(address in network for network in trusted)

    current = _address(peer) if peer else None
    if current is None:
        return peer or "unknown"
    hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
    while is_trusted(current) and hops:
        earlier = _address(hops.pop())
        if earlier is None:  # malformed: stop at the last address a trusted proxy vouched for
            break
        current = earlier
    return str(current)


@dataclass(slots=True)
class _Tab:
    """What one client has spent here and not yet counted in the store."""

    pending: int = 0
    opened: float = 0.0  # when the first pending unit was spent
    seen: float = 0.0
    blocked_until: float = 0.0


class ClientRateLimiter:
    """Counts in the store a batch at a time: a client's units are added up here and counted in
    the store once they reach `batch` (1 % of the allowance) or are a second old, and a client
    the store refused is refused here until its wait is over. Asking the store on every request
    costs a sizeable share of a cached answer's time; this way a client may overshoot by at most
    one batch per replica."""

    def __init__(
        self,
        per_minute: int,
        *,
        redis_url: str | None = None,
        key_prefix: str = "gateway",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.item = RateLimitItemPerMinute(per_minute, namespace=key_prefix)
        storage: Storage = (
            RedisStorage(redis_url, implementation="redispy", key_prefix=key_prefix)
            if redis_url
            else MemoryStorage()
        )
        self.storage = storage
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        self.batch = max(1, per_minute // 100)
        self._clock = clock
        self._tabs: dict[str, _Tab] = {}

    async def charge(self, client: str, cost: int) -> int | None:
        """Take `cost` units from the client's allowance; None if there were enough, else the
        seconds to wait before an operation of this cost can pass."""
        cost = max(cost, 1)  # even a free operation is a request
        now = self._clock()
        tab = self._tabs.get(client)
        if tab is None:
            if len(self._tabs) >= MAX_TABS:
                self._forget_idle(now)
            tab = self._tabs[client] = _Tab()
        tab.seen = now
        if now < tab.blocked_until:
            RATE_LIMITED.inc()
            return max(1, math.ceil(tab.blocked_until - now))
        if not tab.pending:
            tab.opened = now
        tab.pending += cost
        if tab.pending < self.batch and now - tab.opened < FLUSH_SECONDS:
            return None
        units, tab.pending = tab.pending, 0
        try:
            if await self._limiter.hit(self.item, client, cost=units):
                return None
            stats = await self._limiter.get_window_stats(self.item, client)
        except Exception as exc:  # the store (Redis) away: serve rather than refuse everyone
            LIMITER_UNAVAILABLE.inc()
            log.warning("rate_limiter_unavailable", error=type(exc).__name__)
            return None
        RATE_LIMITED.inc()
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        tab.blocked_until = now + wait
        return wait

    def _forget_idle(self, now: float) -> None:
        """Drop the tabs of clients idle for a minute (what they had pending is forgiven), so that
        many passing addresses cannot grow the table without bound."""
        idle = [client for client, tab in self._tabs.items() if now - tab.seen > IDLE_SECONDS]
        for client in idle:
            del self._tabs[client]
        if len(self._tabs) >= MAX_TABS:  # all active: keep only those being refused
            self._tabs = {c: t for c, t in self._tabs.items() if t.blocked_until > now}


class ClientIdentity:
    """Who a request counts against: `sub:<subject>` or `address:<ip>`."""

    def __init__(self, verifier: TokenVerifier, trusted: tuple[Network, ...]) -> None:
        self.verifier = verifier
        self.trusted = trusted

    def address(self, request: web.Request) -> str:
        if not self.trusted:  # no proxy of ours in front: the peer is the client, whatever it says
            return request.remote or "unknown"
        return client_address(request.remote, request.headers.getall("X-Forwarded-For", []), self.trusted)

    async def of(self, request: web.Request) -> str:
        authorization = request.headers.get("Authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token:
            try:
                return f"sub:{(await self.verifier.verify(token.strip())).sub}"
            except ApiError:
                pass  # counted by address, like a request without a token
        return f"address:{self.address(request)}"
