"""How the gateway serves the web client's files (no browser needed)."""

from __future__ import annotations

import aiohttp
from aiohttp import web
from yarl import URL

from devstack.embedded_mongo import free_port
from gateway.web import add_web_routes
from tests.support import serving


async def fetch(path: str) -> tuple[int, dict[str, str], str]:
    app = web.Application()
    add_web_routes(app)
    port = free_port()
    async with serving(app, port), aiohttp.ClientSession() as http:
        # Sent as given, so a "../" reaches the server rather than being resolved by the client.
        url = URL(f"http://127.0.0.1:{port}{path}", encoded=True)
        async with http.get(url, allow_redirects=False) as response:
            return response.status, dict(response.headers), await response.text()


async def test_the_client_page_is_served_at_the_root_and_may_only_load_from_its_own_origin():
    status, headers, body = await fetch("/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert '<script type="module" src="/static/app.js">' in body
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy and "script-src 'self'" in policy


async def test_assets_are_served_under_static_as_modules_and_stylesheets():
    status, headers, body = await fetch("/static/app.js")
    assert status == 200 and "javascript" in headers["Content-Type"]
    assert "hashchange" in body
    status, headers, _ = await fetch("/static/styles.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")


async def test_the_vocabulary_module_carries_the_shared_labels():
    status, headers, body = await fetch("/static/vocabulary.js")
    assert status == 200 and "javascript" in headers["Content-Type"]
    assert '"trauma-ptsd": "Trauma and PTSD"' in body
    assert '"newpt": "ACCEPTING"' in body


async def test_nothing_outside_the_client_directory_is_served():
    outside = ("/static/../__init__.py", "/static/%2e%2e/__init__.py", "/static/missing.js", "/static/pages")
    for path in outside:
        status, _, body = await fetch(path)
        assert status == 404, (path, body)
