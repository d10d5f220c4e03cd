"""Mention rules: which messages that mention a user they may still read."""

from __future__ import annotations

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import and_, or_, select

from confab.domain.mentions.models import MentionModel
from confab.domain.messages.models import MessageModel
from confab.domain.rooms.models import RoomMembershipModel


class MentionService(SQLAlchemyAsyncRepositoryService[MentionModel]):
    class Repo(SQLAlchemyAsyncRepository[MentionModel]):
        model_type = MentionModel

    repository_type = Repo

    async def mentioning(self, user_id: int, *, before: int | None, limit: int) -> list[MessageModel]:
        """The messages that mention the user, newest first, among those the user may read now: their DMs and
        the rooms they are a member of today (a member who left a room no longer sees its mentions)."""
        mention = MentionModel
        rooms = select(RoomMembershipModel.room_id).where(RoomMembershipModel.user_id == user_id)
        statement = (
            select(MessageModel)
            .join(mention, and_(mention.message_id == MessageModel.id, mention.user_id == user_id))
            .where(or_(MessageModel.room_id.is_(None), MessageModel.room_id.in_(rooms)))
            .order_by(mention.message_id.desc())
            .limit(limit)
        )
        if before is not None:
            statement = statement.where(mention.message_id < before)
        return list(await self.repository.session.scalars(statement))
