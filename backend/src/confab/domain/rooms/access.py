"""Who may see a room: the one membership check every room rule goes through."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.rooms.models import RoomMembershipModel, RoomModel
from confab.errors import Forbidden, NotFound


async def require_membership(session: AsyncSession, room_id: int, user_id: int) -> RoomMembershipModel:
    """The caller's membership; 404 when the room does not exist, 403 when the caller is not in it.

    confab answers 403 (not 404) to non-members of a room that exists: room ids are not secret, and a
    clear "you are not a member" is more useful to a client than pretending the room is not there.
    """
    membership = await session.scalar(
        select(RoomMembershipModel).where(
            RoomMembershipModel.room_id == room_id, RoomMembershipModel.user_id == user_id
        )
    )
    if membership is not None:
        return membership
    if await session.get(RoomModel, room_id) is None:
        raise NotFound(f"no room with id {room_id}")
    raise Forbidden("you are not a member of this room")
