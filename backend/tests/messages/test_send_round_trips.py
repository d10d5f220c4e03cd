"""What a REST send asks of PostgreSQL: the token check, one statement outside any transaction (shared with the
requests that arrive meanwhile: tests/sessions/test_token_checks.py), and its batch's write. A batch of plain DMs
(a `client_id` each, no files, no thread, nobody mentioned) is one statement outside any transaction, which takes
the write order, checks the `client_id`s and inserts; any other batch is one transaction, which takes the write
order, reads the next `seq` and checks the `client_id`s in its first statement, then inserts.

Each round trip to the database is paid while the worker and PostgreSQL both spend CPU on it, and the batch's
are paid while every other writer waits for the write order (bench/RESULTS.md, 2026-11-28).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event

from tests.support.driver_statements import watch_driver_statements


@dataclass
class UsedConnection:
    autocommit: bool = False
    transactions: int = 0
    statements: list[str] = field(default_factory=list)


@dataclass
class CountedSend:
    checkouts: int
    token_check: UsedConnection
    batch: UsedConnection


async def counted_send(server, http, sender, body: dict[str, Any], monkeypatch) -> CountedSend:
    """The connections `body`'s send uses, each with its transactions and statements, and how many it took out
    of the pool; no pings allowed. Statements come through SQLAlchemy or straight from asyncpg
    (`confab.db.driver`): each is counted once, on its asyncpg connection."""
    engine = server.app.state.database_config.get_engine().sync_engine
    used: dict[int, UsedConnection] = {}
    checkouts: list[object] = []
    pings: list[object] = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda connection: pings.append(connection) or ping(connection))

    def use(driver: asyncpg.Connection, autocommit: bool) -> UsedConnection:
        return used.setdefault(id(driver), UsedConnection(autocommit=autocommit))

    def sqlalchemy_autocommit(connection: Any) -> bool:
        return connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"

    def on_begin(connection: Any) -> None:
        entry = use(connection.connection.driver_connection, sqlalchemy_autocommit(connection))
        entry.transactions += 0 if entry.autocommit else 1

    def on_statement(connection: Any, _cursor: Any, statement: str, *_arguments: Any) -> None:
        use(connection.connection.driver_connection, sqlalchemy_autocommit(connection)).statements.append(statement)

    watch_driver_statements(
        monkeypatch,
        lambda driver, query, _arguments: use(driver, not driver.is_in_transaction()).statements.append(query),
    )
    listeners = [(engine, "checkout", lambda *_arguments: checkouts.append(None)), (engine, "begin", on_begin)]
    listeners.append((engine, "before_cursor_execute", on_statement))
    for target, name, listener in listeners:
        event.listen(target, name, listener)
    try:
        sent = await http.post("/api/messages", headers=sender.headers, json=body)
    finally:
        for target, name, listener in listeners:
            event.remove(target, name, listener)
    assert sent.status_code == 201, sent.text
    assert pings == [], "connections used a moment ago are handed out without a ping"
    assert len(used) == 2, [connection.statements for connection in used.values()]
    token_check, batch = used.values()
    assert token_check.autocommit and token_check.transactions == 0
    assert len(token_check.statements) == 1 and "FROM sessions JOIN users" in token_check.statements[0]
    return CountedSend(len(checkouts), token_check, batch)


@pytest.fixture
async def pair(server, http, make_user):
    """Two users on PostgreSQL, whose profiles the worker remembers (a send reads none), and the connections the
    token checks and the writer keep, used once each."""
    if not server.settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite's one connection per worker costs no round trips; its token check shares the request's")
    alice, bob = await make_user(), await make_user()
    for warm in ({"content": "warm"}, {"content": "warm, plain", "client_id": "warm-0001"}):
        sent = await http.post("/api/messages", headers=alice.headers, json={"recipient_id": bob.id, **warm})
        assert sent.status_code == 201
    return alice, bob


async def test_a_plain_dm_is_a_token_check_and_one_statement_that_commits_on_its_own(server, http, pair, monkeypatch):
    alice, bob = pair
    body = {"recipient_id": bob.id, "content": "counted", "client_id": "counted-0001"}
    counted = await counted_send(server, http, alice, body, monkeypatch)
    batch = counted.batch
    assert batch.autocommit and batch.transactions == 0
    assert len(batch.statements) == 1, batch.statements
    assert batch.statements[0].startswith("SELECT confab_write_direct_messages("), batch.statements
    # The token checks and the writer keep their connections between batches (`confab.db.held`).
    assert counted.checkouts == 0


@pytest.mark.parametrize("why", ["mentions its reader", "has no client_id"])
async def test_any_other_send_is_a_token_check_and_one_transaction_of_two_statements(
    server, http, pair, monkeypatch, why
):
    alice, bob = pair
    body = {"recipient_id": bob.id, "content": f"counted, @{bob.nickname}", "client_id": "counted-0002"}
    if why == "has no client_id":
        body = {"recipient_id": bob.id, "content": "counted"}
    counted = await counted_send(server, http, alice, body, monkeypatch)
    batch = counted.batch
    assert batch.transactions == 1
    assert counted.checkouts == 1  # the batch's transaction; the token check kept its connection
    statements = [statement for statement in batch.statements if not statement.startswith("INSERT INTO mentions")]
    assert len(statements) == 2, batch.statements
    assert statements[0].startswith("SELECT confab_take_write_order("), batch.statements
    assert statements[1].startswith("INSERT INTO messages "), batch.statements
