"""What every resolver of one GraphQL request can reach (`info.context`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.types.graphql import OperationType

from gateway.cache import TaggedCache
from gateway.clients import ReadTrace, ServiceClients
from gateway.errors import Unauthenticated
from gateway.loaders import Loaders
from gateway.ratelimit import ClientRateLimiter

if TYPE_CHECKING:
    from gateway.new_matches import NewMatchesHub
    from gateway.subscriptions import ChangeHub


@dataclass
class GatewayContext:
    clients: ServiceClients
    caches: tuple[TaggedCache, ...]
    request_id: str
    authorization: str | None = None
    visitor_session: str | None = None
    # The visitor's network address (read through the trusted proxies), for the inquiries
    # service's rate limit.
    client_address: str | None = None
    # Who the operation counts against (gateway.ratelimit) and the limiter, when limits are on;
    # `retry_after` is set when the operation was refused for it.
    client: str | None = None
    rate_limiter: ClientRateLimiter | None = None
    retry_after: int | None = None
    operation_cost: int | None = None  # set once the operation is priced
    # This replica's subscribers (gateway.subscriptions), for subscription operations.
    hub: ChangeHub | None = None
    new_matches: NewMatchesHub | None = None
    # Whether execution started (resolvers may have run): false for a document that did not
    # parse or validate and for one refused by its cost or the client's rate limit.
    executed: bool = False
    trace: ReadTrace = field(default_factory=ReadTrace)
    operation_type: OperationType | None = None
    # The one execution identical subscriptions share (gateway.fanout): its subscribers were
    # each subscribed, priced and charged, and hold their slots.
    shared: bool = False
    _loaders: Loaders | None = None

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = Loaders(self.clients, self.trace)
        return self._loaders

    def for_shared_execution(self) -> GatewayContext:
        """A context of its own for the execution the subscriptions identical to this one's share:
        the same view of the data (token, visitor), counted against no client."""
        return dataclasses.replace(
            self,
            client=None,
            rate_limiter=None,
            retry_after=None,
            operation_cost=None,
            executed=False,
            trace=ReadTrace(),
            operation_type=None,
            shared=True,
            _loaders=None,
        )

    def fresh_reads(self) -> None:
        """Forget what this context has read (its loaders' memos), as a new request would."""
        self._loaders = None
        self.trace = ReadTrace()

    def require_authorization(self) -> str:
        if not self.authorization:
            raise Unauthenticated("This operation needs a bearer token (Authorization header)")
        return self.authorization

    def forget(self, tags: Iterable[str]) -> None:
        """Drop cached data this process just changed (its event will follow, too)."""
        tags = frozenset(tags)
        for cache in self.caches:
            cache.invalidate(tags)


def context_of(info: strawberry.Info[Any, Any]) -> GatewayContext:
    return info.context
