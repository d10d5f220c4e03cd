"""Notification levels: how much each member wants to be alerted of in each of their rooms."""

from __future__ import annotations

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import update

from confab.domain.notifications.schemas import NotificationLevel, NotificationSetting
from confab.domain.rooms.access import require_membership
from confab.domain.rooms.models import RoomMembershipModel


class NotificationService(SQLAlchemyAsyncRepositoryService[RoomMembershipModel]):
    class Repo(SQLAlchemyAsyncRepository[RoomMembershipModel]):
        model_type = RoomMembershipModel

    repository_type = Repo

    async def set_room_level(self, user_id: int, room_id: int, level: NotificationLevel) -> NotificationSetting:
        """Set the member's level for the room (members only: 403 for others, 404 for no such room)."""
        session = self.repository.session
        await require_membership(session, room_id, user_id)
        await session.execute(
            update(RoomMembershipModel)
            .where(RoomMembershipModel.room_id == room_id, RoomMembershipModel.user_id == user_id)
            .values(notification_level=level)
        )
        await session.commit()
        return NotificationSetting(level=level)
