"""Small stand-ins for the profiles, approaches, search and inquiries services, serving the shapes of
the services' OpenAPI documents, so the gateway's own logic (batching, caching, error mapping) can be
observed.

The inquiries and profiles stand-ins know callers by their token: `Bearer owner-of-<therapist id>`
owns that therapist's profile and inquiries, `Bearer admin` is an admin, `Bearer reader` has no
therapist role, `Bearer expired` is not valid, any other token an account without a profile.

Every call is recorded, so tests can count what the gateway asked for. End-to-end behaviour
against the real services is covered by the end-to-end tests, not here.
"""

from __future__ import annotations

import asyncio
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from servicekit.http import json_response
from services.search.index import FACET_NAMES
from tests.integration.gateway.contract import checking_middleware
from tests.integration.gateway.owner_profiles import OwnerProfilesStandIn, error, not_found

NOW = "2025-05-20T10:00:00+00:00"
STATEMENT = (
    "I use relational work to notice, gently and in real time, what happens between us — "
    "the pauses, the “I’m fine” that isn’t quite — because that is where old patterns show up "
    "and where new ones can be practised. Sessions are collaborative and paced by you."
)


def approach_doc(slug: str, name: str, *, previous: list[str] | None = None) -> dict[str, Any]:
    return {
        "id": f"id-{slug}",
        "slug": slug,
        "name": name,
        "aliases": [],
        "summary": f"{name} in a sentence.",
        "description": f"What {name} is and how it helps. " * 8,
        "sections": {"whatItIs": "…", "howItWorks": "…", "helpsWith": "…", "whatYouLearn": "…"},
        "issues": ["anxiety"],
        "related": [],
        "previousSlugs": previous or [],
        "version": 1,
        "createdAt": NOW,
        "updatedAt": NOW,
    }


NOT_MEASURED = {"answeredShare": None, "medianReplyHours": None, "sampleSize": 0}
ADMIN_TOKEN = "Bearer admin"
RETRY_AFTER_SECONDS = 120


def owner_token(therapist_id: str) -> str:
    return f"Bearer owner-of-{therapist_id}"


def card(index: int, approaches: list[str]) -> dict[str, Any]:
    measured = {"answeredShare": 0.75, "medianReplyHours": 6.5 * (index % 4 + 1), "sampleSize": 4}
    return {
        "id": f"t{index:04d}",
        "displayName": f"Rowan Q. Elbery-{index}, LMFT",
        "title": "Licensed Marriage & Family Therapist",
        "location": {"city": "" if index % 7 == 0 else "Austin", "state": "TX"},
        "pronouns": "they/them",
        "photoUrl": None,
        "newClientStatus": "newpt",
        "availabilityConfirmedAt": NOW,
        "availabilityStale": False,
        "formats": ["in_person", "video"],
        "telehealthStates": ["TX"],
        "telehealthStatesServed": ["TX"],
        "licenceStatus": "not_given",
        "verifiedLicences": [{"kind": "LMFT", "state": "TX", "verifiedAt": NOW}] if index % 3 == 1 else [],
        "languages": ["en", "es"],
        "approaches": [{"slug": s, "statement": STATEMENT} for s in approaches],
        "issues": [{"slug": "anxiety", "top": True}],
        "money": {
            "fees": [{"sessionType": "individual", "amountUsd": 140}],
            "slidingScale": None,
            "freeConsultation": True,
            "insurance": ["aetna"],
            "outOfNetworkSuperbill": True,
        },
        "identity": {"gender": None, "raceEthnicity": [], "lgbtq": None, "faith": None},
        "ageGroups": ["adults"],
        "updatedAt": NOW,
        "responsiveness": measured if index % 2 else NOT_MEASURED,
        "unresponsive": index % 5 == 4,
    }


def explanation(position: int) -> dict[str, Any]:
    """A rank explanation as search gives one with explain=true (a list without text)."""
    key = (1 << 62) + ((1000 - position) << 38) + 7
    return {
        "order": "rotation",
        "rank": float(key),
        "rankExact": str(key),
        "composition": "sum",
        "factors": [
            {"factor": "standing", "value": 1 << 62, "description": "Fresh"},
            {"factor": "rotation", "value": (1000 - position) << 38, "description": "Rotation bucket 0"},
            {"factor": "tieBreak", "value": 7, "description": "A tie-breaker"},
        ],
        "summary": "Fresh first, then rotation",
    }


