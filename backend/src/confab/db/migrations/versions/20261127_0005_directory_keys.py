"""People directory: the folded keys users are found by (nickname, and name from each word on).

`GET /api/users?q=` looks people up by prefix; a table of folded keys with a byte-ordered index makes
that a range scan on both databases instead of a scan of every user. Existing users get their keys
here, computed with the same folding the service uses at sign-up.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from confab.domain.accounts.directory import NAME, NICKNAME, name_keys, nickname_key

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def upgrade() -> None:
    search_key = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")
    keys = op.create_table(
        "directory_keys",
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("key", search_key, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_directory_keys_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("kind", "key", "user_id", name=op.f("pk_directory_keys")),
    )
    op.create_index("ix_directory_keys_user_id_kind_key", "directory_keys", ["user_id", "kind", "key"])
    connection = op.get_bind()
    users = sa.table("users", sa.column("id", sa.BigInteger()), sa.column("name"), sa.column("nickname"))
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(users.c.id, users.c.name, users.c.nickname)
            .where(users.c.id > last_id)
            .order_by(users.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        values = []
        for user_id, name, nickname in rows:
            values.append({"kind": NICKNAME, "key": nickname_key(nickname), "user_id": user_id})
            values.extend({"kind": NAME, "key": key, "user_id": user_id} for key in name_keys(name))
        connection.execute(sa.insert(keys), values)
        last_id = rows[-1].id


def downgrade() -> None:
    op.drop_table("directory_keys")
