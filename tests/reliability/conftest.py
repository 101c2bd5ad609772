"""One process stack shared by the fault tests (each test leaves it recovered)."""

from __future__ import annotations

import shutil

import pytest

from tests.reliability.processes import running_stack

# The fault tests send hundreds of inquiries from one address to a few therapists: far above the
# limits that protect therapists in production, which would otherwise refuse most of them.
RAISED_INQUIRY_LIMITS = {
    "INQUIRY_RATE_PER_CLIENT": "100000/hour",
    "INQUIRY_RATE_PER_THERAPIST": "100000/day",
}


@pytest.fixture(scope="package")
async def stack(amqp_url, tmp_path_factory):
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("the fault tests need rabbitmqctl to manage their broker vhost")
    async with running_stack(
        tmp_path_factory.mktemp("faults"), amqp_url, extra_env=RAISED_INQUIRY_LIMITS
    ) as started:
        yield started
