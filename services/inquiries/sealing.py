"""Sealing what a visitor wrote: name, email, phone and message encrypted together as one Fernet
token (AES-128-CBC with HMAC-SHA256, from `cryptography`), so the stored document holds no
health data in the clear.

`MultiFernet` seals with the first key and unseals with any, which is how a key is rotated. The
inquiry's id is sealed inside the token and checked when it is opened, so a token copied into
another inquiry's document is refused rather than shown as that inquiry.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from services.inquiries.domain import VisitorMessage


class UnreadableSeal(Exception):
    """A sealed block that none of the keys opens (a key was dropped too early), or that belongs to
    another inquiry."""


def fernet_keys(keys: Sequence[str]) -> list[Fernet]:
    """The keys as Fernet instances; a ValueError naming (by position only) one that is not valid."""
    if not keys:
        raise ValueError("at least one encryption key is needed")
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except ValueError:
            # The key itself never appears in a message.
            raise ValueError(
                f"encryption key {position} is not a Fernet key (32 url-safe base64 bytes)"
            ) from None
    return fernets


class VisitorSeal:
    def __init__(self, keys: Sequence[str]) -> None:
        self._fernet = MultiFernet(fernet_keys(keys))

    def seal(self, inquiry_id: str, visitor: VisitorMessage) -> str:
        plain = orjson.dumps({"inquiry": inquiry_id, **visitor.model_dump()})
        return self._fernet.encrypt(plain).decode("ascii")

    def unseal(self, inquiry_id: str, token: str) -> VisitorMessage:
        try:
            plain = orjson.loads(self._fernet.decrypt(token.encode("ascii")))
        except InvalidToken:
            raise UnreadableSeal(f"inquiry {inquiry_id}: no configured key opens its sealed block") from None
        if plain.pop("inquiry", None) != inquiry_id:
            raise UnreadableSeal(f"inquiry {inquiry_id}: its sealed block belongs to another inquiry")
        return VisitorMessage.model_validate(plain)
