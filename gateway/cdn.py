"""Purging a CDN in front of the gateway by tag, driven by the change events the gateway hears.

Anonymous answers carry their tags (`Surrogate-Key`, `Cache-Tag`, see gateway.view); when an
event invalidates tags in the gateway's own caches, the same tags are sent to an adapter at
`GATEWAY_CDN_PURGE_URL`, which turns them into its CDN's purge call. The interface, so that any
CDN can be served by a small adapter (deploy/README.md):

    POST <GATEWAY_CDN_PURGE_URL>   Content-Type: application/json
    {"tags": ["therapist:t0042", "search"]}      purge what carries any of these tags
    {"everything": true}                          purge all (the gateway missed events)

Any 2xx is success; anything else is retried with back-off for a while, then dropped with a
warning (the CDN's own `max-age` bounds how long it serves the old answer anyway). Tags named
as settling (search has not applied the change yet) are purged again once it has had time to.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable

import aiohttp
import structlog
from prometheus_client import Counter
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

log = structlog.get_logger(__name__)

PURGES = Counter("directory_gateway_cdn_purges_total", "CDN purge requests by outcome", ["outcome"])
BATCH_SECONDS = 0.2  # tags of events arriving together go in one request
GIVE_UP_AFTER = 60.0


class PurgeRefused(Exception):
    pass


class CdnPurger:
    def __init__(self, url: str, *, settle_seconds: float, timeout_seconds: float = 5.0) -> None:
        self.url = url
        self.settle_seconds = settle_seconds
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._tags: set[str] = set()
        self._everything = False
        self._wake = asyncio.Event()
        # Settling tags wait for one timer, re-armed while events keep naming them.
        self._settling: set[str] = set()
        self._settling_due = 0.0
        self._settle_timer: asyncio.TimerHandle | None = None
        self._session: aiohttp.ClientSession | None = None
        self._sender: asyncio.Task | None = None

    def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=self.timeout)
        self._sender = asyncio.create_task(self._send_forever(), name="gateway-cdn-purge")

    async def stop(self) -> None:
        if self._settle_timer is not None:
            self._settle_timer.cancel()
        if self._sender is not None:
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender
        if self._session is not None:
            await self._session.close()

    def purge(self, tags: Iterable[str], *, settling: Iterable[str] = ()) -> None:
        self._tags |= set(tags)
        self._wake.set()
        settling = set(settling)
        if settling:
            loop = asyncio.get_running_loop()
            self._settling |= settling
            self._settling_due = loop.time() + self.settle_seconds
            if self._settle_timer is None:
                self._settle_timer = loop.call_later(self.settle_seconds, self._settled)

    def _settled(self) -> None:
        loop = asyncio.get_running_loop()
        self.purge(self._settling)
        remaining = self._settling_due - loop.time()
        if remaining > 0:  # named again since the timer was set: once more, after that change
            self._settle_timer = loop.call_later(remaining, self._settled)
        else:
            self._settle_timer, self._settling = None, set()

    def purge_everything(self) -> None:
        self._everything = True
        self._wake.set()

    async def _send_forever(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(BATCH_SECONDS)
            self._wake.clear()
            everything, tags = self._everything, sorted(self._tags)
            self._everything, self._tags = False, set()
            body = {"everything": True} if everything else {"tags": tags}
            if everything or tags:
                await self._send(body)

    async def _send(self, body: dict) -> None:
        assert self._session is not None
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception_type((aiohttp.ClientError, TimeoutError, PurgeRefused)),
                wait=wait_exponential(multiplier=0.2, max=10),
                stop=stop_after_delay(GIVE_UP_AFTER),
                reraise=True,
            ):
                with attempt:
                    async with self._session.post(self.url, json=body) as response:
                        if not 200 <= response.status < 300:
                            raise PurgeRefused(f"HTTP {response.status}")
            PURGES.labels("sent").inc()
        except Exception as exc:
            PURGES.labels("dropped").inc()
            log.warning("cdn_purge_dropped", error=type(exc).__name__, tags=len(body.get("tags", ())))
