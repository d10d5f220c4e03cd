"""Message rules: who may send what to whom, who may read which history, and when it is pushed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import ColumnElement, Select, and_, select, union

from confab.db.types import utc_now
from confab.domain.accounts.models import UserModel
from confab.domain.accounts.schemas import PublicUser, to_public_user
from confab.domain.messages.models import MessageModel
from confab.domain.messages.schemas import Message, MessageCreate, to_message
from confab.errors import Forbidden, NotFound

if TYPE_CHECKING:
    from confab.realtime.hub import RealtimeHub


class MessageService(SQLAlchemyAsyncRepositoryService[MessageModel]):
    """The one way to send a message: REST handlers and Socket.IO handlers both call `send_direct`."""

    class Repo(SQLAlchemyAsyncRepository[MessageModel]):
        model_type = MessageModel

    repository_type = Repo

    def __init__(self, hub: RealtimeHub, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hub = hub

    async def send_direct(self, author: PublicUser, form: MessageCreate) -> Message:
        """Store a DM, commit it, and only then push it to both parties' channels."""
        if form.author_id is not None and form.author_id != author.id:
            raise Forbidden("you can only send messages as yourself")
        session = self.repository.session
        recipient = await session.get(UserModel, form.recipient_id)
        if recipient is None:
            raise NotFound(f"no user with id {form.recipient_id}")
        row = MessageModel(content=form.content, date=utc_now(), author_id=author.id, recipient_id=recipient.id)
        session.add(row)
        await session.commit()
        message = Message(
            id=row.id,
            content=row.content,
            date=row.date,
            author=author,
            recipient=to_public_user(recipient),
        )
        await self.hub.message_created(message)
        return message

    async def direct_history(
        self, user_id: int, *, peer_id: int | None, after: int | None, before: int | None, limit: int
    ) -> list[Message]:
        """The user's DMs (optionally only those with `peer_id`), ascending by id, one page of them."""
        if peer_id is None:
            branches = [
                and_(MessageModel.author_id == user_id, MessageModel.recipient_id.is_not(None)),
                MessageModel.recipient_id == user_id,
            ]
        else:
            branches = [
                and_(MessageModel.author_id == user_id, MessageModel.recipient_id == peer_id),
                and_(MessageModel.author_id == peer_id, MessageModel.recipient_id == user_id),
            ]
        rows = await self._page(branches, after=after, before=before, limit=limit)
        return [to_message(row) for row in rows]

    async def _page(
        self, branches: Sequence[ColumnElement[bool]], *, after: int | None, before: int | None, limit: int
    ) -> Sequence[MessageModel]:
        """One page of the messages matching any branch.

        With `after`, the oldest `limit` messages past it (catching up); otherwise the newest `limit`
        (below `before` if given). Each branch is its own index range scan, merged with a UNION, so a
        user's page costs the same however large the table is.
        """
        forward = after is not None
        order = MessageModel.id.asc() if forward else MessageModel.id.desc()

        def branch_ids(condition: ColumnElement[bool]) -> Select[tuple[int]]:
            query = select(MessageModel.id).where(condition)
            if after is not None:
                query = query.where(MessageModel.id > after)
            if before is not None:
                query = query.where(MessageModel.id < before)
            return select(query.order_by(order).limit(limit).subquery().c.id)

        page_ids = union(*(branch_ids(condition) for condition in branches)).subquery()
        rows = await self.repository.session.scalars(
            select(MessageModel).where(MessageModel.id.in_(select(page_ids.c.id))).order_by(order).limit(limit)
        )
        ordered = list(rows)
        return ordered if forward else ordered[::-1]

    async def correspondents(self, user_id: int) -> list[str]:
        """Nicknames of everyone the user has exchanged a DM with (they are shown the user's presence)."""
        sent_to = select(MessageModel.recipient_id.label("peer_id")).where(
            MessageModel.author_id == user_id, MessageModel.recipient_id.is_not(None)
        )
        received_from = select(MessageModel.author_id.label("peer_id")).where(MessageModel.recipient_id == user_id)
        peers = union(sent_to, received_from).subquery()
        rows = await self.repository.session.scalars(
            select(UserModel.nickname).where(UserModel.id.in_(select(peers.c.peer_id)), UserModel.id != user_id)
        )
        return list(rows)
