"""Security headers on every response; browsers from origins outside CORS_ORIGINS get nothing."""

from __future__ import annotations

import httpx
import pytest
import socketio


@pytest.mark.parametrize(
    "path", ["/api/version", "/db/alive", "/api/me", "/nowhere", "/socket.io/?EIO=4&transport=polling"]
)
async def test_every_response_carries_the_security_headers(http, path):
    response = await http.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


async def test_the_docs_page_is_not_blocked_by_the_api_policy(http):
    docs = await http.get("/schema/swagger")
    assert docs.status_code == 200
    assert "Content-Security-Policy" not in docs.headers
    assert docs.headers["X-Content-Type-Options"] == "nosniff"


async def test_cors_admits_only_the_configured_origins(start_server, make_user):
    alice = await make_user()
    allowed, stranger = "http://chat.example.com", "http://evil.example.net"
    async with start_server(cors_origins=(allowed,)) as live, httpx.AsyncClient(base_url=live.url) as http:
        for origin, admitted in ((allowed, True), (stranger, False)):
            preflight = await http.options(
                "/api/messages",
                headers={
                    "Origin": origin,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "authorization,content-type",
                },
            )
            simple = await http.get("/api/me", headers={"Origin": origin, **alice.headers})
            assert (preflight.headers.get("access-control-allow-origin") == origin) is admitted
            assert (simple.headers.get("access-control-allow-origin") == origin) is admitted

        good = socketio.AsyncClient(reconnection=False)
        await good.connect(live.url, auth={"token": alice.token}, headers={"Origin": allowed}, transports=["websocket"])
        assert good.connected
        await good.disconnect()
        bad = socketio.AsyncClient(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await bad.connect(
                live.url, auth={"token": alice.token}, headers={"Origin": stranger}, transports=["websocket"]
            )
        assert not bad.connected
