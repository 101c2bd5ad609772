"""deploy/rabbitmq: the definitions declare exactly what the services declare at run time.

RabbitMQ refuses a declaration whose arguments differ from the existing queue's
(PRECONDITION_FAILED), so any drift between definitions.json and servicekit/bus.py would stop
every service from connecting. The topology expected here is recorded from bus.py's own code.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import aio_pika
import pytest
import yaml

from integration_events.subscriptions import DURABLE_SUBSCRIPTIONS
from servicekit.bus import declare_subscription
from servicekit.settings import DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE
from tests.deploy.layout import APP_SERVICES, DEPLOY, K8S, compose, definitions


class RecordingChannel:
    """Stands in for an AMQP channel and records what `declare_subscription` declares."""

    def __init__(self) -> None:
        self.exchanges: dict[str, dict] = {}
        self.queues: dict[str, dict] = {}
        self.bindings: set[tuple[str, str, str]] = set()

    async def declare_exchange(self, name, type, durable=False, **_):
        self.exchanges[name] = {"type": type.value, "durable": durable}
        return name

    async def declare_queue(self, name, durable=False, arguments=None, **_):
        self.queues[name] = {"durable": durable, "arguments": dict(arguments or {})}
        channel = self

        class Queue:
            async def bind(self, exchange, routing_key):
                channel.bindings.add((exchange, name, routing_key))

        return Queue()


def _declared_by_the_services(delivery_limit: int) -> RecordingChannel:
    channel = RecordingChannel()
    channel.exchanges[EVENTS_EXCHANGE] = {"type": "topic", "durable": True}  # EventBus._connect_until_up

    async def declare_all() -> None:
        for subscription in DURABLE_SUBSCRIPTIONS:
            await declare_subscription(
                channel,
                subscription,
                exchange=EVENTS_EXCHANGE,
                dead_letter_exchange=DEAD_LETTER_EXCHANGE,
                delivery_limit=delivery_limit,
            )

    asyncio.run(declare_all())
    return channel


def _configured_delivery_limits() -> set[int]:
    limits = {
        int(compose()["services"][name]["environment"]["EVENT_DELIVERY_LIMIT"]) for name in APP_SERVICES
    }
    base = yaml.safe_load((K8S / "base" / "kustomization.yaml").read_text(encoding="utf-8"))
    for generator in base["configMapGenerator"]:
        for literal in generator["literals"]:
            key, _, value = literal.partition("=")
            if key == "EVENT_DELIVERY_LIMIT":
                limits.add(int(value))
    return limits


@pytest.fixture(scope="module")
def expected() -> RecordingChannel:
    (delivery_limit,) = _configured_delivery_limits()
    return _declared_by_the_services(delivery_limit)


def test_compose_and_kubernetes_configure_one_and_the_same_delivery_limit():
    assert len(_configured_delivery_limits()) == 1


def test_the_definitions_declare_the_exchanges_the_services_declare(expected):
    declared = {e["name"]: {"type": e["type"], "durable": e["durable"]} for e in definitions()["exchanges"]}
    assert declared == expected.exchanges
    assert all(
        not e["auto_delete"] and not e["internal"] and e["arguments"] == {}
        for e in definitions()["exchanges"]
    )


def test_the_definitions_declare_every_queue_with_the_services_arguments(expected):
    declared = {
        q["name"]: {"durable": q["durable"], "arguments": q["arguments"]} for q in definitions()["queues"]
    }
    assert declared == expected.queues
    assert all(not q["auto_delete"] for q in definitions()["queues"])


def test_the_definitions_bind_every_event_type_and_dead_letter_route(expected):
    declared = {(b["source"], b["destination"], b["routing_key"]) for b in definitions()["bindings"]}
    assert declared == expected.bindings
    assert all(b["destination_type"] == "queue" for b in definitions()["bindings"])


def test_everything_lives_in_the_vhost_the_services_connect_to():
    topology = definitions()
    vhosts = {
        urlsplit(compose()["services"][name]["environment"]["AMQP_URL"]).path.lstrip("/")
        for name in APP_SERVICES
    }
    assert vhosts == {v["name"] for v in topology["vhosts"]}
    (vhost,) = vhosts
    for kind in ("exchanges", "queues", "bindings", "policies", "permissions"):
        assert {item["vhost"] for item in topology[kind]} == {vhost}, kind
    assert topology["vhosts"][0]["default_queue_type"] == "quorum"


def test_the_dead_letter_queues_and_only_they_are_exempt_from_dropping_redeliveries():
    (policy,) = definitions()["policies"]
    matched = {q["name"] for q in definitions()["queues"] if re.search(policy["pattern"], q["name"])}
    assert matched == {s.dead_letter_queue for s in DURABLE_SUBSCRIPTIONS}
    assert policy["definition"]["delivery-limit"] >= 1_000_000


def _broker_schema_mappings() -> str | None:
    schemas = list(Path("/usr/lib/rabbitmq").glob("lib/rabbitmq_server-*/plugins/*/priv/schema/*.schema"))
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in schemas) if schemas else None


def test_every_setting_in_rabbitmq_conf_is_one_the_broker_knows():
    mappings = _broker_schema_mappings()
    if mappings is None:
        pytest.skip("no RabbitMQ installation here to read its configuration schema from")
    for line in (DEPLOY / "rabbitmq" / "rabbitmq.conf").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key = line.split("=", 1)[0].strip()
            assert f'{{mapping, "{key}"' in mappings, key


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture
def vhost_loaded_with_the_definitions(amqp_url):
    """A fresh vhost holding the definitions' exchanges, queues, bindings and policies."""
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("rabbitmqctl is needed to import definitions into a vhost of its own")
    vhost = f"directory-deploy-{uuid.uuid4().hex[:8]}"
    topology = definitions()
    scoped = {
        kind: [{**item, "vhost": vhost} for item in topology[kind]]
        for kind in ("exchanges", "queues", "bindings", "policies")
    }
    _rabbitmqctl("add_vhost", vhost)
    # The broker node reads the file itself, so it must be readable by its user.
    with tempfile.NamedTemporaryFile("w", suffix=".json", dir="/tmp", encoding="utf-8") as file:
        json.dump(scoped, file)
        file.flush()
        os.chmod(file.name, 0o644)
        try:
            user = urlsplit(amqp_url).username or "guest"
            _rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
            _rabbitmqctl("import_definitions", file.name)
            yield urlsplit(amqp_url)._replace(path=f"/{vhost}").geturl()
        finally:
            _rabbitmqctl("delete_vhost", vhost)


