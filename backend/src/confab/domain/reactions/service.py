"""Reaction rules: who may react to what, one reaction per person and emoji, and when it is pushed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import Row, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from confab.db.types import utc_now
from confab.domain.messages.access import message_from_row, visible_message
from confab.domain.messages.ordering import stamp_change, take_write_order
from confab.domain.messages.schemas import Message
from confab.domain.reactions.models import ReactionModel
from confab.domain.reactions.schemas import MAX_DISTINCT_EMOJI, require_one_emoji
from confab.errors import BadRequest, Conflict

if TYPE_CHECKING:
    from confab.realtime.hub import RealtimeHub


class ReactionService(SQLAlchemyAsyncRepositoryService[ReactionModel]):
    """Adding or removing a reaction is idempotent: when nothing changes, no `seq` is taken and nothing is pushed."""

    class Repo(SQLAlchemyAsyncRepository[ReactionModel]):
        model_type = ReactionModel

    repository_type = Repo

    def __init__(self, hub: RealtimeHub, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hub = hub

    async def add(self, user_id: int, message_id: int, emoji: str) -> Message:
        """React with `emoji` to a message the user can see; the same reaction again changes nothing."""
        require_one_emoji(emoji)
        session = self.repository.session
        row = await self._reactable(message_id, user_id)
        used = set(await session.scalars(select(ReactionModel.emoji).where(ReactionModel.message_id == message_id)))
        if emoji not in used and len(used) >= MAX_DISTINCT_EMOJI:
            raise BadRequest(f"emoji: a message has at most {MAX_DISTINCT_EMOJI} different emoji")
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        # The write order already serializes identical requests; the unique constraint keeps it one row regardless.
        added = await session.scalar(
            insert(ReactionModel)
            .values(message_id=message_id, user_id=user_id, emoji=emoji, created_at=utc_now())
            .on_conflict_do_nothing(index_elements=["message_id", "user_id", "emoji"])
            .returning(ReactionModel.id)
        )
        return await self._finish(row, changed=added is not None)

    async def remove(self, user_id: int, message_id: int, emoji: str) -> Message:
        """Take the user's `emoji` off a message; removing one that is not there changes nothing."""
        require_one_emoji(emoji)
        session = self.repository.session
        row = await self._reactable(message_id, user_id)
        removed = await session.scalar(
            delete(ReactionModel)
            .where(
                ReactionModel.message_id == message_id, ReactionModel.user_id == user_id, ReactionModel.emoji == emoji
            )
            .returning(ReactionModel.id)
        )
        return await self._finish(row, changed=removed is not None)

    async def _reactable(self, message_id: int, user_id: int) -> Row[Any]:
        """Take the write order, then the message if the user can see it (404) and it is not deleted (409)."""
        session = self.repository.session
        await take_write_order(session)
        row = await visible_message(session, message_id, user_id)
        if row.deleted:
            raise Conflict("this message was deleted; it cannot be reacted to")
        return row

    async def _finish(self, row: Row[Any], *, changed: bool) -> Message:
        """Commit; a change takes the next `seq` and is pushed to the message's audience after the commit."""
        session = self.repository.session
        if changed:
            row = await stamp_change(session, row.id)
        message = await message_from_row(session, self.hub.profiles, self.hub.file_links, row)
        await session.commit()
        if changed:
            await self.hub.message_updated(message)
        return message
