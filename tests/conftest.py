"""Session infrastructure: a real MongoDB wire-protocol server and a private RabbitMQ vhost.

The embedded SecantusDB server runs in memory unless MONGODB_URI points at a MongoDB; RabbitMQ
is the machine's broker, isolated per run in a fresh vhost (or TEST_AMQP_URL, if given).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid

import pytest
from pymongo import MongoClient

from devstack.embedded_mongo import EmbeddedMongo
from tests.support import TestInfrastructure

RUN_ID = uuid.uuid4().hex[:10]


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def mongodb_uri():
    external = os.environ.get("MONGODB_URI")
    if external:
        yield external
        return
    server = EmbeddedMongo(storage=":memory:")
    server.start()
    yield server.uri
    server.stop()


@pytest.fixture(scope="session")
def amqp_url():
    given = os.environ.get("TEST_AMQP_URL")
    if given:
        yield given
        return
    if shutil.which("rabbitmqctl") is None:
        pytest.exit(
            "rabbitmqctl is needed to give the test run its own vhost (or set TEST_AMQP_URL)", returncode=3
        )
    vhost = f"directory-test-{RUN_ID}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    _rabbitmqctl("delete_vhost", vhost)


@pytest.fixture(scope="session")
def infra(mongodb_uri, amqp_url):
    suffix = f"_test_{RUN_ID}" if os.environ.get("MONGODB_URI") else ""
    infrastructure = TestInfrastructure(mongodb_uri, amqp_url, suffix)
    yield infrastructure
    if suffix:  # a shared MongoDB: remove what this run created
        with MongoClient(mongodb_uri) as client:
            for name in client.list_database_names():
                if name.endswith(suffix):
                    client.drop_database(name)


# The whole system in-process, for end-to-end tests and benchmarks.
from tests.stack import directory  # noqa: E402,F401
