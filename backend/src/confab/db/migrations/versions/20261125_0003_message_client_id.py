"""Idempotent sends: messages remember the client-chosen `client_id`, unique per author.

The unique constraint, not a lookup before the insert, is what makes two racing sends of the same
`client_id` store one row. Messages sent without a client_id keep NULL, which never collides.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(sa.Column("client_id", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_messages_author_id_client_id", ["author_id", "client_id"])


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_constraint("uq_messages_author_id_client_id", type_="unique")
        batch_op.drop_column("client_id")
