"""The HTTP plumbing every service shares: JSON errors, request ids, metrics, health.

`GET /healthz` says the process is alive; `GET /readyz` checks the service's dependencies
(MongoDB, RabbitMQ) and answers 503 naming those that are down; `GET /metrics` serves
Prometheus text.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import orjson
import structlog
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ValidationError
from pymongo.errors import ConnectionFailure

from servicekit.bus import BusUnavailable
from servicekit.errors import (
    ApiError,
    BadRequest,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    Moved,
    NotFound,
    PreconditionFailed,
    Unauthenticated,
    Unavailable,
    error_body,
    invalid_input,
)
from servicekit.metrics import HTTP_LATENCY, HTTP_REQUESTS
from servicekit.tracing import tracing_middleware

log = structlog.get_logger(__name__)

ReadinessCheck = Callable[[], Awaitable[bool]]
MAX_BODY_BYTES = 1024 * 1024
JSON_TYPES = ("application/json", "application/merge-patch+json")


def json_response(body: Any, *, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.Response(
        body=orjson.dumps(body),
        status=status,
        content_type="application/json",
        headers=headers,
    )


async def read_json(request: web.Request, *, content_types: tuple[str, ...] = JSON_TYPES) -> Any:
    """The request's JSON body, or a clear 4xx: 415 wrong type, 400 malformed or not UTF-8."""
    if request.content_type not in content_types:
        raise ApiError(
            415,
            "unsupported_media_type",
            f"Send the body as {' or '.join(content_types)} (got {request.content_type or 'none'})",
        )
    raw = await request.read()
    if not raw:
        raise ApiError(400, "empty_body", "The request body is empty; a JSON document is expected")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, "malformed_json", f"The body is not valid JSON (UTF-8): {exc}") from exc


M = TypeVar("M", bound=BaseModel)


def parse_model(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_input(exc) from exc


# The one place where a domain error becomes an HTTP status.
STATUS_OF: dict[type[DomainError], int] = {
    BadRequest: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    PreconditionFailed: 412,
    InvalidInput: 422,
    Unavailable: 503,
}


def domain_error_response(exc: DomainError, request: web.Request) -> web.Response:
    headers: dict[str, str] = {}
    if isinstance(exc, Moved):
        # A read follows the move (301); a write is sent again to the new place, same method (308).
        status = 301 if request.method in ("GET", "HEAD") else 308
        headers["Location"] = exc.location
    else:
        status = next((code for kind, code in STATUS_OF.items() if isinstance(exc, kind)), 400)
    if isinstance(exc, PreconditionFailed):
        headers["ETag"] = exc.current_etag
    if isinstance(exc, Unavailable):
        headers["Retry-After"] = "2"
    return json_response(error_body(exc.code, exc.message, exc.details), status=status, headers=headers)


def _route_name(request: web.Request) -> str:
    info = request.match_info.route.resource
    return info.canonical if info is not None else "unmatched"


# Request ids need to be unique, not unguessable: a random prefix per process and a counter, which
# spares every request a read of the system's random source.
_REQUEST_ID_PREFIX = os.urandom(8).hex()
_request_numbers = itertools.count()


def new_request_id() -> str:
    """A request id of 32 hex digits, unique across processes."""
    return f"{_REQUEST_ID_PREFIX}{next(_request_numbers):016x}"


def _error_middleware(service: str):
    @web.middleware
    async def middleware(request: web.Request, handler):
        request_id = request.headers.get("X-Request-Id") or new_request_id()
        request["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        try:
            response = await handler(request)
        except DomainError as exc:
            response = domain_error_response(exc, request)
        except ApiError as exc:
            response = json_response(exc.body(), status=exc.status, headers=exc.headers)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(
                exc.status, "http_error"
            )
            message = exc.reason
            if exc.status == 413:
                message = f"The request body is larger than {MAX_BODY_BYTES} bytes"
            response = json_response(error_body(code, message), status=exc.status)
        except (ConnectionFailure, BusUnavailable) as exc:
            # MongoDB (or RabbitMQ, where a request needs it) is down: nothing was changed.
            log.warning("dependency_unavailable", error=str(exc))
            response = json_response(
                error_body(
                    "service_unavailable",
                    "A backing service is unavailable; nothing was changed. Retry shortly.",
                ),
                status=503,
                headers={"Retry-After": "2"},
            )
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception:
            log.exception("unhandled_error", path=request.path, method=request.method)
            response = json_response(
                error_body("internal", f"Internal error (request id {request_id})"), status=500
            )
        finally:
            structlog.contextvars.unbind_contextvars("request_id")
        route = _route_name(request)
        HTTP_REQUESTS.labels(service, request.method, route, response.status).inc()
        HTTP_LATENCY.labels(service, request.method, route).observe(time.perf_counter() - started)
        response.headers["X-Request-Id"] = request_id
        return response

    return middleware


def create_app(service: str, readiness: Mapping[str, ReadinessCheck]) -> web.Application:
    """A service's aiohttp application with the shared middleware and operational routes."""
    # OpenTelemetry's server middleware goes before these (servicekit.tracing instruments aiohttp),
    # so the request's span sees the status the error middleware sets.
    app = web.Application(
        middlewares=[tracing_middleware(service), _error_middleware(service)], client_max_size=MAX_BODY_BYTES
    )

    async def healthz(_: web.Request) -> web.Response:
        return json_response({"status": "ok", "service": service})

    async def readyz(_: web.Request) -> web.Response:
        names = list(readiness)
        results = await asyncio.gather(*(readiness[name]() for name in names))
        checks = dict(zip(names, results, strict=True))
        ready = all(results)
        return json_response(
            {"status": "ready" if ready else "unavailable", "checks": checks},
            status=200 if ready else 503,
        )

    async def metrics(_: web.Request) -> web.Response:
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    return app
