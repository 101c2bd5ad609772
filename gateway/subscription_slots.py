"""How many subscriptions each client holds open on this replica, whatever they watch.

`therapistChanged` (gateway.subscriptions) and `newMatches` (gateway.new_matches) draw on one
`SubscriptionSlots`, so a client's limit counts both kinds together; the limit per WebSocket is
strawberry's own (`max_subscriptions_per_connection`).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator

from prometheus_client import Gauge

from gateway.context import GatewayContext
from gateway.errors import GatewayError

SUBSCRIPTIONS = Gauge("directory_gateway_subscriptions", "Open GraphQL subscriptions on this replica")


class SubscriptionLimitExceeded(GatewayError):
    code = "SUBSCRIPTION_LIMIT_EXCEEDED"


def subscriber_of(context: GatewayContext) -> str:
    """Who a subscription counts against: the client as the rate limit knows it, else its address."""
    return context.client or f"address:{context.client_address}"


class SubscriptionSlots:
    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
        self._open_by_client: Counter[str] = Counter()

    @contextlib.contextmanager
    def held(self, client: str) -> Iterator[None]:
        """One of `client`'s slots for as long as the block runs; SubscriptionLimitExceeded when
        it already holds `per_client`."""
        if self._open_by_client[client] >= self.per_client:
            raise SubscriptionLimitExceeded(
                f"This client already has {self.per_client} subscriptions open here, the most allowed",
                limit=self.per_client,
            )
        self._open_by_client[client] += 1
        SUBSCRIPTIONS.inc()
        try:
            yield
        finally:
            SUBSCRIPTIONS.dec()
            self._open_by_client[client] -= 1
            if not self._open_by_client[client]:
                del self._open_by_client[client]
