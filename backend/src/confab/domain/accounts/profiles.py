"""Public profiles by user id, remembered per process: every DM needs its recipient's, and they never change.

A profile (id, name, nickname) is fixed at sign-up: nothing renames an account and nothing deletes
one, so a cached profile cannot go stale and needs no invalidation across workers. Looking one up
was a query on every DM and every DM typing event (about 12% of a REST send). Whoever adds
renaming or account deletion must invalidate here, on every worker.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.accounts.models import UserModel
from confab.domain.accounts.schemas import PublicUser

DEFAULT_CAPACITY = 100_000  # about 200 bytes each: 20 MB at most


class PublicProfiles:
    """A bounded map from user id to `PublicUser`; the oldest entry makes room when it is full."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._profiles: dict[int, PublicUser] = {}

    async def get(self, session: AsyncSession, user_id: int) -> PublicUser | None:
        """The user's profile, from memory or else from `session`; None for no such user (not remembered)."""
        profile = self._profiles.get(user_id)
        if profile is not None:
            return profile
        row = (
            await session.execute(
                select(UserModel.id, UserModel.name, UserModel.nickname).where(UserModel.id == user_id)
            )
        ).first()
        if row is None:
            return None
        profile = PublicUser(id=row.id, name=row.name, nickname=row.nickname)
        if len(self._profiles) >= self.capacity:
            del self._profiles[next(iter(self._profiles))]
        self._profiles[user_id] = profile
        return profile
