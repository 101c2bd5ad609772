"""`./dev up`: the whole directory on one machine, with demo data.

Starts the embedded MongoDB-compatible server (unless MONGODB_URI is set), a local SMTP server
that keeps each mail as a file under `var/mail/` (unless SMTP_URL is set), the four services and
the gateway as separate processes (the same commands the container images run), waits
until each is ready, loads the demo data through the public APIs, and keeps everything running
until Ctrl-C, restarting a process that dies.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

from devstack.embedded_mongo import EmbeddedMongo, die_with_parent, free_port
from devstack.mail import DEFAULT_SMTP_PORT, MailFolder, serve_smtp
from servicekit.settings import DEFAULT_PORTS, Environment, service_urls

SERVICE_COMMANDS: dict[str, list[str]] = {
    "approaches": [sys.executable, "-m", "services.approaches"],
    "profiles": [sys.executable, "-m", "services.profiles"],
    "search": [sys.executable, "-m", "services.search"],
    "inquiries": [sys.executable, "-m", "services.inquiries"],
    "gateway": [sys.executable, "-m", "gateway"],
}


class Supervisor:
    """Runs each service as a child process, logs to var/log, restarts what dies."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen] = {}
        self.stopping = False

    def start(self, name: str) -> None:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - owned by the child
        self.processes[name] = subprocess.Popen(
            SERVICE_COMMANDS[name],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )

    async def watch(self) -> None:
        while not self.stopping:
            for name, process in list(self.processes.items()):
                if process.poll() is not None and not self.stopping:
                    print(
                        f"! {name} exited with {process.returncode}; restarting "
                        f"(see {self.log_dir / (name + '.log')})",
                        flush=True,
                    )
                    await asyncio.sleep(1)
                    self.start(name)
            await asyncio.sleep(0.5)

    def stop(self) -> None:
        self.stopping = True
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            if process.poll() is None:
                process.kill()


async def wait_until_ready(urls: dict[str, str], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    pending = dict(urls)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        while pending:
            for name, url in list(pending.items()):
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with http.get(f"{url}/readyz") as response:
                        if response.status == 200:
                            print(f"  {name:<10} ready at {url}", flush=True)
                            del pending[name]
            if pending and time.monotonic() > deadline:
                raise RuntimeError(f"not ready after {timeout:.0f} s: {', '.join(pending)}")
            await asyncio.sleep(0.25)


def port_if_free(wanted: int) -> int:
    """`wanted`, unless something listens there already: then any free port."""
    try:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", wanted))
        return wanted
    except OSError:
        return free_port()


async def start_mail_server(env: dict[str, str], var: Path) -> asyncio.Server | None:
    """The local SMTP server the services send to, unless SMTP_URL names the operator's own."""
    if env.get("SMTP_URL"):
        return None
    port = port_if_free(DEFAULT_SMTP_PORT)
    print(f"Starting the local SMTP server (each mail a file in {var / 'mail'}) ...", flush=True)
    server = await serve_smtp(MailFolder(var / "mail"), port=port)
    env["SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    return server


async def run(var: Path, *, load_demo: bool) -> None:
    log_dir = var / "log"
    env = dict(os.environ)
    mongo = None
    if not env.get("MONGODB_URI"):
        mongo = EmbeddedMongo(
            storage=str(var / "mongodb"),
            port=port_if_free(Environment().embedded_mongodb_port),
            log_path=log_dir / "mongodb.log",
        )
        print(f"Starting the embedded MongoDB-compatible server (data in {var / 'mongodb'}) ...", flush=True)
        env["MONGODB_URI"] = mongo.start()
    # The search service's index snapshot lives with the data, so a restart need not rebuild.
    env.setdefault("SEARCH_SNAPSHOT_DIR", str(var / "search-snapshots"))
    mail_server = await start_mail_server(env, var)
    supervisor = Supervisor(env, log_dir)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        print("Starting the services and the gateway ...", flush=True)
        for name in SERVICE_COMMANDS:
            supervisor.start(name)
        urls = service_urls()
        await wait_until_ready(urls)
        if load_demo:
            from devstack.demo.load import load_demo_data

            await load_demo_data(urls)
        watcher = asyncio.create_task(supervisor.watch())
        print_summary(
            urls, log_dir, mail=var / "mail" if mail_server is not None else "to the server of SMTP_URL"
        )
        await stop.wait()
        watcher.cancel()
    finally:
        print("\nStopping ...", flush=True)
        supervisor.stop()
        if mail_server is not None:
            mail_server.close()
        if mongo is not None:
            mongo.stop()


EXAMPLE_QUERY = (
    '{ approach(slug: \\"relational-therapy\\") { name specialists(first: 3) '
    "{ totalCount edges { statement node { displayName } } } } }"
)


def print_summary(urls: dict[str, str], log_dir: Path, *, mail: Path | str) -> None:
    """`mail` is the folder the local SMTP server keeps mail in, or where else mail goes."""
    gateway = urls["gateway"]
    print(
        f"""
The directory is running.
  Web client:      {gateway}/   (therapists: {gateway}/#/me, any account name signs in here)
  GraphQL (and GraphiQL in a browser): {gateway}/graphql
  Profiles REST:   {urls["profiles"]}/v1/therapists      (OpenAPI: /openapi.json)
  Approaches REST: {urls["approaches"]}/v1/approaches    (OpenAPI: /openapi.json)
  Search REST:     {urls["search"]}/v1/therapists        (OpenAPI: /openapi.json)
  Inquiries REST:  {urls["inquiries"]}/v1/inquiries      (OpenAPI: /openapi.json)
  Mail sent:       {mail}
  Logs:            {log_dir}
Try:
  curl -s {gateway}/graphql -H 'Content-Type: application/json' \\
    -d '{{"query": "{EXAMPLE_QUERY}"}}'
  ./dev token --sub my-account --roles therapist   # a development token for the REST APIs
Press Ctrl-C to stop.""",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the whole therapist directory locally")
    parser.add_argument("--data-dir", default="var", help="where the embedded database and logs live")
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo data")
    args = parser.parse_args()
    for name, port in DEFAULT_PORTS.items():
        os.environ.setdefault(f"{name.upper()}_PORT", str(port))
    var = Path(args.data_dir).resolve()
    (var / "log").mkdir(parents=True, exist_ok=True)
    asyncio.run(run(var, load_demo=not args.no_demo))


if __name__ == "__main__":
    main()
