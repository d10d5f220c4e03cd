"""Uploaded files as stored: the bytes live in the file storage, this row says whose they are and where."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from confab.db.base import IdentityBase
from confab.db.types import utc_now


class FileModel(IdentityBase):
    __tablename__ = "files"

    owner_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    # Null until the file is attached to a message; an upload never attached is swept after 24 hours.
    message_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("messages.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(127))
    storage_key: Mapped[str] = mapped_column(String(255))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    thumbnail_key: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), default=utc_now)

    __table_args__ = (
        Index("ix_files_owner_id", "owner_id"),
        Index("ix_files_message_id", "message_id"),
        Index("ix_files_unattached_created_at", "created_at", postgresql_where=text("message_id IS NULL")),
    )
