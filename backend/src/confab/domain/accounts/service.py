"""Account rules: sign-up, login (throttled per nickname as well as per address) and the people directory."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from advanced_alchemy.exceptions import IntegrityError
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import func, select

from confab.domain.accounts.models import EMAIL_INDEX, NICKNAME_INDEX, UserModel
from confab.domain.accounts.passwords import Passwords
from confab.domain.accounts.schemas import Credentials, PasswordChange, UserCreate
from confab.domain.sessions.models import SessionModel
from confab.domain.sessions.service import SessionService
from confab.errors import Conflict, Forbidden
from confab.realtime.channels import user_channel

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

    async def authenticate(self, credentials: Credentials, client_address: str) -> UserModel | None:
        """The user whose nickname (any case) and password match; the same work is done when none does.

        Failed logins are counted per nickname (existing or not, so a refusal reveals nothing). Once they
        exceed RATE_LIMIT_LOGIN_FAILURES, only addresses the account has had sessions from may still try,
        so a guesser spreading over many addresses is stopped while the owner can still log in.
        """
        account_key = credentials.nickname.lower()
        session = self.repository.session
        user = await session.scalar(select(UserModel).where(func.lower(UserModel.nickname) == account_key))
        refusal = await self.hub.rate_limits.refusal("login_failures", account_key)
        if refusal is not None:
            known = await SessionService(session=session, hub=self.hub).is_known_address(
                user.id if user else None, client_address
            )
            if not known:
                raise refusal
        password_ok = await self.passwords.verify(user.password_hash if user else None, credentials.password)
        if not password_ok:
            await self.hub.rate_limits.record("login_failures", account_key)
            return None
        return user

    async def change_password(
        self, user_id: int, change: PasswordChange, client_address: str, user_agent: str
    ) -> tuple[UserModel, SessionModel]:
        """Check the current password, store the new one, end every session of the user and open a new
        one for this client, in one transaction; then close every socket opened before the change."""
        user = await self.repository.get(user_id)
        if not await self.passwords.verify(user.password_hash, change.current_password):
            raise Forbidden("the current password is wrong")
        user.password_hash = await self.passwords.hash(change.new_password)
        user.token_generation += 1
        sessions = SessionService(session=self.repository.session, hub=self.hub)
        await sessions.end_all(user.id)
        fresh = await sessions.open(user.id, client_address, user_agent)
        await self.hub.end_sessions(user_channel(user.nickname), reason="password changed")
        return user, fresh

    async def list_people(self) -> Sequence[UserModel]:
        return await self.repository.list(order_by=[UserModel.id.asc()])
