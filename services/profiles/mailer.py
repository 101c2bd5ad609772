"""The profiles service's outgoing mail: the SMTP adapter of the `Mailer` port (aiosmtplib).

`SMTP_URL` names the server: `smtp://host:port` (upgraded with STARTTLS when the server offers
it) or `smtps://host:port` (TLS from the start), with `user:password@` before the host when the
server wants a login. `SMTP_FROM` is the sender. A message the server did not take for now
raises `MailerUnavailable`, one it refuses for good `MailRefused`; neither names an address,
because the consumer logs what went wrong.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

import aiosmtplib
from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings

from servicekit.settings import READ_ENVIRONMENT
from services.profiles.application import MailerUnavailable
from services.profiles.domain import InquiryNotice

DEFAULT_SMTP_URL = "smtp://127.0.0.1:1025"
DEFAULT_SMTP_FROM = "directory@localhost"
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
SEND_TIMEOUT = 10.0
# The name the service greets the server with: given, because aiosmtplib would otherwise look up
# the machine's fully qualified name, which can take seconds where DNS is slow.
CLIENT_NAME = "therapist-directory"
# SMTP replies from 500 up are permanent: sending the same message again would fail the same way.
PERMANENT = 500


class MailEnvironment(BaseSettings):
    """The variables of outgoing mail: `SMTP_URL` and `SMTP_FROM`."""

    model_config = READ_ENVIRONMENT

    smtp_url: str = Field(DEFAULT_SMTP_URL, repr=False)  # may hold a password
    smtp_from: str = DEFAULT_SMTP_FROM


class MailSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    url: str = Field(repr=False)
    sender: str

    @classmethod
    def from_env(cls, environment: MailEnvironment | None = None) -> MailSettings:
        env = environment or MailEnvironment()
        return cls(url=env.smtp_url, sender=env.smtp_from)


class MailRefused(Exception):
    """The mail server refused the message for good (a 5xx reply)."""


def compose(notice: InquiryNotice, *, sender: str) -> EmailMessage:
    """The notice as an e-mail: its subject, its fixed text, and a Message-ID of the inquiry."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = notice.to
    message["Subject"] = notice.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = notice.message_id
    # Sent by software: vacation responders and the like should not answer it.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(notice.text)
    return message


class SmtpMailer:
    """Sends each notice over its own SMTP connection to the server of `settings`."""

    def __init__(self, settings: MailSettings, *, timeout: float = SEND_TIMEOUT) -> None:
        url = urlsplit(settings.url)
        if url.scheme not in DEFAULT_PORTS or not url.hostname:
            raise ValueError("SMTP_URL must be smtp://host[:port] or smtps://host[:port]")
        self.sender = settings.sender
        self.hostname = url.hostname
        self.port = url.port or DEFAULT_PORTS[url.scheme]
        self.use_tls = url.scheme == "smtps"
        self.username = unquote(url.username) if url.username else None
        self.password = unquote(url.password) if url.password else None
        self.timeout = timeout

    async def send(self, notice: InquiryNotice) -> None:
        try:
            await aiosmtplib.send(
                compose(notice, sender=self.sender),
                hostname=self.hostname,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.use_tls,
                start_tls=False if self.use_tls else None,
                local_hostname=CLIENT_NAME,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = sorted({refusal.code for refusal in exc.recipients})
            if min(codes, default=0) >= PERMANENT:
                raise MailRefused(f"The mail server refused the recipient ({codes})") from None
            raise MailerUnavailable(f"The mail server deferred the recipient ({codes})") from None
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code >= PERMANENT:
                raise MailRefused(f"The mail server refused the message ({exc.code})") from None
            raise MailerUnavailable(f"The mail server deferred the message ({exc.code})") from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            # Down, unreachable, timing out or hanging up: worth trying again later.
            raise MailerUnavailable(
                f"The mail server did not take the message ({type(exc).__name__})"
            ) from None
