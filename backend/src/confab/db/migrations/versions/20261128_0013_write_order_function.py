"""The message write order and the highest `seq` in one round trip (PostgreSQL).

Every batch of new messages took the advisory lock that orders message writes
(`confab.domain.messages.ordering`), then read `max(seq)` in a second statement: two round trips while
every other writer waits. `confab_take_write_order(lock_key)` does both. It is VOLATILE plpgsql, so its
`SELECT` is a statement of its own that, in READ COMMITTED, takes its snapshot after the lock was
granted and sees every writer that committed before. (A single `SELECT pg_advisory_xact_lock(...),
(SELECT max(seq) ...)` would read with the snapshot taken before it waited: a stale `max`.)

SQLite needs no lock (BEGIN IMMEDIATE lets one writer in at a time): nothing changes there.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION confab_take_write_order(lock_key bigint) RETURNS bigint
        LANGUAGE plpgsql VOLATILE AS $$
        DECLARE
            latest bigint;
        BEGIN
            PERFORM pg_advisory_xact_lock(lock_key);
            SELECT coalesce(max(seq), 0) INTO latest FROM messages;
            RETURN latest;
        END
        $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION confab_take_write_order(bigint)")
