"""A real SMTP server for tests: aiosmtpd in the test's event loop, on a free port (or a given
one), keeping every message it receives so that a test reads what a service sent over SMTP.

    async with smtp_server() as smtp:
        app = build_app(settings, mailer=SmtpMailer(MailSettings(url=smtp.url, sender=...)))
        ...
        [mail] = await smtp.wait_for(1, to="jo@example.org")
        assert mail.subject == "A new inquiry is waiting"

`stop()` and `start()` again on the same port stand for an SMTP outage and its end.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.smtp import SMTP, Envelope, Session

from devstack.embedded_mongo import free_port
from devstack.mail import ACCEPTED, message_bytes, serve_smtp
from tests.support import eventually


@dataclasses.dataclass(frozen=True)
class ReceivedMail:
    """One message as the server received it: the envelope and the parsed message."""

    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def text(self) -> str:
        """The plain-text body, its lines ending in LF (SMTP carries them as CRLF)."""
        body = self.message.get_body(preferencelist=("plain",))
        assert body is not None, "the message has no text/plain part"
        return body.get_content().replace("\r\n", "\n")

    @property
    def raw(self) -> str:
        """The whole message, headers included, as text: for asserting what it must not hold."""
        return self.message.as_string()


class SmtpServer:
    """The server and what it has received, oldest first."""

    def __init__(self, port: int | None = None, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port or free_port()
        self.received: list[ReceivedMail] = []
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        """What a service's `SMTP_URL` is to reach this server."""
        return f"smtp://{self.host}:{self.port}"

    async def start(self) -> None:
        self._server = await serve_smtp(self, self.host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = BytesParser(policy=policy.default).parsebytes(message_bytes(envelope))
        assert isinstance(message, EmailMessage)
        self.received.append(ReceivedMail(envelope.mail_from or "", tuple(envelope.rcpt_tos), message))
        return ACCEPTED

    def to(self, address: str) -> list[ReceivedMail]:
        """The messages received for `address`, oldest first."""
        return [mail for mail in self.received if address in mail.recipients]

    async def wait_for(
        self, count: int = 1, *, to: str | None = None, timeout: float = 10.0
    ) -> list[ReceivedMail]:
        """The first `count` messages (for `to`, if given), once that many have arrived."""

        def arrived() -> list[ReceivedMail]:
            mails = self.received if to is None else self.to(to)
            return mails[:count] if len(mails) >= count else []

        return await eventually(arrived, timeout=timeout, what=f"{count} mail(s) for {to or 'anyone'}")


@asynccontextmanager
async def smtp_server(port: int | None = None) -> AsyncIterator[SmtpServer]:
    """A running `SmtpServer` for the duration of the block."""
    server = SmtpServer(port)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
