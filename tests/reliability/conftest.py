"""One process stack shared by the fault tests (each test leaves it recovered)."""

from __future__ import annotations

import shutil

import pytest

from tests.reliability.processes import running_stack


@pytest.fixture(scope="package")
async def stack(amqp_url, tmp_path_factory):
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("the fault tests need rabbitmqctl to manage their broker vhost")
    async with running_stack(tmp_path_factory.mktemp("faults"), amqp_url) as started:
        yield started
