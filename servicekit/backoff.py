"""Waiting out what is down: one back-off policy (tenacity), shared by everything that retries.

A retry waits `first_delay` (0.2 s), then twice as long each time, never more than 5 s, and logs
one warning per failed attempt with the error and the wait before the next one. Used for the
broker connection, start-up steps, events waiting for MongoDB and redelivered events.
"""

from __future__ import annotations

import structlog
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential

log = structlog.get_logger(__name__)

FIRST_DELAY = 0.2
MAX_DELAY = 5.0
# Driver errors can describe the whole cluster topology; a log line names the error, briefly.
ERROR_CHARS = 200


def exponential(first_delay: float = FIRST_DELAY) -> wait_exponential:
    """Wait `first_delay` before the first retry, doubling each time up to `MAX_DELAY`."""
    return wait_exponential(multiplier=first_delay, max=MAX_DELAY)


def delay_before_retry(retry: int, first_delay: float = FIRST_DELAY) -> float:
    """The wait before the `retry`-th retry (1 = the first), where something other than a loop
    in this process counts the attempts (the broker counts an event's redeliveries)."""
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})
    state.attempt_number = retry
    return exponential(first_delay)(state)


def until_it_succeeds(
    event: str,
    *,
    retry_on: type[BaseException] | tuple[type[BaseException], ...] = Exception,
    first_delay: float = FIRST_DELAY,
    **fields: object,
) -> AsyncRetrying:
    """Call a coroutine function through this (`await until_it_succeeds(...)(fn)`) to retry it, for
    as long as it takes, while it raises `retry_on`; anything else it raises goes to the caller.
    Each failure is logged as `event` with `fields`, the error and the wait (`retry_in`)."""

    def log_failure(state: RetryCallState) -> None:
        assert state.outcome is not None and state.next_action is not None
        log.warning(
            event,
            **fields,
            error=str(state.outcome.exception())[:ERROR_CHARS],
            retry_in=state.next_action.sleep,
        )

    return AsyncRetrying(
        retry=retry_if_exception_type(retry_on),
        wait=exponential(first_delay),
        before_sleep=log_failure,
    )
