"""Rooms, room membership, read markers, and room messages.

A message now goes to exactly one recipient or one room (check constraint). Room history pages
are served by (room_id, id). Membership carries `joined_at` (ownership passes to the
longest-standing member) and the member's read marker; DM read markers get their own table
keyed by (reader, peer).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "rooms",
        sa.Column("id", BigId, sa.Identity(always=False, start=1, increment=1), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_rooms_owner_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rooms")),
    )
    op.create_table(
        "room_members",
        sa.Column("room_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("joined_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("last_read_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["room_id"], ["rooms.id"], name=op.f("fk_room_members_room_id_rooms"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_room_members_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("room_id", "user_id", name=op.f("pk_room_members")),
    )
    op.create_index("ix_room_members_user_id", "room_members", ["user_id"])
    op.create_table(
        "direct_read_markers",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("peer_id", sa.BigInteger(), nullable=False),
        sa.Column("last_read_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_direct_read_markers_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["peer_id"], ["users.id"], name=op.f("fk_direct_read_markers_peer_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "peer_id", name=op.f("pk_direct_read_markers")),
    )
    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(sa.Column("room_id", sa.BigInteger(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_messages_room_id_rooms"), "rooms", ["room_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_messages_dm_or_room"), "(recipient_id IS NULL) <> (room_id IS NULL)"
        )
    op.create_index("ix_messages_room_id_id", "messages", ["room_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_messages_room_id_id", table_name="messages")
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_messages_dm_or_room"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_messages_room_id_rooms"), type_="foreignkey")
        batch_op.drop_column("room_id")
    op.drop_table("direct_read_markers")
    op.drop_table("room_members")
    op.drop_table("rooms")
