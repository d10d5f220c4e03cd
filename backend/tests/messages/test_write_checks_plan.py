"""The group commit's per-batch checks (a repeated `client_id`, room membership) are index lookups.

Their first form, `(a, b) IN (VALUES ...)`, made SQLite read the whole index on every batch: a send's
cost grew with the number of messages ever stored. A plan that scans fails here.
"""

from __future__ import annotations

import pytest

from confab.domain.messages.group_commit import MEMBERSHIPS, REPEATED_CLIENT_IDS
from confab.settings import Settings
from tests.support.plans import query_plan

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
