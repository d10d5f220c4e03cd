"""Reactions as stored: one row per (message, user, emoji); the row's id records the order of first use."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from confab.db.base import IdentityBase
from confab.db.types import utc_now


class ReactionModel(IdentityBase):
    __tablename__ = "reactions"

    message_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("messages.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    # One emoji: a single grapheme cluster, at most a few code points even for ZWJ sequences.
    emoji: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), default=utc_now)

    # The constraint, not a lookup first, makes two racing identical reactions store one row; its index
    # (message_id first) also serves loading the reactions of a page of messages.
    __table_args__ = (UniqueConstraint("message_id", "user_id", "emoji", name="uq_reactions_message_id_user_id_emoji"),)
