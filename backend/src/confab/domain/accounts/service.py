"""Account rules: sign-up, login (throttled per nickname as well as per address) and the people directory."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from advanced_alchemy.exceptions import IntegrityError
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import Select, and_, exists, func, or_, select, tuple_
from sqlalchemy.orm import aliased

from confab.db.reconnect import retry_if_connection_died
from confab.domain.accounts.directory import (
    NAME,
    NICKNAME,
    DirectoryCursor,
    name_key,
    name_keys,
    nickname_key,
    prefix_end,
)
from confab.domain.accounts.models import (
    EMAIL_INDEX,
    NICKNAME_INDEX,
    DirectoryKeyModel,
    UserModel,
)
from confab.domain.accounts.passwords import Passwords
from confab.domain.accounts.profiles import PROFILE_COLUMNS, Profile
from confab.domain.accounts.schemas import (
    Credentials,
    PasswordChange,
    PublicUser,
    UserCreate,
)
from confab.domain.sessions.models import SessionModel
from confab.domain.sessions.service import SessionService
from confab.errors import BadRequest, Conflict, Forbidden
from confab.realtime.channels import user_channel

if TYPE_CHECKING:
    from confab.realtime.hub import RealtimeHub


# What a closed account's nickname becomes (`deleted-<id>`, see domain/profiles); sign-ups may not take one.
DELETED_NICKNAME = re.compile(r"deleted-[0-9]+", re.IGNORECASE)


class DirectoryMatch(NamedTuple):
    kind: int
    key: str
    user_id: int
    name: str
    nickname: str


class DirectoryPage(NamedTuple):
    """One page of people, and where the next one starts (None on the last page)."""

    people: list[PublicUser]
    next_cursor: DirectoryCursor | None


def directory_keys_of(user: UserModel) -> list[DirectoryKeyModel]:
    keys = [DirectoryKeyModel(kind=NICKNAME, key=nickname_key(user.nickname), user_id=user.id)]
    keys.extend(DirectoryKeyModel(kind=NAME, key=key, user_id=user.id) for key in name_keys(user.name))
    return keys


def _in_prefix_range(column: Any, prefix: str) -> Any:
    end = prefix_end(prefix)
    return column >= prefix if end is None else and_(column >= prefix, column < end)


def matching_keys_statement(
    kind: int, prefix: str, limit: int, *, after: tuple[str, int] | None = None, nickname_prefix: str = ""
) -> Select[tuple[int, str, int, str, str]]:
    """Users with a `kind` key starting with `prefix`, in key order: one range of the primary key's index.

    For names, a user is listed once, at their first matching key, and not at all when their nickname
    starts with `nickname_prefix` (they were listed among the nickname matches already)."""
    keys = DirectoryKeyModel
    statement = (
        select(keys.kind, keys.key, keys.user_id, UserModel.name, UserModel.nickname)
        .join(UserModel, UserModel.id == keys.user_id)
        .where(keys.kind == kind, _in_prefix_range(keys.key, prefix))
        .order_by(keys.key, keys.user_id)
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(tuple_(keys.key, keys.user_id) > tuple_(*after))
    if kind == NAME:
        other = aliased(DirectoryKeyModel)
        earlier_name_match = and_(other.kind == NAME, other.key >= prefix, other.key < keys.key)
        listed_already = earlier_name_match
        if nickname_prefix:
            listed_already = or_(
                and_(other.kind == NICKNAME, _in_prefix_range(other.key, nickname_prefix)), earlier_name_match
            )
        statement = statement.where(~exists().where(other.user_id == keys.user_id, listed_already))
    return statement


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
        if DELETED_NICKNAME.fullmatch(form.nickname):
            raise BadRequest("nickname: names of the form deleted-<number> are kept for closed accounts")
        user = UserModel(
            name=form.name,
            email=form.email,
            nickname=form.nickname,
            password_hash=await self.passwords.hash(form.password),
        )
        try:  # the INSERT is its transaction's first statement: made once more if it met a dead connection
            await retry_if_connection_died(self.repository.session, lambda: self.repository.add(user))
        except IntegrityError as error:
            await self.repository.session.rollback()
            text = f"{error} {error.__cause__}"  # the driver's message names the violated index
            if NICKNAME_INDEX in text or "users.nickname" in text:
                raise Conflict(f"nickname {form.nickname!r} is already taken") from error
            if EMAIL_INDEX in text or "users.email" in text:
                raise Conflict("that email address is already registered") from error
            raise
        self.repository.session.add_all(directory_keys_of(user))
        await self.repository.session.commit()
        return user

    async def authenticate(self, credentials: Credentials, client_address: str) -> UserModel | None:
        """The user whose nickname (any case) and password match; the same work is done when none does.

        Failed logins are counted per nickname (existing or not, so a refusal reveals nothing). Once they
        exceed RATE_LIMIT_LOGIN_FAILURES, only addresses the account has had sessions from may still try,
        so a guesser spreading over many addresses is stopped while the owner can still log in.
        """
        account_key = credentials.nickname.lower()
        session = self.repository.session
        user = await retry_if_connection_died(
            session,
            lambda: session.scalar(
                select(UserModel).where(func.lower(UserModel.nickname) == account_key, UserModel.deleted_at.is_(None))
            ),
        )
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

    def _public(self, row: Any) -> PublicUser:
        return self.hub.profiles.public(
            Profile(row.id, row.name, row.nickname, row.status, row.avatar_file_id, row.deleted_at is not None)
        )

    async def list_people(self) -> list[PublicUser]:
        """Everybody with an open account, by id (closed accounts are not listed; their profiles stay readable)."""
        rows = await self.repository.session.execute(
            select(*PROFILE_COLUMNS).where(UserModel.deleted_at.is_(None)).order_by(UserModel.id)
        )
        return [self._public(row) for row in rows]

    async def list_people_page(self, limit: int, after_id: int = 0) -> DirectoryPage:
        """Everybody by id, `limit` at a time."""
        rows = (
            await self.repository.session.execute(
                select(*PROFILE_COLUMNS)
                .where(UserModel.id > after_id, UserModel.deleted_at.is_(None))
                .order_by(UserModel.id)
                .limit(limit + 1)
            )
        ).all()
        people = [self._public(row) for row in rows[:limit]]
        more = len(rows) > limit
        return DirectoryPage(people, DirectoryCursor(mode="all", user_id=people[-1].id) if more else None)

    async def search_people(self, query: str, limit: int, after: DirectoryCursor | None = None) -> DirectoryPage:
        """People whose nickname starts with `query` (the exact one first), then people whose name has a word
        starting with it; accents, case and punctuation do not count. `after` continues a previous page."""
        session = self.repository.session
        nickname_prefix, name_prefix = nickname_key(query), name_key(query)
        matches: list[DirectoryMatch] = []
        if nickname_prefix and (after is None or after.kind == NICKNAME):
            position = (after.key, after.user_id) if after is not None else None
            statement = matching_keys_statement(NICKNAME, nickname_prefix, limit + 1, after=position)
            matches.extend(DirectoryMatch(*row) for row in await session.execute(statement))
        if name_prefix and len(matches) <= limit:
            position = (after.key, after.user_id) if after is not None and after.kind == NAME else None
            statement = matching_keys_statement(
                NAME, name_prefix, limit + 1 - len(matches), after=position, nickname_prefix=nickname_prefix
            )
            matches.extend(DirectoryMatch(*row) for row in await session.execute(statement))
        page = matches[:limit]
        profiles = await self.public_profiles([match.user_id for match in page])
        people = [profiles[match.user_id] for match in page if match.user_id in profiles]
        if len(matches) <= limit:
            return DirectoryPage(people, None)
        last = page[-1]
        return DirectoryPage(
            people, DirectoryCursor(mode="search", query=query, kind=last.kind, key=last.key, user_id=last.user_id)
        )

    async def public_profiles(self, user_ids: Sequence[int]) -> dict[int, PublicUser]:
        if not user_ids:
            return {}
        rows = await self.repository.session.execute(select(*PROFILE_COLUMNS).where(UserModel.id.in_(user_ids)))
        return {row.id: self._public(row) for row in rows}
