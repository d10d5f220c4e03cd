"""Accounts as stored: nickname and email unique regardless of case, enforced by the database."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Index, String, func
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


NICKNAME_INDEX = "uq_users_nickname_lower"
EMAIL_INDEX = "uq_users_email_lower"
Index(NICKNAME_INDEX, func.lower(UserModel.nickname), unique=True)
Index(EMAIL_INDEX, func.lower(UserModel.email), unique=True)
