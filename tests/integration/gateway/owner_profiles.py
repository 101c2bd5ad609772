"""The profiles stand-in's routes for a profile's owner (`GET /v1/me`, creating, deleting,
confirming availability) and the owner's view it answers with, mixed into `StubDirectory`.

Callers are known by their token (see `backends`); a profile created here is owned by the
account its token names.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from servicekit.http import json_response

# The private address every owner view of the stand-in holds (never in a public answer).
PRIVATE_EMAIL = "private@example.org"


def error(
    code: str, message: str, status: int, details: list | None = None, headers: dict[str, str] | None = None
) -> web.Response:
    return json_response(
        {"error": {"code": code, "message": message, "details": details or []}},
        status=status,
        headers=headers,
    )


def not_found(message: str) -> web.Response:
    return error("not_found", message, 404)


def new_public_profile(therapist_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """The public view of a profile created from `body` (its private email left out)."""
    now = datetime.now(UTC).isoformat()
    return {
        "id": therapist_id,
        "displayName": body["displayName"],
        "title": body["title"],
        "location": {"city": "", **body["location"]},
        "pronouns": body.get("pronouns"),
        "photoUrl": None,
        "newClientStatus": None,
        "availabilityConfirmedAt": None,
        "formats": [],
        "telehealthStates": [],
        "telehealthStatesServed": [],
        "licenceStatus": "not_given",
        "listed": True,
        "languages": body.get("languages", []),
        "approaches": [],
        "issues": [],
        "money": {
            "fees": [],
            "slidingScale": None,
            "freeConsultation": False,
            "insurance": [],
            "outOfNetworkSuperbill": False,
        },
        "identity": {"gender": None, "raceEthnicity": [], "lgbtq": None, "faith": None},
        "ageGroups": [],
        "updatedAt": now,
        "version": 1,
        "yearsInPractice": None,
        "licences": [],
        "npi": None,
        "taxonomyCode": None,
        "locations": [],
        "populations": [],
        "bio": {"helpWith": "", "approach": "", "about": "", **body.get("bio", {})},
        "createdAt": now,
    }


@dataclass
class OwnerProfilesStandIn:
    """Needs the host's `profiles` (public views by id), `cards` and `_record`."""

    # The owner account of the profiles created through the stand-in (others: owner-of-<id>).
    owners: dict[str, str] = field(default_factory=dict)
    # Seconds `GET /v1/me` takes, so that requests can be seen in flight together.
    me_delay: float = 0.0
    created_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    # The private address of each profile created here (others: PRIVATE_EMAIL).
    emails: dict[str, str | None] = field(default_factory=dict)

    @staticmethod
    def _caller_error(request: web.Request) -> web.Response | None:
        authorization = request.headers.get("Authorization")
        if authorization in (None, "Bearer expired"):
            return error("unauthenticated", "needs a valid token", 401)
        if authorization == "Bearer reader":
            return error("forbidden", "This operation needs the role: therapist", 403)
        return None

    def _writer_error(self, request: web.Request) -> web.Response | None:
        if (refused := self._caller_error(request)) is not None:
            return refused
        if request.match_info["id"] not in self.profiles:
            return not_found("no profile")
        return None

    def owner_of(self, therapist_id: str) -> str:
        return self.owners.get(therapist_id, f"owner-of-{therapist_id}")

    def _owned_by(self, request: web.Request) -> str | None:
        sub = request.headers["Authorization"].removeprefix("Bearer ")
        return next((i for i in self.profiles if self.owner_of(i) == sub), None)

    async def my_profile(self, request: web.Request) -> web.Response:
        self._record("profiles", request)
        await asyncio.sleep(self.me_delay)
        if (refused := self._caller_error(request)) is not None:
            return refused
        therapist_id = self._owned_by(request)
        if therapist_id is None:
            return not_found("This account has no therapist profile yet")
        return json_response(self._owner_view(self.profiles[therapist_id]))

    async def create_profile(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record("profiles", request, body)
        if (refused := self._caller_error(request)) is not None:
            return refused
        existing = self._owned_by(request)
        if existing is not None:
            found = {
                "message": "the account's profile",
                "id": existing,
                "location": f"/v1/therapists/{existing}",
            }
            return error("profile_exists", "This account already has a therapist profile", 409, [found])
        state = (body.get("location") or {}).get("state")
        if not isinstance(state, str) or len(state) != 2 or not state.isupper():
            problem = {"field": "location.state", "message": "not a US state code", "type": "value_error"}
            return error("validation_failed", "Invalid value for: location.state", 422, [problem])
        therapist_id = f"new{next(self.created_ids):04d}"
        self.owners[therapist_id] = request.headers["Authorization"].removeprefix("Bearer ")
        self.emails[therapist_id] = body.get("email")
        self.profiles[therapist_id] = new_public_profile(therapist_id, body)
        created = self._owner_view(self.profiles[therapist_id])
        return json_response(created, status=201, headers={"Location": f"/v1/therapists/{therapist_id}"})

    async def delete_profile(self, request: web.Request) -> web.Response:
        self._record("profiles", request)
        if (refused := self._writer_error(request)) is not None:
            return refused
        therapist_id = request.match_info["id"]
        caller = request.headers["Authorization"].removeprefix("Bearer ")
        if caller not in ("admin", self.owner_of(therapist_id)):
            return error("forbidden", "Only the profile's owner or an administrator can do this", 403)
        del self.profiles[therapist_id]
        self.cards = [c for c in self.cards if c["id"] != therapist_id]
        return web.Response(status=204)

    async def confirm_availability(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record("profiles", request, body)
        if (refused := self._writer_error(request)) is not None:
            return refused
        current = self.profiles[request.match_info["id"]]
        updated = {
            **current,
            "newClientStatus": body["newClientStatus"],
            "availabilityConfirmedAt": datetime.now(UTC).isoformat(),
            "version": current["version"] + 1,
        }
        self.profiles[current["id"]] = updated
        return json_response(self._owner_view(updated))

    def _owner_view(self, public: dict[str, Any]) -> dict[str, Any]:
        """What the profiles service answers a profile's owner: the public view and the private parts."""
        email = self.emails.get(public["id"], PRIVATE_EMAIL)
        public_only = ("licenceStatus", "listed")  # the owner reads `listing` instead
        return {
            **{key: value for key, value in public.items() if key not in public_only},
            "ownerSub": self.owner_of(public["id"]),
            "email": email,
            "listing": {"shown": True, "reason": None},
            "licenceNotices": [],
        }

    def add_owner_routes(self, app: web.Application) -> None:
        app.router.add_get("/v1/me", self.my_profile)
        app.router.add_post("/v1/therapists", self.create_profile)
        app.router.add_delete("/v1/therapists/{id}", self.delete_profile)
        app.router.add_post("/v1/therapists/{id}/availability", self.confirm_availability)
