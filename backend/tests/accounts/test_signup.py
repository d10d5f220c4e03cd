"""Sign-up: validation, case-insensitive uniqueness decided by the database, password storage."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from confab.domain.accounts.models import UserModel
from tests.support.accounts import PASSWORD, unique_nickname


def signup_body(nickname: str | None = None, **overrides: str) -> dict[str, str]:
    nickname = nickname or unique_nickname()
    body = {
        "name": "Alice Liddell",
        "email": f"{nickname}@example.com",
        "nickname": nickname,
        "password": PASSWORD,
    }
    body.update(overrides)
    return body


async def test_signup_returns_the_account_exactly_as_typed(http):
    nickname = unique_nickname("MiXeD.")
    response = await http.post("/api/users", json=signup_body(nickname, name="  Zoë d'Arc <b> "))
    assert response.status_code == 201
    user = response.json()
    assert user == {
        "id": user["id"],
        "name": "  Zoë d'Arc <b> ",
        "nickname": nickname,
        "email": f"{nickname}@example.com",
        "status": "",
        "avatar_url": None,
        "deleted": False,
    }
    assert "password" not in response.text


async def test_signup_needs_no_token_but_other_routes_do(http):
    assert (await http.post("/api/users", json=signup_body())).status_code == 201
    for path in ("/api/me", "/api/users", "/api/users/1", "/api/messages", "/api/users/1/messages"):
        response = await http.get(path)
        assert response.status_code == 401, path
        assert response.json()["detail"]


async def test_nickname_taken_in_another_case_is_a_conflict(http):
    nickname = unique_nickname("Bob")
    assert (await http.post("/api/users", json=signup_body(nickname))).status_code == 201
    response = await http.post("/api/users", json=signup_body(nickname.upper(), email=f"other-{nickname}@example.com"))
    assert response.status_code == 409
    assert "nickname" in response.json()["detail"]


async def test_email_taken_in_another_case_is_a_conflict(http):
    first = signup_body()
    assert (await http.post("/api/users", json=first)).status_code == 201
    response = await http.post("/api/users", json=signup_body(email=first["email"].upper()))
    assert response.status_code == 409
    assert "email" in response.json()["detail"]


async def test_concurrent_signups_with_one_nickname_create_exactly_one_account(http, server):
    nickname = unique_nickname()
    bodies = [
        signup_body(nickname.swapcase() if i % 2 else nickname, email=f"{i}-{nickname}@example.com") for i in range(12)
    ]
    responses = await asyncio.gather(*(http.post("/api/users", json=body) for body in bodies))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 11
    session_maker = server.app.state.database_config.create_session_maker()
    async with session_maker() as session:
        rows = (await session.scalars(select(UserModel).where(UserModel.email.like(f"%-{nickname}@example.com")))).all()
    assert len(rows) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("nickname", "a"),
        ("nickname", "x" * 33),
        ("nickname", "has space"),
        ("nickname", "émile"),
        ("email", "not-an-email"),
        ("email", "two@@example.com"),
        ("name", ""),
        ("name", "   "),
        ("name", "x" * 101),
        ("name", "bell\u0007"),
        ("password", "short"),
    ],
)
async def test_invalid_signup_is_rejected_with_a_detail_naming_the_field(http, field, value):
    body = signup_body()
    body[field] = value
    response = await http.post("/api/users", json=body)
    assert response.status_code == 400
    assert field in response.json()["detail"]
    login = await http.post("/api/auth/token", json={"nickname": body["nickname"], "password": PASSWORD})
    assert login.status_code == 401  # nothing was created


@pytest.mark.parametrize("missing", ["name", "email", "nickname", "password"])
async def test_missing_field_is_named(http, missing):
    body = signup_body()
    del body[missing]
    response = await http.post("/api/users", json=body)
    assert response.status_code == 400
    assert missing in response.json()["detail"]


async def test_boundary_lengths_are_accepted(http):
    # Each test session has a database of its own, and no other test uses these exact nicknames.
    longest = signup_body("L" * 32, name="n" * 100, password="p" * 8)
    assert (await http.post("/api/users", json=longest)).status_code == 201
    shortest = signup_body("s.", email=f"{unique_nickname()}@example.com")
    created = await http.post("/api/users", json=shortest)
    assert created.status_code == 201
    assert created.json()["nickname"] == "s."


async def test_password_is_stored_as_an_argon2_hash(http, server):
    body = signup_body()
    user = (await http.post("/api/users", json=body)).json()
    session_maker = server.app.state.database_config.create_session_maker()
    async with session_maker() as session:
        row = await session.get(UserModel, user["id"])
    assert row.password_hash.startswith("$argon2")
    assert PASSWORD not in row.password_hash
