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


async def test_the_write_orders_repeat_check_searches_an_index_on_postgresql(settings: Settings):
    """On PostgreSQL the `client_id` check runs inside `confab_take_write_order` (migration 0014): its plan is
    read from inside the function."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite runs REPEATED_CLIENT_IDS itself (above)")
    plans = await nested_plans(
        settings.database_url,
        "SELECT * FROM confab_take_write_order($1, $2, $3)",
        MESSAGE_ORDER_LOCK,
        [1, 2],
        ["a", "b"],
    )
    [repeat_check] = [plan for plan in plans if "client_id = ANY" in plan]
    assert "Index" in repeat_check and "uq_messages_author_id_client_id" in repeat_check, repeat_check
    assert not [plan for plan in plans if "Seq Scan" in plan], plans