def profile(index: int, approaches: list[str]) -> dict[str, Any]:
    search_only = ("availabilityStale", "responsiveness", "unresponsive", "verifiedLicences")
    doc = {key: value for key, value in card(index, approaches).items() if key not in search_only}
    return {
        **doc,
        "version": 1,
        "yearsInPractice": 9,
        "licences": [],
        "npi": None,
        "taxonomyCode": None,
        "locations": [],
        "populations": [],
        "bio": {"helpWith": "", "approach": "", "about": ""},
        "createdAt": NOW,
    }


# The few search parameters the gateway's tests use, read off a card as search reads them.
FITTING = {
    "state": lambda card, state: card["location"]["state"] == state,
    "city": lambda card, city: card["location"]["city"] == city,
    "approach": lambda card, slugs: any(a["slug"] in slugs for a in card["approaches"]),
    "newClientStatus": lambda card, statuses: card["newClientStatus"] in statuses,
    "text": lambda card, text: text.lower() in card["displayName"].lower(),
}


@dataclass
class Call:
    backend: str
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: Any = None


@dataclass
class StubDirectory(OwnerProfilesStandIn):
    approaches: dict[str, dict[str, Any]] = field(default_factory=dict)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    cards: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    # Answers the stand-ins gave that the real services' documents do not allow; a test that makes
    # a stand-in answer nonsense on purpose turns the check off.
    contract_violations: list[str] = field(default_factory=list)
    contract_checked: bool = True
    inquiries: list[dict[str, Any]] = field(default_factory=list)
    inquiries_per_client: int = 100
    # The version of a therapist search has applied, where a test holds search back (else the
    # version of the therapist's profile).
    search_versions: dict[str, int] = field(default_factory=dict)
    inquiry_delay: float = 0.0  # seconds POST /v1/inquiries takes, to hold sends in flight together

    @classmethod
    def with_demo_data(cls, therapists: int = 30) -> StubDirectory:
        stub = cls()
        for slug, name in [
            ("relational-therapy", "Relational Therapy"),
            ("emdr", "EMDR"),
            ("cognitive-behavioral-therapy", "Cognitive Behavioral Therapy"),
            ("narrative-therapy", "Narrative Therapy"),
        ]:
            stub.approaches[slug] = approach_doc(slug, name)
        stub.approaches["emdr"]["previousSlugs"] = ["eye-movement-desensitization"]
        slugs = list(stub.approaches)
        for i in range(therapists):
            chosen = ["relational-therapy"] + [slugs[1 + i % 3]] + ([slugs[1 + (i + 1) % 3]] if i % 2 else [])
            stub.cards.append(card(i, chosen))
            stub.profiles[f"t{i:04d}"] = profile(i, chosen)
        return stub

    def count(self, backend: str, path_prefix: str = "") -> int:
        return sum(1 for c in self.calls if c.backend == backend and c.path.startswith(path_prefix))

    def _record(self, backend: str, request: web.Request, body: Any = None) -> None:
        self.calls.append(
            Call(
                backend,
                request.method,
                request.path,
                list(request.query.items()),
                dict(request.headers),
                body,
            )
        )

    # -- approaches ---------------------------------------------------------------------------------

    def _find_approach(self, slug: str) -> dict[str, Any] | None:
        return self.approaches.get(slug) or next(
            (a for a in self.approaches.values() if slug in a["previousSlugs"]), None
        )

    async def list_approaches(self, request: web.Request) -> web.Response:
        self._record("approaches", request)
        wanted = request.query.getall("slug", [])
        items = (
            [a for a in (self._find_approach(s) for s in wanted) if a]
            if wanted
            else list(self.approaches.values())
        )
        unique = {a["id"]: a for a in items}
        return json_response({"items": sorted(unique.values(), key=lambda a: a["name"])})

    async def get_approach(self, request: web.Request) -> web.Response:
        self._record("approaches", request)
        slug = request.match_info["slug"]
        if slug in self.approaches:
            return json_response(self.approaches[slug])
        found = self._find_approach(slug)
        if found is not None:
            raise web.HTTPMovedPermanently(f"/v1/approaches/{found['slug']}")
        return not_found("no such approach")

    # -- profiles -----------------------------------------------------------------------------------

    async def get_profile(self, request: web.Request) -> web.Response:
        self._record("profiles", request)
        found = self.profiles.get(request.match_info["id"])
        if found is None:
            return not_found("no profile")
        return json_response(found)

    async def patch_profile(self, request: web.Request) -> web.Response:
        patch = await request.json()
        self._record("profiles", request, patch)
        if (error := self._writer_error(request)) is not None:
            return error
        current = self.profiles[request.match_info["id"]]
        if request.headers.get("If-Match") not in (None, str(current["version"])):
            return json_response(
                {"error": {"code": "precondition_failed", "message": "stale version", "details": []}},
                status=412,
            )
        if patch.get("displayName") == "":
            return json_response(
                {
                    "error": {
                        "code": "validation_failed",
                        "message": "Invalid value for: ...",
                        "details": [
                            {"field": "displayName", "message": "too short", "type": "string_too_short"},
                            {"field": "location.state", "message": "unknown state", "type": "value_error"},
                        ],
                    }
                },
                status=422,
            )
        merged = {
            k: {**current[k], **v} if isinstance(v, dict) and isinstance(current.get(k), dict) else v
            for k, v in patch.items()
        }
        updated = {**current, **merged, "version": current["version"] + 1}
        self.profiles[request.match_info["id"]] = updated
        return json_response(self._owner_view(updated))

    async def put_statement(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record("profiles", request, body)
        if (error := self._writer_error(request)) is not None:
            return error
        return json_response(self._owner_view(self.profiles[request.match_info["id"]]))

    # -- search -------------------------------------------------------------------------------------

    @staticmethod
    def _bucket(request: web.Request) -> str:
        session = request.headers.get("X-Visitor-Session")
        return str(zlib.crc32(session.encode()) % 16) if session else "0"

    def _page(self, request: web.Request, cards: list[dict[str, Any]]) -> tuple[list, dict, int]:
        first = int(request.query.get("first", "20"))
        start = int(request.query.get("after", "-1")) + 1
        bucket = int(self._bucket(request))
        rotated = cards[bucket:] + cards[:bucket]
        page = rotated[start : start + first]
        end = start + len(page) - 1
        info = {"hasNextPage": start + first < len(cards), "endCursor": str(end) if page else None}
        return [(str(start + i), c) for i, c in enumerate(page)], info, len(cards)

    async def specialists(self, request: web.Request) -> web.Response:
        self._record("search", request)
        slug = request.match_info["slug"]
        practising = [c for c in self.cards if any(a["slug"] == slug for a in c["approaches"])]
        page, info, total = self._page(request, practising)
        edges = [
            {
                "cursor": cursor,
                "statement": next(a["statement"] for a in c["approaches"] if a["slug"] == slug),
                "node": c,
            }
            for cursor, c in page
        ]
        return json_response(
            {"totalCount": total, "pageInfo": info, "edges": edges},
            headers={"X-Rotation-Bucket": self._bucket(request)},
        )

    async def search(self, request: web.Request) -> web.Response:
        self._record("search", request)
        if "maxFee" in request.query and not request.query["maxFee"].isdigit():
            return json_response(
                {
                    "error": {
                        "code": "invalid_parameter",
                        "message": "Invalid query parameter 'maxFee'",
                        "details": [{"field": "maxFee"}],
                    }
                },
                status=400,
            )
        cards = self.cards
        for slug in request.query.getall("approach", []):
            cards = [c for c in cards if any(a["slug"] == slug for a in c["approaches"])]
        if "city" in request.query:
            cards = [c for c in cards if c["location"]["city"] == request.query["city"]]
        if "respondsWithinHours" in request.query:
            hours = float(request.query["respondsWithinHours"])
            cards = [c for c in cards if (c["responsiveness"]["medianReplyHours"] or hours + 1) <= hours]
        if request.query.get("verifiedOnly") == "true":
            cards = [c for c in cards if c["verifiedLicences"]]
        page, info, total = self._page(request, cards)
        if request.query.get("explain") == "true":
            page = [(cursor, {**c, "explanation": explanation(n)}) for n, (cursor, c) in enumerate(page)]
        facets: dict[str, list] = {name: [] for name in FACET_NAMES}
        facets["states"] = [{"value": "TX", "count": total}]
        return json_response(
            {
                "totalCount": total,
                "pageInfo": info,
                "edges": [{"cursor": cursor, "node": c} for cursor, c in page],
                "facets": facets,
            },
            headers={"X-Rotation-Bucket": self._bucket(request)},
        )

    async def get_card(self, request: web.Request) -> web.Response:
        self._record("search", request)
        found = next((c for c in self.cards if c["id"] == request.match_info["id"]), None)
        if found is None:
            return not_found("no therapist with this id is listed")
        return json_response(found)

    async def fits(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record("search", request, body)
        for n, search in enumerate(body["filters"]):
            for name, value in search.items():
                if name not in FITTING or (name == "state" and not re.fullmatch("[A-Z]{2}", value)):
                    problem = {"field": f"filters.{n}.{name}", "message": "not read by the stand-in"}
                    return error(
                        "validation_failed", f"Invalid value for: {problem['field']}", 422, [problem]
                    )
        therapist_id = request.match_info["id"]
        card = next((c for c in self.cards if c["id"] == therapist_id), None)
        if card is None:
            return json_response({"version": None, "fits": [False] * len(body["filters"])})
        version = self.search_versions.get(
            therapist_id, self.profiles.get(therapist_id, {}).get("version", 1)
        )
        fits = [
            all(FITTING[name](card, value) for name, value in search.items()) for search in body["filters"]
        ]
        return json_response({"version": version, "fits": fits})

    async def match(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record("search", request, body)
        if not body.get("state"):
            return json_response(
                {
                    "error": {
                        "code": "validation_failed",
                        "message": "Invalid value for: state",
                        "details": [{"field": "state", "message": "Field required"}],
                    }
                },
                status=422,
            )
        edges = [
            {"node": c, "score": 0.9 - i / 100, "reasons": ["Practises in your state", "Takes new clients"]}
            for i, c in enumerate(self.cards[: body.get("first", 10)])
        ]
        return json_response({"totalCount": len(self.cards), "edges": edges})

    # -- inquiries ----------------------------------------------------------------------------------

    @staticmethod
    def _inquiry_problems(body: dict[str, Any]) -> list[dict[str, Any]]:
        problems = []
        if not 1 <= len(body.get("name") or "") <= 200:
            problems.append({"field": "name", "message": "1 to 200 characters", "type": "string_too_short"})
        if not 1 <= len(body.get("message") or "") <= 2000:
            problems.append(
                {"field": "message", "message": "1 to 2,000 characters", "type": "string_too_long"}
            )
        if not body.get("email") and not body.get("phone"):
            problems.append(
                {"field": "email", "message": "Give an email address or a phone number", "type": "missing"}
            )
        if body.get("consent") is not True:
            problems.append({"field": "consent", "message": "Consent must be given", "type": "literal_error"})
        return problems

    async def send_inquiry(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record("inquiries", request, body)
        await asyncio.sleep(self.inquiry_delay)
        if problems := self._inquiry_problems(body):
            return error("validation_failed", "Invalid value for: " + problems[0]["field"], 422, problems)
        if body["therapistId"] not in self.profiles:
            return not_found("no therapist with this id")
        key = body.get("idempotencyKey")
        earlier = next((i for i in self.inquiries if key is not None and i["idempotencyKey"] == key), None)
        if earlier is not None:
            return json_response(receipt(earlier))
        client = request.headers.get("X-Client-Address", "unknown")
        if sum(i["client"] == client for i in self.inquiries) >= self.inquiries_per_client:
            wait = {"field": None, "message": "Too many inquiries", "retryAfterSeconds": RETRY_AFTER_SECONDS}
            return error(
                "rate_limited", "Too many inquiries", 429, [wait], {"Retry-After": str(RETRY_AFTER_SECONDS)}
            )
        inquiry = {
            "id": f"inq{len(self.inquiries):04d}",
            "therapistId": body["therapistId"],
            "receivedAt": NOW,
            "name": body["name"],
            "email": body.get("email"),
            "phone": body.get("phone"),
            "message": body["message"],
            "status": "new",
            "answeredAt": None,
            "idempotencyKey": key,
            "client": client,
        }
        self.inquiries.append(inquiry)
        return json_response(
            receipt(inquiry), status=201, headers={"Location": f"/v1/inquiries/{inquiry['id']}"}
        )

    @staticmethod
    def _may_read(request: web.Request, therapist_id: str) -> bool:
        return request.headers["Authorization"] in (ADMIN_TOKEN, owner_token(therapist_id))

    async def therapist_inquiries(self, request: web.Request) -> web.Response:
        self._record("inquiries", request)
        if "Authorization" not in request.headers:
            return error("unauthenticated", "needs a token", 401)
        therapist_id = request.match_info["id"]
        if not self._may_read(request, therapist_id):
            return not_found("no such therapist")
        theirs = [inquiry_node(i) for i in reversed(self.inquiries) if i["therapistId"] == therapist_id]
        first, start = int(request.query.get("first", "20")), int(request.query.get("after", "-1")) + 1
        page = theirs[start : start + first]
        info = {
            "hasNextPage": start + first < len(theirs),
            "endCursor": str(start + len(page) - 1) if page else None,
        }
        edges = [{"cursor": str(start + n), "node": node} for n, node in enumerate(page)]
        return json_response(
            {"totalCount": len(theirs), "pageInfo": info, "edges": edges},
            headers={"Cache-Control": "no-store"},
        )

    async def mark_answered(self, request: web.Request) -> web.Response:
        self._record("inquiries", request)
        if "Authorization" not in request.headers:
            return error("unauthenticated", "needs a token", 401)
        found = next((i for i in self.inquiries if i["id"] == request.match_info["id"]), None)
        if found is None or not self._may_read(request, found["therapistId"]):
            return not_found("no such inquiry")
        if found["status"] == "new":
            found.update(status="answered", answeredAt=NOW)
        return json_response(inquiry_node(found), headers={"Cache-Control": "no-store"})

    # -- the four apps ------------------------------------------------------------------------------

    def apps(self) -> dict[str, web.Application]:
        async def healthz(_: web.Request) -> web.Response:
            return json_response({"status": "ok"})

        approaches, profiles, search, inquiries = (
            web.Application(
                middlewares=[checking_middleware(name, self.contract_violations)]
                if self.contract_checked
                else []
            )
            for name in ("approaches", "profiles", "search", "inquiries")
        )
        approaches.router.add_get("/v1/approaches", self.list_approaches)
        approaches.router.add_get("/v1/approaches/{slug}", self.get_approach)
        profiles.router.add_get("/v1/therapists/{id}", self.get_profile)
        profiles.router.add_patch("/v1/therapists/{id}", self.patch_profile)
        profiles.router.add_put("/v1/therapists/{id}/approaches/{slug}", self.put_statement)
        self.add_owner_routes(profiles)
        search.router.add_get("/v1/therapists", self.search)
        search.router.add_get("/v1/approaches/{slug}/specialists", self.specialists)
        search.router.add_get("/v1/therapists/{id}", self.get_card)
        search.router.add_post("/v1/therapists/{id}/fits", self.fits)
        search.router.add_post("/v1/match", self.match)
        inquiries.router.add_post("/v1/inquiries", self.send_inquiry)
        inquiries.router.add_get("/v1/therapists/{id}/inquiries", self.therapist_inquiries)
        inquiries.router.add_post("/v1/inquiries/{id}/answered", self.mark_answered)
        apps = {"approaches": approaches, "profiles": profiles, "search": search, "inquiries": inquiries}
        for app in apps.values():
            app.router.add_get("/healthz", healthz)
        return apps


def receipt(inquiry: dict[str, Any]) -> dict[str, Any]:
    return {key: inquiry[key] for key in ("id", "therapistId", "receivedAt")}


INQUIRY_NODE_FIELDS = (
    "id",
    "therapistId",
    "receivedAt",
    "name",
    "email",
    "phone",
    "message",
    "status",
    "answeredAt",
)


def inquiry_node(inquiry: dict[str, Any]) -> dict[str, Any]:
    return {key: inquiry[key] for key in INQUIRY_NODE_FIELDS}
