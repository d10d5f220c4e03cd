"""Public profiles by user id, remembered per process: every DM needs its recipient's, every message its author's.

Looking a profile up was a query on every DM and every DM typing event (about 12% of a REST send), so each
worker keeps them in memory. Profiles change (`PATCH /api/me`, avatars, closing an account), so every change
is announced as a `user_updated` event through the realtime hub, and every worker's client manager drops the
user's entry before it delivers that event to any of its sockets (`RealtimeHub.user_updated`): once anybody
has seen the change, every worker reads the new profile. A worker whose Redis link lost events forgets every
profile when the link is back (`RelayWatch.resync`), as its clients catch up.

What is kept is the row's public columns; the avatar's signed link is made afresh for each profile handed out.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.accounts.models import UserModel
from confab.domain.accounts.schemas import PublicUser, avatar_url
from confab.domain.files.links import FileLinks

DEFAULT_CAPACITY = 100_000  # about 300 bytes each: 30 MB at most

_users = UserModel.__table__.c
PROFILE_COLUMNS = (_users.id, _users.name, _users.nickname, _users.status, _users.avatar_file_id, _users.deleted_at)


class Profile(NamedTuple):
    id: int
    name: str
    nickname: str
    status: str
    avatar_file_id: int | None
    deleted: bool


class PublicProfiles:
    """A bounded map from user id to profile; the oldest entry makes room when it is full."""

    def __init__(self, links: FileLinks, capacity: int = DEFAULT_CAPACITY) -> None:
        self.links = links
        self.capacity = capacity
        self._profiles: dict[int, Profile] = {}
        # Bumped by every `forget`: a read that started before a change must not store what it read.
        self._changes = 0

    def public(self, profile: Profile) -> PublicUser:
        return PublicUser(
            id=profile.id,
            name=profile.name,
            nickname=profile.nickname,
            status=profile.status,
            avatar_url=avatar_url(profile.avatar_file_id, self.links),
            deleted=profile.deleted,
        )

    def remembered(self, user_id: int) -> PublicUser | None:
        """The user's profile if this worker has it in memory (None says nothing of whether the user exists)."""
        profile = self._profiles.get(user_id)
        return None if profile is None else self.public(profile)

    async def get(self, session: AsyncSession, user_id: int) -> PublicUser | None:
        """The user's profile, from memory or else from `session`; None for no such user (not remembered)."""
        profile = self._profiles.get(user_id)
        if profile is None:
            changes = self.changes
            row = (await session.execute(select(*PROFILE_COLUMNS).where(_users.id == user_id))).first()
            if row is None:
                return None
            profile = Profile(
                row.id, row.name, row.nickname, row.status, row.avatar_file_id, row.deleted_at is not None
            )
            self.remember(profile, changes)
        return self.public(profile)

    @property
    def changes(self) -> int:
        """Read before a profile is read from the database, and given to `remember` with it."""
        return self._changes

    def remember(self, profile: Profile, changes: int) -> None:
        """Keep `profile`, read after `changes` was taken, unless a change was announced since."""
        if changes != self._changes or profile.id in self._profiles:
            return
        if len(self._profiles) >= self.capacity:
            del self._profiles[next(iter(self._profiles))]
        self._profiles[profile.id] = profile

    def forget(self, user_id: int | None = None) -> None:
        """Drop one user's profile (it changed), or every profile (changes may have been missed)."""
        self._changes += 1
        if user_id is None:
            self._profiles.clear()
        else:
            self._profiles.pop(user_id, None)
