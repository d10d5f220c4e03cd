"""Accounts as stored: nickname and email unique regardless of case, enforced by the database."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from confab.db.base import IdentityBase
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


NICKNAME_INDEX = "uq_users_nickname_lower"
EMAIL_INDEX = "uq_users_email_lower"
Index(NICKNAME_INDEX, func.lower(UserModel.nickname), unique=True)
Index(EMAIL_INDEX, func.lower(UserModel.email), unique=True)
