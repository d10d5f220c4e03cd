"""Account rules: sign-up, login and the people directory."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from advanced_alchemy.exceptions import IntegrityError
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from litestar.security.jwt import Token
from sqlalchemy import delete, func, select

from confab.db.types import utc_now
from confab.domain.accounts.models import EMAIL_INDEX, NICKNAME_INDEX, RevokedTokenModel, UserModel
from confab.domain.accounts.passwords import Passwords
from confab.domain.accounts.schemas import Credentials, PasswordChange, UserCreate
from confab.errors import Conflict, Forbidden
from confab.realtime.channels import token_channel, user_channel

if TYPE_CHECKING:
    from confab.realtime.hub import RealtimeHub


class UserService(SQLAlchemyAsyncRepositoryService[UserModel]):
    """Creates and authenticates accounts; the unique indexes, not a prior lookup, decide on duplicates."""

    class Repo(SQLAlchemyAsyncRepository[UserModel]):
        model_type = UserModel

    repository_type = Repo

    def __init__(self, passwords: Passwords, hub: RealtimeHub, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.passwords = passwords
        self.hub = hub

    async def sign_up(self, form: UserCreate) -> UserModel:
        user = UserModel(
            name=form.name,
            email=form.email,
            nickname=form.nickname,
            password_hash=await self.passwords.hash(form.password),
        )
        try:
            return await self.repository.add(user, auto_commit=True)
        except IntegrityError as error:
            await self.repository.session.rollback()
            text = f"{error} {error.__cause__}"  # the driver's message names the violated index
            if NICKNAME_INDEX in text or "users.nickname" in text:
                raise Conflict(f"nickname {form.nickname!r} is already taken") from error
            if EMAIL_INDEX in text or "users.email" in text:
                raise Conflict("that email address is already registered") from error
            raise

    async def authenticate(self, credentials: Credentials) -> UserModel | None:
        """The user whose nickname (any case) and password match; the same work is done when none does."""
        user = await self.repository.session.scalar(
            select(UserModel).where(func.lower(UserModel.nickname) == credentials.nickname.lower())
        )
        password_ok = await self.passwords.verify(user.password_hash if user else None, credentials.password)
        return user if password_ok else None

    async def log_out(self, token: Token) -> None:
        """Revoke this one token until it expires and close its sockets; expired revocations are forgotten."""
        session = self.repository.session
        await session.execute(delete(RevokedTokenModel).where(RevokedTokenModel.expires_at < utc_now()))
        if token.jti and await session.get(RevokedTokenModel, token.jti) is None:
            session.add(RevokedTokenModel(jti=token.jti, expires_at=token.exp))
        await session.commit()
        if token.jti:
            await self.hub.end_sessions(token_channel(token.jti), reason="logged out")

    async def change_password(self, user_id: int, change: PasswordChange) -> UserModel:
        """Check the current password, store the new one, and revoke every token issued before now."""
        user = await self.repository.get(user_id)
        if not await self.passwords.verify(user.password_hash, change.current_password):
            raise Forbidden("the current password is wrong")
        user.password_hash = await self.passwords.hash(change.new_password)
        user.token_generation += 1
        await self.repository.session.commit()
        await self.hub.end_sessions(user_channel(user.nickname), reason="password changed")
        return user

    async def list_people(self) -> Sequence[UserModel]:
        return await self.repository.list(order_by=[UserModel.id.asc()])
