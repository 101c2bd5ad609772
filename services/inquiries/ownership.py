"""Who may read a therapist's inquiries, asked of the profiles service: `GET
/v1/therapists/{id}/ownership` with the caller's own Authorization header.

Profiles answers 204 when the token's subject owns the profile or is an admin, 403 when not, 404
when there is no such profile, 401 for a token that is not valid. Only 204 allows. Nothing
private about the profile crosses, and this service keeps no copy of who owns what.
"""

from __future__ import annotations

from urllib.parse import quote

import aiohttp

from servicekit.errors import Unauthenticated, Unavailable
from servicekit.tracing import client_trace_config

TIMEOUT_SECONDS = 5.0


class ProfilesOwnership:
    def __init__(self, profiles_url: str, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.profiles_url = profiles_url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        # Made on first use, inside the running event loop.
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self.timeout, trace_configs=[client_trace_config()])
        return self._session

    async def may_read(self, therapist_id: str, credentials: str) -> bool:
        url = f"{self.profiles_url}/v1/therapists/{quote(therapist_id, safe='')}/ownership"
        try:
            async with self._http().get(url, headers={"Authorization": credentials}) as response:
                status = response.status
                await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Unavailable(
                "The profiles service cannot be asked who owns the profile; retry shortly"
            ) from exc
        if status == 401:
            raise Unauthenticated("The bearer token is not valid", code="invalid_token")
        if status >= 500:
            raise Unavailable("The profiles service cannot say who owns the profile; retry shortly")
        return status == 204

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
