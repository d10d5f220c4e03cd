"""Who reads a new message, whom it mentions, and whom it should alert under their notification levels.

Everything here runs inside the message's transaction, so the mentions are stored with it and the
alerts go out (through the hub, after the commit) to the readers the message was written for.

The rules, per reader other than the author:
- a reader at level `none` is never alerted (the message still counts as unread, and as an unread mention);
- a reader the message mentions is alerted with reason `mention` (at `all` and at `mentions`);
- otherwise a message in the conversation's main list alerts a DM's recipient (`dm`) and room members
  at level `all` (`room`);
- otherwise a thread reply alerts the thread's followers: a DM's other party (`dm`), room members at
  level `all` (`room`). A room member at `mentions` hears of a thread only when mentioned in it.
DMs have no level of their own: they always alert.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.accounts.models import UserModel
from confab.domain.accounts.schemas import PublicUser
from confab.domain.mentions.parsing import Mentioned
from confab.domain.notifications.schemas import NotificationLevel, Reason
from confab.domain.rooms.models import RoomMembershipModel
from confab.domain.threads.models import ThreadFollowModel

_members = RoomMembershipModel.__table__.c
_users = UserModel.__table__.c
_follows = ThreadFollowModel.__table__.c


@dataclass(frozen=True)
class Reader:
    """Someone besides the author who may read a message, with their level for its conversation."""

    id: int
    nickname: str
    level: NotificationLevel = "all"


async def readers_of(
    session: AsyncSession, author_id: int, *, recipient: PublicUser | None, room_id: int | None
) -> list[Reader]:
    """The people besides the author who may read a message: a DM's recipient, or the room's members now."""
    if room_id is None:
        return dm_readers(author_id, recipient)
    members = await room_members(session, [room_id])
    return [reader for reader in members.get(room_id, []) if reader.id != author_id]


def dm_readers(author_id: int, recipient: PublicUser | None) -> list[Reader]:
    """A DM's reader: its recipient, unless the author writes to themselves."""
    if recipient is None or recipient.id == author_id:
        return []
    return [Reader(recipient.id, recipient.nickname)]


async def room_members(session: AsyncSession, room_ids: Iterable[int]) -> dict[int, list[Reader]]:
    """Each room's members now, with their levels: one query for any number of rooms (a batch of sends)."""
    wanted = set(room_ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(_members.room_id, _members.user_id, _users.nickname, _members.notification_level)
        .join(UserModel.__table__, _users.id == _members.user_id)
        .where(_members.room_id.in_(wanted))
    )
    grouped: dict[int, list[Reader]] = {}
    for room_id, user_id, nickname, level in rows.tuples():
        grouped.setdefault(room_id, []).append(Reader(user_id, nickname, level))
    return grouped


def mentioned_among(readers: Iterable[Reader], mentioned: Mentioned) -> set[int]:
    """The readers the text mentions: `@room` names them all, `@nickname` (any case) each one."""
    readers = list(readers)
    if not mentioned:
        return set()
    if mentioned.room:
        return {reader.id for reader in readers}
    return mentioned.resolve({reader.nickname.lower(): reader.id for reader in readers})


async def thread_followers(session: AsyncSession, root_id: int) -> set[int]:
    """Who follows the thread now (within the reply's transaction: the replier and the mentioned included)."""
    rows = await session.scalars(
        select(_follows.user_id).where(_follows.root_id == root_id, _follows.following.is_(True))
    )
    return set(rows)


def alerts(
    readers: Iterable[Reader],
    mentions: set[int],
    *,
    direct: bool,
    followers: set[int] | None = None,
) -> dict[Reason, list[str]]:
    """The nicknames to alert, grouped by reason (see the module docstring). `followers` is given for a reply."""
    grouped: dict[Reason, list[str]] = {}
    for reader in readers:
        reason: Reason | None = None
        if reader.level == "none":
            continue
        if reader.id in mentions:
            reason = "mention"
        elif direct:
            reason = "dm" if followers is None or reader.id in followers else None
        elif reader.level == "all" and (followers is None or reader.id in followers):
            reason = "room"
        if reason is not None:
            grouped.setdefault(reason, []).append(reader.nickname)
    return grouped
