"""The write order, the highest `seq` and the batch's repeated `client_id`s in one round trip (PostgreSQL).

A batch of new messages took the write order and the highest `seq` (`confab_take_write_order`, 0013),
then asked in a second statement which of its (author, `client_id`) pairs were used before: two round
trips while every other writer waits for the lock, and one statement more per batch for PostgreSQL to
parse, plan and answer. The check was already made under the lock (every message write takes it, so it
sees every committed `client_id`); it now runs inside the same function, after the `max(seq)` read, in a
statement of its own with the same fresh snapshot. `confab_take_write_order(lock_key, author_ids,
client_ids)` returns the highest `seq` and the pairs found, as two parallel arrays (NULL when none).
The pairs are looked up as two `= ANY` lists on the (author_id, client_id) unique index: the few extra
combinations they also match are dropped by the caller, as SQLite's form of the check does.

SQLite needs no lock and keeps its two statements (each a local call, not a round trip).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION confab_take_write_order(bigint)")
    op.execute(
        """
        CREATE FUNCTION confab_take_write_order(
            lock_key bigint, author_ids bigint[], client_ids text[],
            OUT latest bigint, OUT repeated_authors bigint[], OUT repeated_client_ids text[]
        )
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(lock_key);
            SELECT coalesce(max(seq), 0) INTO latest FROM messages;
            IF cardinality(client_ids) > 0 THEN
                SELECT array_agg(author_id), array_agg(client_id)
                INTO repeated_authors, repeated_client_ids
                FROM messages
                WHERE author_id = ANY(author_ids) AND client_id = ANY(client_ids);
            END IF;
        END
        $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION confab_take_write_order(bigint, bigint[], text[])")
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
