"""The running service deletes what is past retention: at start-up, then periodically."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from servicekit.http import parse_model
from services.inquiries.app import STORE, build_app
from services.inquiries.domain import InquiryForm, new_inquiry
from services.inquiries.settings import InquirySettings
from tests.integration.inquiries.conftest import eventually, inquiry_body
from tests.support import serving


def received(days_ago: float):
    form = parse_model(InquiryForm, inquiry_body("t-retention"))
    return new_inquiry(form, now=datetime.now(UTC).replace(microsecond=0) - timedelta(days=days_ago))


async def test_inquiries_past_retention_are_deleted_and_recent_ones_kept(infra):
    settings = infra.settings(
        "inquiries", database=f"inquiries_retention_{uuid.uuid4().hex[:8]}{infra.database_suffix}"
    )
    app = build_app(settings, inquiry_settings=InquirySettings(retention_days=30), purge_interval=0.2)
    async with serving(app, settings.port):
        await asyncio.wait_for(app["runtime"].prepared.wait(), 30)
        repository = app[STORE].begin(None).inquiries
        expired, recent = received(days_ago=31), received(days_ago=29)
        for inquiry in (expired, recent):
            await repository.add(inquiry)

        async def expired_gone() -> bool:
            return await repository.get(expired.id) is None

        await eventually(expired_gone, what="the expired inquiry purged")
        await asyncio.sleep(0.5)  # more rounds of the purge
        assert await repository.get(recent.id) == recent
