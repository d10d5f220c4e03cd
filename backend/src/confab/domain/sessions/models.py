"""Sessions as stored: one row per issued token, kept a while after it ends so its address stays known."""

from __future__ import annotations

from datetime import datetime, timedelta

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from confab.db.base import DefaultBase
from confab.db.types import utc_now

# An ended or expired session's row is kept this long past its token's expiry: the per-account login
# throttle still lets its owner in from that address (README "Security"), then the row is forgotten.
KEEP_AFTER_EXPIRY = timedelta(days=30)


class SessionModel(DefaultBase):
    """A token is accepted only while its row exists and has not ended (`ended_at` is null)."""

    __tablename__ = "sessions"

    # What clients see and name: random, and unrelated to the token, so the list cannot be used to act.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    jti: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    user_agent: Mapped[str] = mapped_column(String(512), default="")
    client_address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), default=utc_now)
    last_used_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
