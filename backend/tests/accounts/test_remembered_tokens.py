"""A verified token is remembered by its text, but never past its expiry, and a forged one is never remembered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt.api_jwt
import pytest
from litestar.exceptions import NotAuthorizedException
from litestar.security.jwt import Token

from confab.domain.accounts import tokens
from confab.domain.accounts.tokens import TOKEN_ALGORITHM, RememberedToken

SECRET = "remembered-tokens-secret-32-bytes!"
OTHER_SECRET = "another-secret-of-at-least-32-bytes"


def test_a_remembered_token_is_refused_once_it_has_expired(monkeypatch):
    encoded = Token(exp=datetime.now(UTC) + timedelta(minutes=5), sub="7", jti="j1").encode(SECRET, TOKEN_ALGORITHM)
    assert RememberedToken.decode(encoded, SECRET, TOKEN_ALGORITHM).sub == "7"
    assert RememberedToken.decode(encoded, SECRET, TOKEN_ALGORITHM).sub == "7"  # from memory this time

    later = datetime.now(UTC) + timedelta(minutes=10)

    class TenMinutesLater(datetime):
        @classmethod
        def now(cls, tz=None):
            return later

    monkeypatch.setattr(tokens, "datetime", TenMinutesLater)
    monkeypatch.setattr(jwt.api_jwt, "datetime", TenMinutesLater)
    with pytest.raises(NotAuthorizedException):
        RememberedToken.decode(encoded, SECRET, TOKEN_ALGORITHM)


def test_a_token_signed_with_another_secret_is_refused_after_the_real_one_was_remembered():
    claims = Token(exp=datetime.now(UTC) + timedelta(minutes=5), sub="8", jti="j2")
    RememberedToken.decode(claims.encode(SECRET, TOKEN_ALGORITHM), SECRET, TOKEN_ALGORITHM)
    forged = claims.encode(OTHER_SECRET, TOKEN_ALGORITHM)
    with pytest.raises(NotAuthorizedException):
        RememberedToken.decode(forged, SECRET, TOKEN_ALGORITHM)
    # and the real text under the wrong secret is not taken from memory either
    with pytest.raises(NotAuthorizedException):
        RememberedToken.decode(claims.encode(SECRET, TOKEN_ALGORITHM), OTHER_SECRET, TOKEN_ALGORITHM)
