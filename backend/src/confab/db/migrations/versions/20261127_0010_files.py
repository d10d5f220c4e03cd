"""Files attached to messages: one row per upload, the bytes themselves live in the file storage.

`message_id` stays null until the uploader attaches the file to a message (once); the partial index on
`created_at` of unattached rows serves the sweep that deletes uploads never attached within 24 hours.
`owner_id` is indexed for the per-user quota sum.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "files",
        sa.Column("id", BigId, sa.Identity(always=False, start=1, increment=1), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(length=127), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("thumbnail_key", sa.String(length=255), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_files_owner_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_files_message_id_messages"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_files")),
    )
    op.create_index("ix_files_owner_id", "files", ["owner_id"])
    op.create_index("ix_files_message_id", "files", ["message_id"])
    op.create_index(
        "ix_files_unattached_created_at", "files", ["created_at"], postgresql_where=sa.text("message_id IS NULL")
    )


def downgrade() -> None:
    op.drop_index("ix_files_unattached_created_at", table_name="files")
    op.drop_index("ix_files_message_id", table_name="files")
    op.drop_index("ix_files_owner_id", table_name="files")
    op.drop_table("files")
