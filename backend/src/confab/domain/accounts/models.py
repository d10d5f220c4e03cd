"""Accounts as stored: nickname and email unique regardless of case, enforced by the database."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, ForeignKey, Index, Integer, SmallInteger, String, func
from sqlalchemy.orm import Mapped, mapped_column

from confab.db.base import DefaultBase, IdentityBase
from confab.db.types import utc_now


class UserModel(IdentityBase):
    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    nickname: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), default=utc_now)
    # Bumped when the password changes: tokens carry the generation they were issued in, and older
    # generations are refused, which revokes every token issued before the change at once.
    token_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # One of the user's own uploads, an image; no foreign key (see migration 0011), the code keeps it valid.
    avatar_file_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    # Set when the account is closed: the row stays as the author of what they wrote, its details erased.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


# Compared byte by byte on both databases, so a prefix is a range of the index. PostgreSQL's default
# collation may ignore punctuation or order by language rules, which would break prefix ranges.
SearchKey = String(200).with_variant(String(200, collation="C"), "postgresql")


class DirectoryKeyModel(DefaultBase):
    """One key the people directory finds a user by: their folded nickname (`kind` 0), or their folded
    name from one of its words on (`kind` 1); see `confab.domain.accounts.directory`."""

    __tablename__ = "directory_keys"

    kind: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    key: Mapped[str] = mapped_column(SearchKey, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (
        # "Does this user have another key in the searched range?", asked per candidate while paging.
        Index("ix_directory_keys_user_id_kind_key", "user_id", "kind", "key"),
    )


NICKNAME_INDEX = "uq_users_nickname_lower"
EMAIL_INDEX = "uq_users_email_lower"
Index(NICKNAME_INDEX, func.lower(UserModel.nickname), unique=True)
Index(EMAIL_INDEX, func.lower(UserModel.email), unique=True)
