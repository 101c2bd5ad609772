"""What a visitor wrote is sealed at rest: the stored document holds none of it in the clear, any
configured key opens it (rotation), and a sealed block opens only as its own inquiry."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from servicekit.clock import FixedClock
from servicekit.http import parse_model
from services.inquiries.domain import InquiryForm, VisitorMessage, new_inquiry
from services.inquiries.sealing import UnreadableSeal, VisitorSeal
from services.inquiries.store import inquiry_document, stored_inquiry

VISITOR = VisitorMessage(
    name="Sam Rivera", email="sam@example.org", phone="+1 512 555 0100", message="I’m “stuck”."
)
OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def inquiry():
    form = parse_model(InquiryForm, {"therapistId": "t-1", "consent": True, **VISITOR.model_dump()})
    return new_inquiry(form, now=FixedClock().now())


def test_what_is_sealed_opens_as_it_was_written():
    seal = VisitorSeal([NEW_KEY])
    assert seal.unseal("i-1", seal.seal("i-1", VISITOR)) == VISITOR


def test_during_rotation_a_block_sealed_with_the_old_key_still_opens():
    sealed_before = VisitorSeal([OLD_KEY]).seal("i-1", VISITOR)
    assert VisitorSeal([NEW_KEY, OLD_KEY]).unseal("i-1", sealed_before) == VISITOR


def test_after_rotation_new_blocks_are_sealed_with_the_new_key():
    sealed_now = VisitorSeal([NEW_KEY, OLD_KEY]).seal("i-1", VISITOR)
    assert VisitorSeal([NEW_KEY]).unseal("i-1", sealed_now) == VISITOR
    with pytest.raises(UnreadableSeal):
        VisitorSeal([OLD_KEY]).unseal("i-1", sealed_now)


def test_a_block_copied_into_another_inquiry_does_not_open():
    seal = VisitorSeal([NEW_KEY])
    with pytest.raises(UnreadableSeal):
        seal.unseal("i-2", seal.seal("i-1", VISITOR))


def test_the_stored_document_holds_nothing_the_visitor_wrote_in_the_clear():
    seal = VisitorSeal([NEW_KEY])
    kept = inquiry()
    doc = inquiry_document(kept, seal)
    text = repr(doc)
    for value in VISITOR.model_dump().values():
        assert value not in text
    assert set(doc) == {"_id", "therapistId", "receivedAt", "status", "answeredAt", "sealed"}
    assert stored_inquiry(doc, seal) == kept


def test_a_key_that_is_not_a_fernet_key_is_refused_without_being_shown():
    with pytest.raises(ValueError) as refused:
        VisitorSeal([NEW_KEY, "not-a-key-at-all"])
    assert "key 2" in str(refused.value) and "not-a-key-at-all" not in str(refused.value)
