"""Notification levels: how much each member wants to be alerted of in each of their rooms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import update

from confab.domain.notifications.schemas import NotificationLevel, NotificationSetting
from confab.domain.rooms.access import require_membership
from confab.domain.rooms.models import RoomMembershipModel

if TYPE_CHECKING:
    from confab.domain.accounts.schemas import PublicUser
    from confab.realtime.hub import RealtimeHub


class NotificationService(SQLAlchemyAsyncRepositoryService[RoomMembershipModel]):
    class Repo(SQLAlchemyAsyncRepository[RoomMembershipModel]):
        model_type = RoomMembershipModel

    repository_type = Repo

    def __init__(self, hub: RealtimeHub, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hub = hub

    async def set_room_level(self, member: PublicUser, room_id: int, level: NotificationLevel) -> NotificationSetting:
        """Set the member's level for the room (members only: 403 for others, 404 for no such room); when it
        changes, the member's other sockets (other tabs, other devices) hear it as `notification_level`."""
        session = self.repository.session
        await require_membership(session, room_id, member.id)
        changed = await session.scalar(
            update(RoomMembershipModel)
            .where(
                RoomMembershipModel.room_id == room_id,
                RoomMembershipModel.user_id == member.id,
                RoomMembershipModel.notification_level != level,
            )
            .values(notification_level=level)
            .returning(RoomMembershipModel.room_id)
        )
        await session.commit()
        setting = NotificationSetting(level=level)
        if changed is not None:
            await self.hub.notification_level_set(member.nickname, room_id, setting)
        return setting
