"""On PostgreSQL the token checks of concurrent requests are read together (`TokenChecks`): one query for all
those that arrived while a read was in flight, each still answered by its own session alone."""

from __future__ import annotations

import asyncio
from typing import Any

import jwt
import pytest

import confab.domain.accounts.tokens
from tests.support.accounts import PASSWORD
from tests.support.driver_statements import watch_driver_statements


def session_of(token: str) -> str:
    return jwt.decode(token, options={"verify_signature": False})["jti"]


@pytest.fixture
def token_checks(server):
    if server.app.state.token_checks is None:
        pytest.skip("SQLite checks a token in the request's own session, with no round trip to share")
    return server.app.state.token_checks


async def test_concurrent_checks_share_one_read_and_each_gets_only_its_own_live_session(
    http, make_user, token_checks, monkeypatch
):
    alice, bob, carol = await make_user(), await make_user(), await make_user()
    assert (await http.post("/api/auth/logout", headers=carol.headers)).status_code == 204
    reads: list[Any] = []

    def on_statement(_driver: Any, query: str, arguments: tuple[Any, ...]) -> None:
        if "sessions.jti = ANY" in query:
            reads.append(arguments)

    watch_driver_statements(monkeypatch, on_statement)
    rows = await asyncio.gather(
        token_checks.session_row(alice.id, session_of(alice.token)),
        token_checks.session_row(bob.id, session_of(bob.token)),
        token_checks.session_row(carol.id, session_of(carol.token)),  # logged out
        token_checks.session_row(bob.id, session_of(alice.token)),  # alice's session claimed by bob
        token_checks.session_row(alice.id, session_of(alice.token)),  # the same token twice
        token_checks.session_row(alice.id, "no-such-session"),
    )
    assert len(reads) == 1, reads
    assert [row.id if row else None for row in rows] == [alice.id, bob.id, None, None, alice.id, None]


async def test_a_failed_read_answers_every_waiting_check_and_the_next_read_works(
    http, make_user, token_checks, monkeypatch
):
    alice = await make_user()
    real_read = confab.domain.accounts.tokens._session_rows

    async def broken_read(*_arguments: Any) -> Any:
        raise RuntimeError("the database is away")

    monkeypatch.setattr(confab.domain.accounts.tokens, "_session_rows", broken_read)
    outcomes = await asyncio.wait_for(
        asyncio.gather(
            *(token_checks.session_row(alice.id, session_of(alice.token)) for _ in range(3)), return_exceptions=True
        ),
        timeout=10,
    )
    assert [type(outcome) for outcome in outcomes] == [RuntimeError] * 3
    monkeypatch.setattr(confab.domain.accounts.tokens, "_session_rows", real_read)
    assert (await token_checks.session_row(alice.id, session_of(alice.token))).id == alice.id
    assert (await http.get("/api/me", headers=alice.headers)).status_code == 200


async def test_concurrent_requests_are_each_let_in_or_refused_by_their_own_token(server, http, make_user):
    """Through the whole app, on either database: many requests at once, some with a revoked token."""
    people = [await make_user() for _ in range(4)]
    revoked = people[0]
    login = await http.post("/api/auth/token", json={"nickname": revoked.nickname, "password": PASSWORD})
    still_live = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert (await http.post("/api/auth/logout", headers=revoked.headers)).status_code == 204
    attempts = [(person.headers, 200, person.id) for person in people[1:]] * 5
    attempts += [(revoked.headers, 401, None), (still_live, 200, revoked.id)] * 5
    answers = await asyncio.gather(*(http.get("/api/me", headers=headers) for headers, _status, _id in attempts))
    assert [answer.status_code for answer in answers] == [status for _headers, status, _id in attempts]
    assert [answer.json()["id"] for answer in answers if answer.status_code == 200] == [
        user_id for _headers, status, user_id in attempts if status == 200
    ]


async def test_a_checked_token_leaves_its_user_s_profile_remembered(server, make_user, token_checks):
    """The check reads the user's row anyway: the request's own profile (a send's author) is never read again."""
    alice = await make_user()
    profiles = server.app.state.hub.profiles
    profiles.forget()
    assert (await token_checks.session_row(alice.id, session_of(alice.token))).id == alice.id
    remembered = profiles.remembered(alice.id)
    assert remembered is not None
    assert (remembered.id, remembered.nickname, remembered.name, remembered.deleted) == (
        alice.id,
        alice.nickname,
        alice.name,
        False,
    )


async def test_a_profile_change_announced_during_the_read_keeps_what_it_read_out_of_the_cache(
    server, make_user, token_checks, monkeypatch
):
    """The read may have seen the profile from before the change: the next request reads it afresh."""
    alice = await make_user()
    profiles = server.app.state.hub.profiles
    profiles.forget()
    real_read = confab.domain.accounts.tokens._session_rows

    async def read_while_alice_changes(*arguments: Any) -> Any:
        rows = await real_read(*arguments)
        profiles.forget(alice.id)  # her `user_updated` arrived meanwhile
        return rows

    monkeypatch.setattr(confab.domain.accounts.tokens, "_session_rows", read_while_alice_changes)
    assert (await token_checks.session_row(alice.id, session_of(alice.token))).id == alice.id
    assert profiles.remembered(alice.id) is None
