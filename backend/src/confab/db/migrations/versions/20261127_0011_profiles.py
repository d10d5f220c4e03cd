"""Profiles that change and accounts that close: a status line, an avatar, and when the account was closed.

`status` is a short free text (empty by default). `avatar_file_id` names one of the user's own uploads
(`files.id`); it has no foreign key because `files.owner_id` already points at `users` and the code keeps the
pair consistent (an avatar file is never attached to a message nor swept, and is deleted when replaced).
`deleted_at` is set when the account is closed: the row stays, so other people's histories keep an author,
but its name, nickname, email and password hash are overwritten (see `UserService.close_account`).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=100), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("avatar_file_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("deleted_at", DateTimeUTC(timezone=True), nullable=True))
    # "Is this file someone's avatar?", asked when files are attached and when unsent uploads are swept.
    op.create_index("ix_users_avatar_file_id", "users", ["avatar_file_id"])


def downgrade() -> None:
    op.drop_index("ix_users_avatar_file_id", table_name="users")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("avatar_file_id")
        batch_op.drop_column("status")
