"""Session rules: a login opens one, and its owner can end it, all the others, or (with the password) all."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import Select, delete, exists, select, update

from confab.db.types import utc_now
from confab.domain.sessions.models import KEEP_AFTER_EXPIRY, SessionModel
from confab.errors import NotFound
from confab.realtime.channels import token_channel

if TYPE_CHECKING:
    from confab.realtime.hub import RealtimeHub

MAX_USER_AGENT = 512
MAX_ADDRESS = 64


class SessionService(SQLAlchemyAsyncRepositoryService[SessionModel]):
    """Ending a session marks its row ended (its token is refused from then on) and closes its sockets."""

    class Repo(SQLAlchemyAsyncRepository[SessionModel]):
        model_type = SessionModel

    repository_type = Repo

    def __init__(self, hub: RealtimeHub, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hub = hub

    async def open(self, user_id: int, client_address: str, user_agent: str) -> SessionModel:
        """Record a new session (its token is issued with the returned jti); forgets long-expired rows."""
        now = utc_now()
        session = self.repository.session
        await session.execute(delete(SessionModel).where(SessionModel.expires_at < now - KEEP_AFTER_EXPIRY))
        row = SessionModel(
            id=secrets.token_urlsafe(12),
            jti=uuid.uuid4().hex,
            user_id=user_id,
            # PostgreSQL refuses NUL in text, and no printable label needs control characters.
            user_agent="".join(character for character in user_agent if character.isprintable())[:MAX_USER_AGENT],
            client_address=client_address[:MAX_ADDRESS],
            created_at=now,
            last_used_at=now,
            expires_at=now + timedelta(seconds=self.hub.settings.token_lifetime_seconds),
        )
        session.add(row)
        await session.commit()
        return row

    async def list_live(self, user_id: int) -> Sequence[SessionModel]:
        """The user's sessions whose tokens still work, oldest first."""
        query = _live_sessions_of(user_id).order_by(SessionModel.created_at.asc(), SessionModel.id.asc())
        return (await self.repository.session.scalars(query)).all()

    async def end(self, user_id: int, session_id: str, current_jti: str | None) -> None:
        """End one of the user's live sessions; any other id (another user's included) is not found."""
        row = await self.repository.session.scalar(_live_sessions_of(user_id).where(SessionModel.id == session_id))
        if row is None:
            raise NotFound(f"you have no session with id {session_id!r}")
        await self._end([row], "logged out" if row.jti == current_jti else "ended from another device")

    async def end_current(self, jti: str | None) -> None:
        """Log out: end the session of the token in use."""
        row = await self.repository.session.scalar(
            select(SessionModel).where(SessionModel.jti == (jti or ""), SessionModel.ended_at.is_(None))
        )
        await self._end([row] if row else [], "logged out")

    async def end_others(self, user_id: int, current_jti: str | None) -> None:
        """End every live session of the user except the one whose token is in use."""
        others = [row for row in await self.list_live(user_id) if row.jti != current_jti]
        await self._end(others, "ended from another device")

    async def end_all(self, user_id: int) -> None:
        """Mark every session of the user ended, uncommitted: a password change then `open`s the new one,
        which commits both, and closes the sockets of all of them through the user's channel."""
        await self.repository.session.execute(
            update(SessionModel)
            .where(SessionModel.user_id == user_id, SessionModel.ended_at.is_(None))
            .values(ended_at=utc_now())
        )

    async def is_known_address(self, user_id: int | None, client_address: str) -> bool:
        """Whether one of the user's recorded sessions (live, ended or recently expired) came from here."""
        query = select(
            exists().where(
                SessionModel.user_id == (user_id or 0), SessionModel.client_address == client_address[:MAX_ADDRESS]
            )
        )
        return bool(await self.repository.session.scalar(query))

    async def _end(self, rows: Sequence[SessionModel], reason: str) -> None:
        """Commit the end of these sessions, then close their sockets on every worker."""
        if not rows:
            return
        ids, jtis = [row.id for row in rows], [row.jti for row in rows]
        await self.repository.session.execute(
            update(SessionModel)
            .where(SessionModel.id.in_(ids), SessionModel.ended_at.is_(None))
            .values(ended_at=utc_now())
        )
        await self.repository.session.commit()
        for jti in jtis:
            await self.hub.end_sessions(token_channel(jti), reason=reason)


def _live_sessions_of(user_id: int) -> Select[tuple[SessionModel]]:
    return select(SessionModel).where(
        SessionModel.user_id == user_id, SessionModel.ended_at.is_(None), SessionModel.expires_at > utc_now()
    )
