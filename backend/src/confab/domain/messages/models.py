"""Messages as stored. A message goes either to one recipient (a DM) or to a room, never both."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from confab.db.base import IdentityBase
from confab.db.types import utc_now
from confab.domain.accounts.models import UserModel


class MessageModel(IdentityBase):
    __tablename__ = "messages"

    content: Mapped[str] = mapped_column(Text)
    date: Mapped[datetime] = mapped_column("created_at", DateTimeUTC(timezone=True), default=utc_now)
    author_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    recipient_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    room_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("rooms.id", ondelete="CASCADE"))
    # Chosen by the sending client so that a retried send is recognised instead of stored twice.
    client_id: Mapped[str | None] = mapped_column(String(64))
    # The change order: assigned from one server-wide counter at creation and again at every change
    # (see `confab.domain.messages.ordering`). `created_seq` keeps the first value, so a catch-up can
    # tell a message the client never saw (sent as `message`) from one it has in an older state.
    seq: Mapped[int] = mapped_column(BigInteger)
    created_seq: Mapped[int] = mapped_column(BigInteger)
    edited_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    # A deleted message stays in history as a tombstone: its content is erased (""), not hidden.
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # A reply's root: replies are listed in their thread, not in the conversation's history.
    thread_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("messages.id", ondelete="CASCADE"))

    author: Mapped[UserModel] = relationship(foreign_keys=[author_id], lazy="joined", innerjoin=True)
    recipient: Mapped[UserModel | None] = relationship(foreign_keys=[recipient_id], lazy="joined")

    __table_args__ = (
        # A user's DM history (`author_id = ? OR recipient_id = ?`, by id) and one conversation
        # (`author_id = ? AND recipient_id = ?`, both directions) are served by these two indexes.
        Index("ix_messages_author_recipient_id", "author_id", "recipient_id", "id"),
        Index("ix_messages_recipient_author_id", "recipient_id", "author_id", "id"),
        Index("ix_messages_room_id_id", "room_id", "id"),
        # Catch-up by change order: one index range scan per branch of "what may this user see".
        Index("uq_messages_seq", "seq", unique=True),
        Index("ix_messages_author_id_seq", "author_id", "seq"),
        Index("ix_messages_recipient_id_seq", "recipient_id", "seq"),
        Index("ix_messages_room_id_seq", "room_id", "seq"),
        Index("ix_messages_thread_id_id", "thread_id", "id"),
        CheckConstraint("(recipient_id IS NULL) <> (room_id IS NULL)", name="dm_or_room"),
        UniqueConstraint("author_id", "client_id", name="uq_messages_author_id_client_id"),
    )
