"""Bearer tokens: one signed JWT serves REST (Litestar's JWTAuth) and the Socket.IO handshake.

Each token has a unique `jti` (so logging out can revoke exactly that token) and carries the user's
token generation (a password change bumps it, revoking every older token at once).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.openapi.spec import Components, SecurityScheme
from litestar.security.jwt import JWTAuth, Token
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.accounts.models import RevokedTokenModel, UserModel
from confab.domain.accounts.schemas import User
from confab.settings import Settings

TOKEN_ALGORITHM = "HS256"
GENERATION_CLAIM = "gen"
# Every authenticated request runs this, so it is built once (building it per call, and hashing it for
# the compiled-statement cache, cost about as much as running it) and it is a Core select on the
# tables: an ORM select, even of plain columns, cost another 10% of a REST send in ORM bookkeeping.
_users = UserModel.__table__.c
_revoked = RevokedTokenModel.__table__.c
TOKEN_USER = select(
    _users.id,
    _users.name,
    _users.nickname,
    _users.email,
    _users.token_generation,
    select(_revoked.jti).where(_revoked.jti == bindparam("jti")).exists().label("revoked"),
).where(_users.id == bindparam("user_id"))


def issue_token(jwt_auth: JWTAuth[User], user: UserModel) -> str:
    return jwt_auth.create_token(
        identifier=str(user.id),
        token_unique_jwt_id=uuid.uuid4().hex,
        token_extras={GENERATION_CLAIM: user.token_generation},
    )


async def user_for_token(session: AsyncSession, token: Token) -> User | None:
    """The token's user, unless the token was logged out or predates a password change (one query)."""
    try:
        user_id = int(token.sub)
    except ValueError:
        return None
    row = (await session.execute(TOKEN_USER, {"user_id": user_id, "jti": token.jti or ""})).first()
    if row is None or row.revoked or token.extras.get(GENERATION_CLAIM, 0) != row.token_generation:
        return None
    return User(id=row.id, name=row.name, nickname=row.nickname, email=row.email)


async def _load_token_user(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> User | None:
    """Resolve the token's user within the request's own database session (no extra connection)."""
    session = connection.app.state.database_config.provide_session(connection.app.state, connection.scope)
    return await user_for_token(session, token)


class BearerTokenAuth(JWTAuth[User, Token]):
    """Litestar's JWT auth, published as a plain `http` bearer scheme.

    Litestar adds `name: Authorization` to the scheme, a field only `apiKey` schemes have: OpenAPI 3.1
    validators refuse the whole document for it, and client generators with them.
    """

    @property
    def openapi_components(self) -> Components:
        return Components(
            security_schemes={
                self.openapi_security_scheme_name: SecurityScheme(
                    type="http", scheme="Bearer", bearer_format="JWT", description=self.description
                )
            }
        )


def build_jwt_auth(settings: Settings) -> BearerTokenAuth:
    """Every route needs the bearer token unless its handler opts out with `exclude_from_auth`."""
    return BearerTokenAuth(
        token_secret=settings.secret_key,
        algorithm=TOKEN_ALGORITHM,
        retrieve_user_handler=_load_token_user,
        default_token_expiration=timedelta(seconds=settings.token_lifetime_seconds),
        exclude=["^/schema", "^/db/alive$", "^/$"],
        exclude_opt_key="exclude_from_auth",
        description="The `access_token` returned by `POST /api/auth/token`.",
    )


def decode_token(encoded: object, settings: Settings) -> Token:
    """The verified token, or `NotAuthorizedException` when it is missing, forged or expired."""
    if not isinstance(encoded, str) or not encoded:
        raise NotAuthorizedException("missing token")
    return Token.decode(encoded, secret=settings.secret_key, algorithm=TOKEN_ALGORITHM)
