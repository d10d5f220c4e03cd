"""The write functions plan their statements once per connection, not on every call (PostgreSQL).

PL/pgSQL prepares each statement of a function once per connection and then chooses, call by call, between
a generic plan and one made for the call's arguments. For the statements over the batch's arrays it kept
choosing the latter, so every call of `confab_write_direct_messages` planned its INSERT again: about 40% of
PostgreSQL's CPU for a batch of one (bench/RESULTS.md, 2026-11-29), a cost per batch, so paid more often the
smaller the batches are, as when more workers share the same load. Both write functions now ask for the
generic plan always.

A generic plan does not see the arrays (it assumes ten sends), so each statement must have one plan that
is right for any batch. The check for repeated (author, `client_id`) pairs was an `EXISTS` per send in
`confab_write_direct_messages` and two `= ANY` lists in `confab_take_write_order` (0014): for ten sends
and a table of a few hundred messages, the planner rightly preferred reading the whole table once (a
hashed subplan, a hash join) to ten index probes, and kept that plan while the table grew until its
statistics were next gathered: a cost per batch that grew with every message stored. Each send's pair is
now looked up in a LATERAL subquery with LIMIT 1, which can only be a probe per send: of the unique
(author_id, client_id) index, both columns equal (an exact pair, where the two lists also matched the
combinations the caller then dropped).

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENERIC_PLANS = "SET plan_cache_mode = force_generic_plan"
TAKE_WRITE_ORDER = """
    CREATE OR REPLACE FUNCTION confab_take_write_order(
        lock_key bigint, author_ids bigint[], client_ids text[],
        OUT latest bigint, OUT repeated_authors bigint[], OUT repeated_client_ids text[]
    )
    LANGUAGE plpgsql VOLATILE {setting} AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock(lock_key);
        SELECT coalesce(max(seq), 0) INTO latest FROM messages;
        IF cardinality(client_ids) > 0 THEN
            {repeat_check}
        END IF;
    END
    $$
"""
PROBED_PAIRS = """SELECT array_agg(sent.author_id), array_agg(sent.client_id)
            INTO repeated_authors, repeated_client_ids
            FROM unnest(author_ids, client_ids) AS sent(author_id, client_id)
            CROSS JOIN LATERAL (
                SELECT FROM messages m WHERE m.author_id = sent.author_id AND m.client_id = sent.client_id LIMIT 1
            ) earlier;"""
LISTED_PAIRS = """SELECT array_agg(author_id), array_agg(client_id)
            INTO repeated_authors, repeated_client_ids
            FROM messages
            WHERE author_id = ANY(author_ids) AND client_id = ANY(client_ids);"""

WRITE_DIRECT_MESSAGES = """
    CREATE OR REPLACE FUNCTION confab_write_direct_messages(
        lock_key bigint, author_ids bigint[], recipient_ids bigint[], contents text[], client_ids text[],
        sent_at timestamptz,
        OUT ids bigint[], OUT seqs bigint[], OUT repeated_authors bigint[], OUT repeated_client_ids text[]
    )
    LANGUAGE plpgsql VOLATILE {setting} AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock(lock_key);
        WITH sent AS (
            {sent}
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
SENT_PROBED = """SELECT sent.*, earlier.found IS NOT NULL AS repeated
            FROM unnest(author_ids, recipient_ids, contents, client_ids)
                WITH ORDINALITY AS sent(author_id, recipient_id, content, client_id, position)
            LEFT JOIN LATERAL (
                SELECT true AS found FROM messages m
                WHERE m.author_id = sent.author_id AND m.client_id = sent.client_id LIMIT 1
            ) earlier ON true"""
SENT_EXISTS = """SELECT sent.*, EXISTS (
                SELECT FROM messages m WHERE m.author_id = sent.author_id AND m.client_id = sent.client_id
            ) AS repeated
            FROM unnest(author_ids, recipient_ids, contents, client_ids)
                WITH ORDINALITY AS sent(author_id, recipient_id, content, client_id, position)"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(TAKE_WRITE_ORDER.format(setting=GENERIC_PLANS, repeat_check=PROBED_PAIRS))
    op.execute(WRITE_DIRECT_MESSAGES.format(setting=GENERIC_PLANS, sent=SENT_PROBED))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(TAKE_WRITE_ORDER.format(setting="", repeat_check=LISTED_PAIRS))
    op.execute(WRITE_DIRECT_MESSAGES.format(setting="", sent=SENT_EXISTS))