async def _wait_for_queues(url: str, names: list[str], timeout: float = 15.0) -> None:
    """The import is asynchronous: wait until every queue it creates exists."""
    deadline = asyncio.get_running_loop().time() + timeout
    async with await aio_pika.connect(url) as connection:
        for name in names:
            while True:
                channel = await connection.channel()
                try:
                    await channel.get_queue(name, ensure=True)
                    break
                except aio_pika.exceptions.ChannelNotFoundEntity:
                    assert asyncio.get_running_loop().time() < deadline, f"{name} was not imported"
                    await asyncio.sleep(0.1)
                finally:
                    if not channel.is_closed:
                        await channel.close()


async def test_the_services_declarations_succeed_on_a_broker_loaded_with_the_definitions(
    vhost_loaded_with_the_definitions,
):
    (delivery_limit,) = _configured_delivery_limits()
    await _wait_for_queues(vhost_loaded_with_the_definitions, [q["name"] for q in definitions()["queues"]])
    connection = await aio_pika.connect(vhost_loaded_with_the_definitions)
    async with connection:
        channel = await connection.channel()
        # Exactly what EventBus does on connecting; a mismatch raises PRECONDITION_FAILED.
        await channel.declare_exchange(EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        for subscription in DURABLE_SUBSCRIPTIONS:
            await declare_subscription(
                channel,
                subscription,
                exchange=EVENTS_EXCHANGE,
                dead_letter_exchange=DEAD_LETTER_EXCHANGE,
                delivery_limit=delivery_limit,
            )
        # ... and the pre-declared queues hold events published before any consumer runs.
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        await exchange.publish(aio_pika.Message(b"{}"), routing_key=DURABLE_SUBSCRIPTIONS[0].event_types[0])
        queue = await channel.get_queue(DURABLE_SUBSCRIPTIONS[0].queue)
        assert await queue.get(timeout=5, no_ack=True) is not None
