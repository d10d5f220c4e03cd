"""Who follows which thread, and how far they have read it. A thread is a root message and its replies
(`messages.thread_id` points at the root); this table only keeps each reader's relation to one."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from confab.db.base import DefaultBase


class ThreadFollowModel(DefaultBase):
    __tablename__ = "thread_follows"

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    root_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    # Null until the user (or a rule) decides: the root's author follows when the first reply comes unless
    # they already chose; replying always (re)follows; PUT/DELETE /follow set it explicitly.
    following: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # The id of the last reply the user has read in this thread; never moves backwards.
    last_read_id: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (Index("ix_thread_follows_root_id", "root_id"),)
