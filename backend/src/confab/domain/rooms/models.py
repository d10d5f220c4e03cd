"""Rooms as stored: a room, who is in it since when, and how far each member has read."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from confab.db.base import DefaultBase, IdentityBase
from confab.db.types import utc_now
from confab.domain.accounts.models import UserModel


class RoomModel(IdentityBase):
    __tablename__ = "rooms"

    name: Mapped[str] = mapped_column(String(80))
    # Null once everybody has left: the room keeps its history but nobody can post to it.
    owner_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), default=utc_now)

    owner: Mapped[UserModel | None] = relationship(lazy="joined")
    memberships: Mapped[list[RoomMembershipModel]] = relationship(
        lazy="selectin",
        order_by="(RoomMembershipModel.joined_at, RoomMembershipModel.user_id)",
        cascade="all, delete-orphan",
        back_populates="room",
    )


class RoomMembershipModel(DefaultBase):
    __tablename__ = "room_members"

    room_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), default=utc_now)
    # The id of the last room message this member has read; never moves backwards.
    last_read_id: Mapped[int] = mapped_column(BigInteger, default=0)
    # What alerts this member: "all", "mentions" or "none" (see `confab.domain.notifications`).
    notification_level: Mapped[str] = mapped_column(String(8), default="all", server_default="all")

    room: Mapped[RoomModel] = relationship(back_populates="memberships")
    user: Mapped[UserModel] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (Index("ix_room_members_user_id", "user_id"),)


class DirectReadMarkerModel(DefaultBase):
    """How far `user_id` has read the DMs that `peer_id` sent them."""

    __tablename__ = "direct_read_markers"

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    peer_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    last_read_id: Mapped[int] = mapped_column(BigInteger, default=0)
