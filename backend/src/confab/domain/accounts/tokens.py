"""Bearer tokens: one signed JWT serves REST (Litestar's JWTAuth) and the Socket.IO handshake."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.security.jwt import JWTAuth, Token

from confab.domain.accounts.models import UserModel
from confab.settings import Settings

TOKEN_ALGORITHM = "HS256"


async def _load_token_user(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> UserModel | None:
    """Resolve the token's subject within the request's own database session (no extra connection)."""
    try:
        user_id = int(token.sub)
    except ValueError:
        return None
    session = connection.app.state.database_config.provide_session(connection.app.state, connection.scope)
    return await session.get(UserModel, user_id)


def build_jwt_auth(settings: Settings) -> JWTAuth[UserModel]:
    """Every route needs the bearer token unless its handler opts out with `exclude_from_auth`."""
    return JWTAuth[UserModel](
        token_secret=settings.secret_key,
        algorithm=TOKEN_ALGORITHM,
        retrieve_user_handler=_load_token_user,
        default_token_expiration=timedelta(seconds=settings.token_lifetime_seconds),
        exclude=["^/schema", "^/db/alive$", "^/$"],
        exclude_opt_key="exclude_from_auth",
        description="The `access_token` returned by `POST /api/auth/token`.",
    )


def decode_user_id(encoded: object, settings: Settings) -> int:
    """The user id inside a token, or `NotAuthorizedException` when the token is missing, forged or expired."""
    if not isinstance(encoded, str) or not encoded:
        raise NotAuthorizedException("missing token")
    token = Token.decode(encoded, secret=settings.secret_key, algorithm=TOKEN_ALGORITHM)
    try:
        return int(token.sub)
    except ValueError as error:
        raise NotAuthorizedException("invalid token") from error
