"""Messages as stored. A message goes either to one recipient (a DM) or to a room, never both."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, ForeignKey, Index, Text
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

    author: Mapped[UserModel] = relationship(foreign_keys=[author_id], lazy="joined", innerjoin=True)
    recipient: Mapped[UserModel | None] = relationship(foreign_keys=[recipient_id], lazy="joined")

    __table_args__ = (
        # A user's DM history (`author_id = ? OR recipient_id = ?`, by id) and one conversation
        # (`author_id = ? AND recipient_id = ?`, both directions) are served by these two indexes.
        Index("ix_messages_author_recipient_id", "author_id", "recipient_id", "id"),
        Index("ix_messages_recipient_author_id", "recipient_id", "author_id", "id"),
    )
