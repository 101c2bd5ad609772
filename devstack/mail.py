"""The local mail server of `./dev up`: a real SMTP server (aiosmtpd) that delivers nowhere but
keeps each message it receives as one file under `var/mail/`, for a developer to read.

`serve_smtp` runs an aiosmtpd server in the caller's event loop; the tests' SMTP server
(`tests/smtp.py`) is the same server with a handler that keeps messages in memory.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

DEFAULT_SMTP_PORT = 1025
# The name the server greets with: set, because aiosmtpd would otherwise look up the machine's
# fully qualified name, which can take seconds where DNS is slow.
SERVER_NAME = "localhost"
ACCEPTED = "250 Message accepted for delivery"


async def serve_smtp(handler: Any, host: str = "127.0.0.1", port: int = 0) -> asyncio.Server:
    """An SMTP server on `host`:`port` in the running event loop, handing each message to
    `handler` (an aiosmtpd handler: `async def handle_DATA(server, session, envelope)`)."""
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: SMTP(handler, hostname=SERVER_NAME), host, port)


def message_bytes(envelope: Envelope) -> bytes:
    """The message as the client sent it."""
    content = envelope.original_content or envelope.content or b""
    return content if isinstance(content, bytes) else content.encode()


class MailFolder:
    """An aiosmtpd handler that stores each message as `<received at>-<random>.eml` in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S.%fZ}-{uuid.uuid4().hex[:8]}.eml"
        await asyncio.to_thread(self._store, name, message_bytes(envelope))
        return ACCEPTED

    def _store(self, name: str, content: bytes) -> None:
        # Written aside and renamed, so that a reader of the folder never sees half a message.
        partial = self.folder / f".{name}.partial"
        partial.write_bytes(content)
        partial.replace(self.folder / name)
