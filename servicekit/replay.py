"""Replay dead-lettered events: `python -m servicekit.replay <queue> [--dry-run] [--limit N]`.

Moves messages from `<queue>.dead` back to `<queue>` (through the default exchange, so only
that queue receives them, not every subscriber of the event type), oldest first. Each message
is republished with publisher confirms before it is acknowledged on the dead-letter queue, so
a crash in between can duplicate a message (consumers are idempotent) but never lose one. A run
moves at most the messages the dead-letter queue held when it started.
The broker's dead-lettering headers (`x-death`, `x-delivery-count`, ...) are dropped, so the
consumer's retry budget starts afresh. `--dry-run` lists what would move and moves nothing.

Only ids, types and reasons are printed: payloads stay out of terminals and logs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage

from servicekit.settings import Environment

REPLAY_COUNT_HEADER = "directory-replay-count"


@dataclass(frozen=True)
class ReplayReport:
    queue: str
    dead_letter_queue: str
    moved: int
    listed: list[dict[str, Any]]
    dry_run: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "queue": self.queue,
            "deadLetterQueue": self.dead_letter_queue,
            "moved": self.moved,
            "dryRun": self.dry_run,
            "messages": self.listed,
        }


def _death_reason(message: AbstractIncomingMessage) -> str | None:
    headers = message.headers or {}
    reason = headers.get("x-first-death-reason")
    if reason is None:
        deaths = headers.get("x-death")
        if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
            reason = deaths[0].get("reason")
    return reason.decode() if isinstance(reason, bytes) else reason


def _summary(message: AbstractIncomingMessage) -> dict[str, Any]:
    return {"messageId": message.message_id, "type": message.type, "reason": _death_reason(message)}


def _republished(message: AbstractIncomingMessage) -> aio_pika.Message:
    headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-")}
    headers[REPLAY_COUNT_HEADER] = int(headers.get(REPLAY_COUNT_HEADER, 0) or 0) + 1
    return aio_pika.Message(
        message.body,
        headers=headers,
        content_type=message.content_type,
        content_encoding=message.content_encoding,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=message.message_id,
        type=message.type,
        timestamp=message.timestamp,
        correlation_id=message.correlation_id,
    )


async def replay_dead_letters(
    channel: AbstractChannel, queue: str, *, limit: int | None = None, dry_run: bool = False
) -> ReplayReport:
    """Move up to `limit` messages (all there now if None) from `<queue>.dead` to `<queue>`."""
    dead_name = f"{queue}.dead"
    # Passive look-ups: replaying must never create queues (a typo would otherwise "succeed").
    dead = await channel.declare_queue(dead_name, passive=True)
    await channel.declare_queue(queue, passive=True)
    # One run takes at most what was there when it started: an event that fails again while the
    # run goes on is dead-lettered behind them and waits for the next run, not replayed in a loop.
    depth = dead.declaration_result.message_count
    budget = depth if limit is None else min(limit, depth)
    listed: list[dict[str, Any]] = []
    held: list[AbstractIncomingMessage] = []
    moved = 0
    try:
        while len(listed) < budget:
            message = await dead.get(no_ack=False, fail=False)
            if message is None:
                break
            listed.append(_summary(message))
            if dry_run:
                # Held unacknowledged, so the loop cannot fetch it twice; returned below.
                held.append(message)
                continue
            await channel.default_exchange.publish(_republished(message), routing_key=queue)
            await message.ack()
            moved += 1
    finally:
        for message in held:
            await message.nack(requeue=True)
    return ReplayReport(queue, dead_name, moved, listed, dry_run)


async def _main(args: argparse.Namespace) -> int:
    connection = await aio_pika.connect(args.amqp_url, client_properties={"connection_name": "replay"})
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        try:
            report = await replay_dead_letters(channel, args.queue, limit=args.limit, dry_run=args.dry_run)
        except aio_pika.exceptions.ChannelNotFoundEntity as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    print(json.dumps(report.as_dict(), indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m servicekit.replay",
        description="Move dead-lettered events from <queue>.dead back to <queue>.",
    )
    parser.add_argument("queue", help="the consuming queue, e.g. search.events")
    parser.add_argument("--dry-run", action="store_true", help="list what would move; move nothing")
    parser.add_argument("--limit", type=int, default=None, help="move at most this many messages")
    parser.add_argument("--amqp-url", default=Environment().amqp_url, help="broker URL (default: $AMQP_URL)")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    return asyncio.run(_main(args))


if __name__ == "__main__":
    sys.exit(main())
