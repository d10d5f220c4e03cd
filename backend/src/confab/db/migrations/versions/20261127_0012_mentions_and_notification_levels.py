"""Mentions and per-room notification levels.

`mentions` keeps who each message mentions, written with the message and rewritten by an edit, so
histories load them a page at a time and unread-mention counts are a join, never a re-parse.
Its index on (user_id, message_id) serves "the messages that mention me, newest first". Each room
membership gains `notification_level` ("all" until the member changes it). Messages sent before
this migration mention nobody.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mentions",
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_mentions_message_id_messages"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_mentions_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("message_id", "user_id", name=op.f("pk_mentions")),
    )
    op.create_index("ix_mentions_user_id_message_id", "mentions", ["user_id", "message_id"])
    op.add_column(
        "room_members",
        sa.Column("notification_level", sa.String(length=8), nullable=False, server_default="all"),
    )


def downgrade() -> None:
    with op.batch_alter_table("room_members") as batch:
        batch.drop_column("notification_level")
    op.drop_index("ix_mentions_user_id_message_id", table_name="mentions")
    op.drop_table("mentions")
