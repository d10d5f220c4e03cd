"""Login and bearer tokens: same answer for unknown nickname and wrong password, expiry, forgery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from litestar.security.jwt import Token

from tests.support.accounts import PASSWORD


async def test_login_returns_a_bearer_token_and_the_user(http, make_user):
    alice = await make_user()
    response = await http.post("/api/auth/token", json={"nickname": alice.nickname.upper(), "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["user"] == {
        "id": alice.id,
        "name": alice.name,
        "nickname": alice.nickname,
        "email": alice.email,
        "status": "",
        "avatar_url": None,
        "deleted": False,
    }
    me = await http.get("/api/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["id"] == alice.id


async def test_unknown_nickname_and_wrong_password_get_the_same_401(http, make_user):
    alice = await make_user()
    wrong_password = await http.post("/api/auth/token", json={"nickname": alice.nickname, "password": "nope-nope"})
    unknown = await http.post("/api/auth/token", json={"nickname": "nobody-" + alice.nickname, "password": "x" * 9})
    assert wrong_password.status_code == unknown.status_code == 401
    assert wrong_password.json() == unknown.json()


async def test_expired_and_forged_tokens_are_refused(http, make_user, server):
    alice = await make_user()
    secret = server.settings.secret_key
    now = datetime.now(UTC)
    expired = jwt.encode(
        {"sub": str(alice.id), "iat": now - timedelta(hours=2), "exp": now - timedelta(seconds=5)},
        secret,
        "HS256",
    )
    forged = Token(sub=str(alice.id), exp=datetime.now(UTC) + timedelta(hours=1)).encode(
        "not-the-secret-but-long-enough-for-hs256", "HS256"
    )
    for token in (expired, forged, "garbage", alice.token + "x"):
        response = await http.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.json()["detail"]


async def test_token_lifetime_is_the_configured_one(http, make_user, server):
    alice = await make_user()
    token = Token.decode(alice.token, server.settings.secret_key, "HS256")
    lifetime = token.exp - datetime.now(UTC)
    assert timedelta(seconds=server.settings.token_lifetime_seconds - 60) < lifetime
    assert lifetime <= timedelta(seconds=server.settings.token_lifetime_seconds)
