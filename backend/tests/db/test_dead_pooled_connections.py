"""The first requests after PostgreSQL dropped every connection (a restart, a failover, an administrator)
succeed on the first try: a login, a sign-up, the database probe and a socket handshake.

The connections die unnoticed here (`pool_of_dead_connections`: no idle ping, and the check at checkout for
connections the server closed is off, as when a rebooted host answers with a reset), so the pool hands out
connections used a moment ago, now dead. Each of these finds that out at the first statement of its
transaction, and makes it once more on a fresh connection (`confab.db.reconnect`).
"""

from __future__ import annotations

import asyncpg
import pytest

from tests.support.accounts import PASSWORD, sign_up, unique_nickname
from tests.support.databases import drop_every_connection
from tests.support.sockets import RecordingClient


async def test_a_login_right_after_postgres_dropped_every_connection_answers_200(
    server, http, make_user, pool_of_dead_connections
):
    alice = await make_user()  # the pool now holds connections used just now
    await drop_every_connection(server.settings.database_url)
    login = await http.post("/api/auth/token", json={"nickname": alice.nickname, "password": PASSWORD})
    assert login.status_code == 200, login.text
    assert (await http.get("/api/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"})).is_success


async def test_a_sign_up_right_after_postgres_dropped_every_connection_answers_201_and_creates_one_account(
    server, http, make_user, pool_of_dead_connections
):
    await make_user()
    await drop_every_connection(server.settings.database_url)
    bob = await sign_up(http, nickname=unique_nickname("bob"))  # asserts the 201, then logs in
    people = (await http.get("/api/users", headers=bob.headers)).json()
    assert [person["nickname"] for person in people].count(bob.nickname) == 1


async def test_the_database_probe_right_after_postgres_dropped_every_connection_answers_200(
    server, http, make_user, pool_of_dead_connections
):
    await make_user()
    await drop_every_connection(server.settings.database_url)
    alive = await http.get("/db/alive")
    assert alive.status_code == 200, alive.text


async def test_a_socket_handshake_right_after_postgres_dropped_every_connection_is_accepted(
    server, http, make_user, pool_of_dead_connections
):
    alice = await make_user()
    await drop_every_connection(server.settings.database_url)
    client = await RecordingClient().connect(server.url, alice.token)
    assert client.client.connected
    await client.disconnect()


@pytest.fixture
def refused_reconnects(monkeypatch):
    """Call it, and from then on PostgreSQL refuses new connections, as while it is down."""

    async def refused(*_args, **_kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    return lambda: monkeypatch.setattr(asyncpg, "connect", refused)


async def test_a_retry_that_finds_postgres_still_down_answers_503_not_500(
    server, http, make_user, pool_of_dead_connections, refused_reconnects
):
    alice, bob = await make_user(), unique_nickname("bob")
    await drop_every_connection(server.settings.database_url)
    refused_reconnects()
    for request in (
        http.build_request("GET", "/api/users", headers=alice.headers),  # the token check's retry
        http.build_request("POST", "/api/auth/token", json={"nickname": alice.nickname, "password": PASSWORD}),
        http.build_request("GET", "/db/alive"),
        http.build_request(
            "POST",
            "/api/users",
            json={"name": "Bob", "email": f"{bob}@example.com", "nickname": bob, "password": PASSWORD},
        ),
    ):
        answer = await http.send(request)
        assert answer.status_code == 503, (request.url.path, answer.text)
        assert answer.headers["Retry-After"] == "2"
