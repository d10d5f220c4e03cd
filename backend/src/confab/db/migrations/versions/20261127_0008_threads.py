"""Threads: a reply points at its root (`messages.thread_id`), and readers follow threads.

Replies live in `messages` like any message, so edits, deletes, reactions, `seq` and catch-up apply to
them unchanged; `thread_id` keeps them out of the conversation's main history and groups them under
their root, served by an index on (thread_id, id). `thread_follows` records, per user and root, whether
the user follows it (null: not decided, so the root's author is followed in automatically) and how far
they have read it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(sa.Column("thread_id", sa.BigInteger(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_messages_thread_id_messages"), "messages", ["thread_id"], ["id"], ondelete="CASCADE"
        )
    op.create_index("ix_messages_thread_id_id", "messages", ["thread_id", "id"])
    op.create_table(
        "thread_follows",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("root_id", sa.BigInteger(), nullable=False),
        sa.Column("following", sa.Boolean(), nullable=True),
        sa.Column("last_read_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_thread_follows_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["root_id"], ["messages.id"], name=op.f("fk_thread_follows_root_id_messages"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "root_id", name=op.f("pk_thread_follows")),
    )
    op.create_index("ix_thread_follows_root_id", "thread_follows", ["root_id"])


def downgrade() -> None:
    op.drop_index("ix_thread_follows_root_id", table_name="thread_follows")
    op.drop_table("thread_follows")
    op.drop_index("ix_messages_thread_id_id", table_name="messages")
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_constraint(op.f("fk_messages_thread_id_messages"), type_="foreignkey")
        batch_op.drop_column("thread_id")
