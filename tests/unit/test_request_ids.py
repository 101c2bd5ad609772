"""Request ids: what a request is known by in logs, traces and masked errors."""

from __future__ import annotations

import string

from servicekit.http import new_request_id


def test_request_ids_are_32_hex_digits_and_never_repeat():
    ids = [new_request_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 32 and set(i) <= set(string.hexdigits.lower()) for i in ids)
