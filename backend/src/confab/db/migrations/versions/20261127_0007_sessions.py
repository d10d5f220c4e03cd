"""Sessions: one row per issued token, which its owner can list and end; replaces revoked_tokens.

A token now works only while its `sessions` row (found by the token's jti) exists and has not ended,
so logging out, ending a session from another device and "log out everywhere else" all revoke by
setting `ended_at`, and the list of sessions is every token that works. The revoked_tokens table
this replaces is dropped.

Tokens issued before this upgrade have no session row, so they stop working: everybody logs in once
more after upgrading. The alternative (accepting row-less tokens until they expire) would leave tokens
that no session list shows and that "log out everywhere else" could not end, for up to
TOKEN_LIFETIME_SECONDS.

Rows stay 30 days past their token's expiry (then the next login deletes them): the per-account login
throttle treats the addresses they came from as known, so the owner can still log in from there.

Downgrading forgets which tokens were ended (0004 has no record of them): change SECRET_KEY when
downgrading, so that every token is refused and everybody logs in again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("user_agent", sa.String(length=512), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("last_used_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("expires_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("ended_at", DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("jti", name=op.f("uq_sessions_jti")),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_index("ix_sessions_expires_at", "sessions", ["expires_at"])
    op.drop_table("revoked_tokens")


def downgrade() -> None:
    op.create_table(
        "revoked_tokens",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("expires_at", DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_revoked_tokens")),
    )
    op.create_index("ix_revoked_tokens_expires_at", "revoked_tokens", ["expires_at"])
    op.drop_table("sessions")
