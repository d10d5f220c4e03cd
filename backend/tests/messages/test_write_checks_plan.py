"""The group commit's per-batch checks (a repeated `client_id`, room membership) are index lookups.

Their first form, `(a, b) IN (VALUES ...)`, made SQLite read the whole index on every batch: a send's
cost grew with the number of messages ever stored. A plan that scans fails here.
"""

from __future__ import annotations

import pytest

from confab.domain.messages.group_commit import MEMBERSHIPS
from confab.domain.messages.ordering import MESSAGE_ORDER_LOCK, REPEATED_CLIENT_IDS
from confab.settings import Settings
from tests.support.plans import nested_plans, query_plan

LOOKUPS = {
    "repeated client_id": (REPEATED_CLIENT_IDS.params(firsts=[1, 2], seconds=["a", "b"]), "messages"),
    "room membership": (MEMBERSHIPS.params(firsts=[1, 2], seconds=[1, 2]), "room_members"),
}


@pytest.mark.parametrize("name", list(LOOKUPS))
async def test_a_batch_check_searches_an_index(settings: Settings, name):
    statement, table = LOOKUPS[name]
    plan = await query_plan(settings.database_url, statement)
    if settings.database_url.startswith("sqlite"):
        assert f"SEARCH {table} USING" in plan, plan
        assert "SCAN" not in plan, plan
    else:
        assert "Index" in plan, plan
        assert "Seq Scan" not in plan, plan


# Statistics of a table of a few hundred messages (rolled back with the plan's transaction), where reading it
# whole once looks cheaper than a probe for each of the ten sends a generic plan assumes.
A_FEW_HUNDRED_MESSAGES = (
    "INSERT INTO users (name, email, nickname, password_hash, created_at) SELECT 'planned ' || g, "
    "'planned' || g || '@example.com', 'planned' || g, 'not a hash', now() FROM generate_series(1, 3) g",
    "INSERT INTO messages (content, created_at, author_id, recipient_id, client_id, seq, created_seq, deleted) "
    "SELECT 'planned', now(), users.id, users.id, 'planned-' || g, 2000000000 + 1000 * users.id + g, "
    "2000000000 + 1000 * users.id + g, false FROM users, generate_series(1, 125) g WHERE users.name LIKE 'planned %'",
    "ANALYZE messages",
)
WRITE_FUNCTION_CALLS = {
    "confab_take_write_order": ("SELECT * FROM confab_take_write_order($1, $2, $3)", [1, 2], ["a", "b"]),
    "confab_write_direct_messages": (
        "SELECT written.* FROM (SELECT array_agg(id) AS ids FROM users WHERE name IN ('planned 1', 'planned 2')) "
        "planned, confab_write_direct_messages($1, planned.ids, planned.ids, $2, $3, now()) written",
        ["a repeat", "a new message"],
        ["planned-1", "planned-new"],
    ),
}


@pytest.mark.parametrize("function", list(WRITE_FUNCTION_CALLS))
async def test_a_write_function_plans_its_batch_statement_once_per_connection(settings: Settings, function):
    """On PostgreSQL the batch's `client_id` check runs inside the write functions. Planning it on every call
    cost about 40% of PostgreSQL's CPU for a batch of one (migration 0016): from the first call on, the
    function uses the generic plan, and that plan probes the unique index for each send's pair, where an
    `EXISTS` read the whole table once per batch (a hashed subplan) however large it had grown."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("PL/pgSQL's plan choice is PostgreSQL's")
    statement, *arrays = WRITE_FUNCTION_CALLS[function]
    plans = await nested_plans(
        settings.database_url,
        statement,
        MESSAGE_ORDER_LOCK,
        *arrays,
        verbose=True,
        before=A_FEW_HUNDRED_MESSAGES,
        seq_scans=True,
    )
    [batch_statement] = [plan for plan in plans if "unnest(author_ids" in plan]
    # A plan made for the call holds its arrays as values ('{1,2}'::bigint[]); the generic plan, parameters.
    assert "unnest($2)" in batch_statement, batch_statement
    assert "Index Only Scan using uq_messages_author_id_client_id" in batch_statement, batch_statement
    assert "Index Cond: ((m.author_id = sent.author_id) AND" in batch_statement, batch_statement
    assert "Seq Scan" not in batch_statement and "hashed" not in batch_statement, batch_statement
