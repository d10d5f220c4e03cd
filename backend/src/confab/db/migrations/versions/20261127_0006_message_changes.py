"""Messages people can change: a change order (`seq`), edits, tombstones, and reactions.

`seq` is one server-wide counter, assigned at creation and again at every change, so catch-up can ask
for "everything changed after S" with an index range scan per branch (author, recipient, room).
`created_seq` keeps the creation value, so a replay can tell new messages from changed ones.
Existing messages get seq = created_seq = id, which keeps both in creation order. A deleted message
keeps its row (the conversation shows where it was) with its content erased. Reactions get their own
table, unique per (message, user, emoji) so that racing identical reactions store one row.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("created_seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("edited_at", DateTimeUTC(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE messages SET seq = id, created_seq = id")
    with op.batch_alter_table("messages") as batch_op:
        batch_op.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("created_seq", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("deleted", existing_type=sa.Boolean(), server_default=None)
    op.create_index("uq_messages_seq", "messages", ["seq"], unique=True)
    op.create_index("ix_messages_author_id_seq", "messages", ["author_id", "seq"])
    op.create_index("ix_messages_recipient_id_seq", "messages", ["recipient_id", "seq"])
    op.create_index("ix_messages_room_id_seq", "messages", ["room_id", "seq"])
    op.create_table(
        "reactions",
        sa.Column("id", BigId, sa.Identity(always=False, start=1, increment=1), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("emoji", sa.String(length=64), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_reactions_message_id_messages"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_reactions_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reactions")),
        sa.UniqueConstraint("message_id", "user_id", "emoji", name="uq_reactions_message_id_user_id_emoji"),
    )


def downgrade() -> None:
    op.drop_table("reactions")
    op.drop_index("ix_messages_room_id_seq", table_name="messages")
    op.drop_index("ix_messages_recipient_id_seq", table_name="messages")
    op.drop_index("ix_messages_author_id_seq", table_name="messages")
    op.drop_index("uq_messages_seq", table_name="messages")
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_column("deleted")
        batch_op.drop_column("edited_at")
        batch_op.drop_column("created_seq")
        batch_op.drop_column("seq")
