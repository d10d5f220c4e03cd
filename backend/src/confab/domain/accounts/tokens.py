"""Bearer tokens: one signed JWT serves REST (Litestar's JWTAuth) and the Socket.IO handshake.

Each token has a unique `jti` naming its session (domain/sessions): the token works only while that
session has not ended, so logging out or ending the session from elsewhere revokes exactly that token.
It also carries the user's token generation (a password change bumps it, revoking every older token).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Self

import asyncpg
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.openapi.spec import Components, SecurityScheme
from litestar.security.jwt import JWTAuth, Token
from sqlalchemy import Row, String, any_, bindparam, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from confab.db.driver import DriverStatement
from confab.db.engine import outside_transactions
from confab.db.held import HeldConnection
from confab.db.reconnect import retry_if_connection_died
from confab.db.types import utc_now
from confab.domain.accounts.models import UserModel
from confab.domain.accounts.profiles import Profile, PublicProfiles
from confab.domain.accounts.schemas import User, avatar_url
from confab.domain.files.links import FileLinks
from confab.domain.sessions.models import SessionModel
from confab.settings import Settings

TOKEN_ALGORITHM = "HS256"
GENERATION_CLAIM = "gen"
# Every authenticated request runs this, so it is built once (building it per call, and hashing it for
# the compiled-statement cache, cost about as much as running it) and it is a Core select on the
# tables: an ORM select, even of plain columns, cost another 10% of a REST send in ORM bookkeeping.
# It finds the session by its unique jti and the user by primary key: still one indexed lookup each.
_users = UserModel.__table__.c
_sessions = SessionModel.__table__.c
_TOKEN_USER_COLUMNS = select(
    _users.id,
    _users.name,
    _users.nickname,
    _users.email,
    _users.status,
    _users.avatar_file_id,
    _users.token_generation,
    _sessions.id.label("session_id"),
    _sessions.last_used_at,
).join_from(SessionModel.__table__, UserModel.__table__, _users.id == _sessions.user_id)
TOKEN_USER = _TOKEN_USER_COLUMNS.where(
    _sessions.jti == bindparam("jti"), _sessions.user_id == bindparam("user_id"), _sessions.ended_at.is_(None)
)
# The same, for many tokens at once (PostgreSQL: `TokenChecks`, sent by asyncpg itself: `confab.db.driver`);
# each row is matched to its token by jti.
TOKEN_USERS = DriverStatement(
    _TOKEN_USER_COLUMNS.add_columns(_sessions.jti, _sessions.user_id).where(
        _sessions.jti == any_(bindparam("jtis", type_=ARRAY(String))), _sessions.ended_at.is_(None)
    )
)
# At most this many token checks per query.
MAX_CHECKS_PER_READ = 256
# "Last used" is kept to the minute, so a busy client costs one write a minute, not one per request.
LAST_USED_PRECISION = timedelta(minutes=1)
TOUCH_SESSION = (
    update(SessionModel.__table__)
    .where(_sessions.id == bindparam("session_id"))
    .values(last_used_at=bindparam("used_at"))
)


class RememberedToken(Token):
    """A token whose verification is remembered, by its exact text, until it expires.

    Verifying the signature (PyJWT's parsing, key checks and HMAC) was about 7% of a REST send, for the
    same few tokens again and again. Revocation is unaffected: the session and the token generation are
    read from the database on every request (`user_for_token`), and a remembered token still expires.
    """

    CAPACITY: ClassVar[int] = 10_000
    _verified: ClassVar[dict[tuple[str, str, str], Token]] = {}

    @classmethod
    def decode(
        cls,
        encoded_token: str,
        secret: str,
        algorithm: str,
        audience: str | Sequence[str] | None = None,
        issuer: str | Sequence[str] | None = None,
        require_claims: Sequence[str] | None = None,
        verify_exp: bool = True,
        verify_nbf: bool = True,
        strict_audience: bool = False,
    ) -> Self:
        checks = (audience, issuer, require_claims, verify_exp, verify_nbf, strict_audience)
        if checks != (None, None, None, True, True, False):  # not how confab verifies: nothing remembered
            return super().decode(encoded_token, secret, algorithm, *checks)
        key = (encoded_token, secret, algorithm)
        remembered = cls._verified.get(key)
        if remembered is not None and remembered.exp > datetime.now(UTC):
            return remembered  # type: ignore[return-value]
        token = super().decode(encoded_token, secret, algorithm)
        if len(cls._verified) >= cls.CAPACITY:
            del cls._verified[next(iter(cls._verified))]
        cls._verified[key] = token
        return token


def issue_token(jwt_auth: JWTAuth[User], user: UserModel, jti: str) -> str:
    """A token for the session whose jti is `jti` (see `SessionService.open`)."""
    return jwt_auth.create_token(
        identifier=str(user.id),
        token_unique_jwt_id=jti,
        token_extras={GENERATION_CLAIM: user.token_generation},
    )


async def user_for_token(database: AsyncSession, token: Token, links: FileLinks) -> User | None:
    """The token's user while its session is live and it postdates the last password change (one query, the
    first of `database`'s transaction: made once more on a fresh connection if it met a dead one)."""
    user_id = _token_user_id(token)
    if user_id is None:
        return None
    row = await retry_if_connection_died(database, lambda: _session_row(database, user_id, token))
    return await _accept(database, token, row, links)


class TokenChecks:
    """PostgreSQL's token checks, read together: those that arrive while one read is in flight share the next.

    Every authenticated request reads its session and user, so that revoking a token takes effect at once. On
    PostgreSQL that one SELECT cost as much as the rest of a REST send's PostgreSQL work (a round trip, a
    pooled connection and a database backend woken for each request; bench/RESULTS.md, 2026-11-28). As the
    group commit does for writes, a check starts at once when no read is in flight (a lone request waits for
    nothing but its own read) and the checks that arrive meanwhile are made by the next read, one
    `jti = ANY(...)` lookup for all of them, outside any transaction. Each check's read starts after its
    request arrived, so a session that had ended by then is never taken for live.

    The rows read hold the users' profiles too: each is kept in the worker's profile cache (`PublicProfiles`), so
    a worker never reads again the profile of a user whose token it checked (a send's author, say).

    A connection that died with a database restart fails the read before anything is written: the read is
    made once more, on a fresh connection. The reads share one connection, kept between them, and are sent
    by asyncpg itself (`confab.db.held`).
    """

    def __init__(self, engine: AsyncEngine, profiles: PublicProfiles) -> None:
        self.engine = outside_transactions(engine)
        self.profiles = profiles
        self.reads = HeldConnection(self.engine)
        self._queue: list[tuple[int, str, asyncio.Future[Any]]] = []
        self._reading: asyncio.Task[None] | None = None

    async def user_for(self, token: Token, links: FileLinks) -> User | None:
        """`user_for_token`, with the session read among the others queued with it."""
        user_id = _token_user_id(token)
        if user_id is None:
            return None
        row = await self.session_row(user_id, token.jti or "")
        user = _live_user(token, row, links)
        if user is not None and _stale(row):
            async with self.engine.connect() as connection:
                await _touch(connection, row)
        return user

    async def session_row(self, user_id: int, jti: str) -> Any:
        """The live session `jti` of `user_id` with its user's columns (TOKEN_USER's and more), or None."""
        checked: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append((user_id, jti, checked))
        if self._reading is None:
            self._reading = asyncio.create_task(self._read_queued())
        return await checked

    async def _read_queued(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue[:MAX_CHECKS_PER_READ], self._queue[MAX_CHECKS_PER_READ:]
                changes = self.profiles.changes
                try:
                    rows = await self._read(list({jti for _user_id, jti, _checked in batch}))
                except Exception as error:  # every waiting request hears of it rather than waiting forever
                    for _user_id, _jti, checked in batch:
                        if not checked.done():
                            checked.set_exception(error)
                    continue
                for row in rows.values():  # a live session's user: an open account, whose profile the request needs
                    profile = Profile(row.id, row.name, row.nickname, row.status, row.avatar_file_id, deleted=False)
                    self.profiles.remember(profile, changes)
                for user_id, jti, checked in batch:
                    row = rows.get(jti)
                    if not checked.done():  # a request given up meanwhile
                        checked.set_result(row if row is not None and row.user_id == user_id else None)
        finally:
            self._reading = None

    async def _read(self, jtis: list[str]) -> dict[str, Any]:
        return await self.reads.run(lambda driver: _session_rows(driver, jtis))

    async def close(self) -> None:
        """Give back the connection kept for the reads (the worker is stopping)."""
        await self.reads.close()


async def _session_rows(driver: asyncpg.Connection, jtis: list[str]) -> dict[str, Any]:
    return {row.jti: row for row in await TOKEN_USERS.rows(driver, {"jtis": jtis})}


def _token_user_id(token: Token) -> int | None:
    try:
        return int(token.sub)
    except ValueError:
        return None


async def _session_row(database: AsyncSession | AsyncConnection, user_id: int, token: Token) -> Row[Any] | None:
    return (await database.execute(TOKEN_USER, {"user_id": user_id, "jti": token.jti or ""})).first()


async def _accept(
    database: AsyncSession | AsyncConnection, token: Token, row: Row[Any] | None, links: FileLinks
) -> User | None:
    """The user of a live session row whose token generation matches; "last used" is written once a minute."""
    user = _live_user(token, row, links)
    if user is not None and _stale(row):
        await _touch(database, row)
    return user


def _live_user(token: Token, row: Any, links: FileLinks) -> User | None:
    """`row`: TOKEN_USER's (a SQLAlchemy row) or TOKEN_USERS' (a driver row), or None."""
    if row is None or token.extras.get(GENERATION_CLAIM, 0) != row.token_generation:
        return None
    return User(
        id=row.id,
        name=row.name,
        nickname=row.nickname,
        email=row.email,
        status=row.status,
        avatar_url=avatar_url(row.avatar_file_id, links),
    )


def _stale(row: Any) -> bool:
    return utc_now() - row.last_used_at >= LAST_USED_PRECISION


async def _touch(database: AsyncSession | AsyncConnection, row: Any) -> None:
    await database.execute(TOUCH_SESSION, {"session_id": row.session_id, "used_at": utc_now()})
    await database.commit()


async def _load_token_user(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> User | None:
    """On PostgreSQL, read together with the other requests' (`TokenChecks`). On SQLite, within the request's
    own database session, whose one transaction (begun IMMEDIATE) its handler then goes on with."""
    state = connection.app.state
    links = state.hub.file_links
    if state.token_checks is not None:
        return await state.token_checks.user_for(token, links)
    session = state.database_config.provide_session(state, connection.scope)
    return await user_for_token(session, token, links)


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
        token_cls=RememberedToken,
        default_token_expiration=timedelta(seconds=settings.token_lifetime_seconds),
        exclude=["^/schema", "^/db/alive$", "^/$"],
        exclude_opt_key="exclude_from_auth",
        description="The `access_token` returned by `POST /api/auth/token`.",
    )


def decode_token(encoded: object, settings: Settings) -> Token:
    """The verified token, or `NotAuthorizedException` when it is missing, forged or expired."""
    if not isinstance(encoded, str) or not encoded:
        raise NotAuthorizedException("missing token")
    return RememberedToken.decode(encoded, secret=settings.secret_key, algorithm=TOKEN_ALGORITHM)
