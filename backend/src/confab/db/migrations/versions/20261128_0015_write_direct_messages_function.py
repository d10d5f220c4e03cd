"""A batch of plain DMs written in one statement, its own transaction (PostgreSQL).

A batch of new messages is BEGIN, `confab_take_write_order` (the lock, the highest `seq`, the repeated
`client_id`s), the INSERT and COMMIT: four round trips, the lock held from the second to the end while every
other writer waits for it. For the commonest batch (DMs with a `client_id` each, no files, no thread, nobody mentioned)
nothing between them needs the worker: `confab_write_direct_messages` takes the lock, then in one
statement reads the highest `seq`, finds the sends whose (author, `client_id`) was used before, and inserts
the others with consecutive `seq` values in the order given. Called outside any transaction, the statement
commits on its own and releases the lock as it returns: one round trip for the batch.

Each statement of the VOLATILE function takes a fresh snapshot (READ COMMITTED), so the statement after the
lock sees every writer that committed before it was granted, as `confab_take_write_order`'s reads do. Ids come
from the identity in the INSERT's order (the sort runs before the volatile default), so ids and `seq`
rise together. The function returns the ids and `seq`s written, in that order, and the repeated pairs.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION confab_write_direct_messages(
            lock_key bigint, author_ids bigint[], recipient_ids bigint[], contents text[], client_ids text[],
            sent_at timestamptz,
            OUT ids bigint[], OUT seqs bigint[], OUT repeated_authors bigint[], OUT repeated_client_ids text[]
        )
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(lock_key);
            WITH sent AS (
                SELECT sent.*, EXISTS (
                    SELECT FROM messages m WHERE m.author_id = sent.author_id AND m.client_id = sent.client_id
                ) AS repeated
                FROM unnest(author_ids, recipient_ids, contents, client_ids)
                    WITH ORDINALITY AS sent(author_id, recipient_id, content, client_id, position)
            ), fresh AS (
                SELECT sent.*, row_number() OVER (ORDER BY position) AS rank FROM sent WHERE NOT repeated
            ), latest AS (
                SELECT coalesce(max(seq), 0) AS seq FROM messages
            ), written AS (
                INSERT INTO messages
                    (content, created_at, author_id, recipient_id, client_id, seq, created_seq, deleted)
                SELECT content, sent_at, author_id, recipient_id, client_id, latest.seq + rank, latest.seq + rank, false
                FROM fresh, latest ORDER BY rank
                RETURNING id, seq
            )
            SELECT
                (SELECT array_agg(id ORDER BY seq) FROM written),
                (SELECT array_agg(seq ORDER BY seq) FROM written),
                (SELECT array_agg(author_id ORDER BY position) FROM sent WHERE repeated),
                (SELECT array_agg(client_id ORDER BY position) FROM sent WHERE repeated)
            INTO ids, seqs, repeated_authors, repeated_client_ids;
        END
        $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION confab_write_direct_messages(bigint, bigint[], bigint[], text[], text[], timestamptz)")
