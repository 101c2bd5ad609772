"""The directory as real processes: the embedded MongoDB on disk, the four services and the
gateway started with the run command's own commands, each on a free port, logging to files, and a
real SMTP server (aiosmtpd, in the test process) receiving the mail profiles sends.

Faults are injected from outside as an operator (or the kernel) would: SIGKILL a process,
stop and restart the database on the same port and storage, cut the broker connections of
the stack's private vhost, or take the vhost's permission away so the broker refuses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import aiohttp

from devstack.__main__ import SERVICE_COMMANDS
from devstack.embedded_mongo import EmbeddedMongo, die_with_parent, free_port
from tests import support
from tests.smtp import SmtpServer
from tests.support import RAISED_RATE_LIMIT, TEST_AUTH

SERVICES = ("approaches", "profiles", "search", "inquiries", "gateway")


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    die_with_parent(signal.SIGKILL)


def rabbitmqctl(*args: str) -> str:
    result = subprocess.run(
        ["rabbitmqctl", "-q", *args], check=True, capture_output=True, text=True, timeout=60
    )
    return result.stdout


class PrivateVhost:
    """A vhost of its own next to the test run's, so cutting connections touches nobody else."""

    def __init__(self, amqp_url: str) -> None:
        parts = urlsplit(amqp_url)
        base = parts.path.lstrip("/") or "directory-test"
        self.name = f"{base}-proc-{uuid.uuid4().hex[:6]}"
        self.url = urlunsplit(parts._replace(path="/" + quote(self.name, safe="")))

    def create(self) -> None:
        rabbitmqctl("add_vhost", self.name)
        self.allow()

    def delete(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            rabbitmqctl("delete_vhost", self.name)

    def allow(self) -> None:
        rabbitmqctl("set_permissions", "-p", self.name, "guest", ".*", ".*", ".*")

    def refuse(self) -> None:
        """RabbitMQ as good as down for this stack: connections cut, reconnects refused."""
        rabbitmqctl("clear_permissions", "-p", self.name, "guest")
        self.close_connections()

    def connections(self) -> list[str]:
        pids = []
        for line in rabbitmqctl("list_connections", "vhost", "pid").splitlines():
            vhost, _, pid = line.partition("\t")
            if vhost == self.name and pid.strip():
                pids.append(pid.strip())
        return pids

    def close_connections(self) -> int:
        pids = self.connections()
        for pid in pids:
            with contextlib.suppress(subprocess.SubprocessError):
                rabbitmqctl("close_connection", pid, "fault test: connection cut")
        return len(pids)


class ProcessStack:
    def __init__(
        self,
        root: Path,
        amqp_url: str,
        *,
        extra_env: dict[str, str] | None = None,
        smtp: SmtpServer | None = None,
        own_database: tuple[str, ...] = (),
    ) -> None:
        """`own_database` names services whose database is on a server of its own, as where each
        service owns its database server; the rest share `self.mongo`."""
        self.root = root
        self.log_dir = root / "log"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.amqp_url = amqp_url
        self.mongo = EmbeddedMongo(
            storage=str(root / "mongodb"), port=free_port(), log_path=self.log_dir / "mongodb.log"
        )
        self.databases = {
            name: EmbeddedMongo(
                storage=str(root / f"mongodb-{name}"),
                port=free_port(),
                log_path=self.log_dir / f"mongodb-{name}.log",
            )
            for name in own_database
        }
        self.smtp = smtp or SmtpServer()
        self.ports = {name: free_port() for name in SERVICES}
        self.urls = {name: f"http://127.0.0.1:{port}" for name, port in self.ports.items()}
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            **os.environ,
            "MONGODB_URI": self.mongo.uri,
            "AMQP_URL": amqp_url,
            "AUTH_JWT_SECRET": TEST_AUTH.jwt_secret,
            "AUTH_AUDIENCE": TEST_AUTH.audience,
            "EVENT_DELIVERY_LIMIT": "3",
            # Every client of a run comes from one address: the limit stays on, raised.
            "GATEWAY_RATE_LIMIT": str(RAISED_RATE_LIMIT),
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            "SMTP_URL": self.smtp.url,
            **(extra_env or {}),
        }
        self.env.pop("AUTH_JWKS_URL", None)
        for name, port in self.ports.items():
            self.env[f"{name.upper()}_PORT"] = str(port)
            self.env[f"{name.upper()}_URL"] = self.urls[name]

    # --- processes ------------------------------------------------------------------------

    def start(self, name: str) -> None:
        env = self.env
        if name in self.databases:
            env = {**env, "MONGODB_URI": self.databases[name].uri}
        with open(self.log_dir / f"{name}.log", "ab") as log:
            self.processes[name] = subprocess.Popen(
                SERVICE_COMMANDS[name],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=Path(__file__).resolve().parents[2],
                start_new_session=True,
            )

    def kill(self, name: str) -> None:
        """SIGKILL: no shutdown hooks, no goodbye to the broker or the database."""
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self, name: str) -> None:
        process = self.processes.get(name)
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    async def start_all(self, timeout: float = 90) -> None:
        await self.smtp.start()
        for mongo in (self.mongo, *self.databases.values()):
            mongo.start()
        for name in SERVICES:
            self.start(name)
        await self.wait_ready(*SERVICES, timeout=timeout)

    def stop_all(self) -> None:
        for name in SERVICES:
            self.stop(name)
        for mongo in (self.mongo, *self.databases.values()):
            mongo.stop()

    async def restart(self, name: str, timeout: float = 60) -> None:
        self.start(name)
        await self.wait_ready(name, timeout=timeout)

    async def restart_mongo(self, down_for: float = 1.0) -> None:
        """Stop the database (same port and storage kept) and bring it back after `down_for`."""
        self.mongo.stop()
        await asyncio.sleep(down_for)
        await asyncio.to_thread(self.mongo.start)

    async def ready(self, name: str) -> tuple[int, dict]:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as http:
            async with http.get(f"{self.urls[name]}/readyz") as response:
                return response.status, await response.json()

    async def wait_ready(self, *names: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        pending = set(names)
        while pending:
            for name in list(pending):
                process = self.processes.get(name)
                if process is not None and process.poll() is not None:
                    raise AssertionError(
                        f"{name} exited with {process.returncode}:\n{self.log(name)[-3000:]}"
                    )
                with contextlib.suppress(aiohttp.ClientError, TimeoutError, ValueError):
                    if (await self.ready(name))[0] == 200:
                        pending.discard(name)
            if pending and time.monotonic() > deadline:
                raise AssertionError(f"not ready after {timeout} s: {sorted(pending)}")
            await asyncio.sleep(0.1)

    async def wait_until(self, name: str, status: int, timeout: float = 30) -> dict:
        """Poll `name`'s readiness until it answers `status`; returns the last body."""
        deadline = time.monotonic() + timeout
        last: dict = {}
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError, TimeoutError, ValueError):
                code, last = await self.ready(name)
                if code == status:
                    return last
            await asyncio.sleep(0.1)
        raise AssertionError(f"{name} readiness never answered {status}; last {last}")

    # --- observations ---------------------------------------------------------------------

    def log(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def all_logs(self) -> str:
        return "\n".join(self.log(name) for name in SERVICES)

    async def metrics(self, name: str) -> str:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
            async with http.get(f"{self.urls[name]}/metrics") as response:
                return await response.text()


@contextlib.asynccontextmanager
async def running_stack(root: Path, amqp_url: str, **kwargs):
    """A started ProcessStack on a private vhost; everything stopped and removed afterwards."""
    vhost = PrivateVhost(amqp_url)
    vhost.create()
    stack = ProcessStack(root, vhost.url, **kwargs)
    stack.vhost = vhost

    def terminated(*_: object) -> None:  # e.g. `timeout` ending the run: leave nothing behind
        stack.stop_all()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        await stack.start_all()
        yield stack
    finally:
        signal.signal(signal.SIGTERM, previous)
        stack.stop_all()
        await stack.smtp.stop()
        vhost.delete()


@contextlib.asynccontextmanager
async def broker_channel(stack: ProcessStack):
    """A channel on the stack's vhost, with publisher confirms."""
    import aio_pika

    connection = await aio_pika.connect(
        stack.amqp_url, client_properties={"connection_name": "fault-test"}, timeout=15
    )
    async with connection:
        yield await connection.channel(publisher_confirms=True)


async def queue_depth(channel, name: str) -> int:
    queue = await channel.declare_queue(name, passive=True)
    return queue.declaration_result.message_count


async def eventually(check, *, timeout: float = 30, interval: float = 0.2, what: str = "condition"):
    """The suite's `eventually`, with patience for processes that restart."""
    return await support.eventually(check, timeout=timeout, interval=interval, what=what)
