"""Mentions as stored: one row per (message, mentioned user), written with the message and rewritten by an edit."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from confab.db.base import DefaultBase


class MentionModel(DefaultBase):
    __tablename__ = "mentions"

    # The primary key (message first) serves loading the mentions of a page of messages.
    message_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)

    # "The messages that mention me, newest first" and the unread-mention counts walk this one.
    __table_args__ = (Index("ix_mentions_user_id_message_id", "user_id", "message_id"),)
