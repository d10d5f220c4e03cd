"""Who may see a room: the one membership check every room rule goes through."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.rooms.models import RoomMembershipModel, RoomModel
from confab.errors import Forbidden, NotFound

# Every room send and read runs this: built once, and a Core select of one column (the ORM entity
# joined in the member's whole user row, password hash included, for a yes or no).
_members = RoomMembershipModel.__table__.c
IS_MEMBER = select(_members.user_id).where(
    _members.room_id == bindparam("room_id"), _members.user_id == bindparam("user_id")
)


async def require_membership(session: AsyncSession, room_id: int, user_id: int) -> None:
    """Nothing when the caller is a member; 404 when the room does not exist, 403 when the caller is not in it.

    confab answers 403 (not 404) to non-members of a room that exists: room ids are not secret, and a
    clear "you are not a member" is more useful to a client than pretending the room is not there.
    """
    if (await session.execute(IS_MEMBER, {"room_id": room_id, "user_id": user_id})).first() is not None:
        return
    if await session.get(RoomModel, room_id) is None:
        raise NotFound(f"no room with id {room_id}")
    raise Forbidden("you are not a member of this room")
