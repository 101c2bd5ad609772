"""Calls to the inquiries service (its REST API, services/inquiries/openapi.json).

What visitors write there is health data: these calls never go through the gateway's caches,
and nothing of a request or an answer is logged (only the backend call counter counts them).
"""

from __future__ import annotations

from typing import Any

from gateway.clients import BackendResponse, Params, ServiceClients, path_segment

INQUIRIES = "inquiries"


async def send_inquiry(
    clients: ServiceClients, body: dict[str, Any], client_address: str | None
) -> BackendResponse:
    """A visitor's inquiry; the visitor's address is the service's per-client rate-limit key."""
    headers = {"X-Client-Address": client_address} if client_address else None
    return await clients.request(INQUIRIES, "POST", "/v1/inquiries", body=body, headers=headers)


async def therapist_inquiries(
    clients: ServiceClients, therapist_id: str, params: Params, authorization: str
) -> BackendResponse:
    return await clients.request(
        INQUIRIES,
        "GET",
        f"/v1/therapists/{path_segment(therapist_id)}/inquiries",
        params=params,
        headers={"Authorization": authorization},
    )


async def mark_answered(clients: ServiceClients, inquiry_id: str, authorization: str) -> BackendResponse:
    return await clients.request(
        INQUIRIES,
        "POST",
        f"/v1/inquiries/{path_segment(inquiry_id)}/answered",
        headers={"Authorization": authorization},
    )
