"""Query plans: whether a statement is served by an index, asked of the database under test."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool


async def query_plan(database_url: str, statement: object) -> str:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        sql = str(statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))  # type: ignore[attr-defined]
        async with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                rows = await connection.execute(text("EXPLAIN QUERY PLAN " + sql))
                return "\n".join(row[-1] for row in rows)
            # The test tables are tiny, so the planner would rightly prefer reading them whole; forbidding
            # sequential scans asks whether an index can serve the query at all, which is the point.
            await connection.execute(text("SET enable_seqscan = off"))
            return "\n".join(row[0] for row in await connection.execute(text("EXPLAIN " + sql)))
    finally:
        await engine.dispose()


async def nested_plans(
    database_url: str,
    statement: str,
    *arguments: object,
    verbose: bool = False,
    before: Sequence[str] = (),
    seq_scans: bool = False,
) -> list[str]:
    """The plans of the statements a function runs inside `statement` (PostgreSQL), as `auto_explain` reports
    them to the client; run in a transaction that is rolled back, after the statements `before` (in the same
    transaction), with sequential scans off as above unless `seq_scans` (for tables given statistics by
    `before`). `verbose` plans show each expression, a function call's arguments (parameters or values)."""
    connection = await asyncpg.connect(make_url(database_url).set(drivername="postgresql").render_as_string(False))
    plans: list[str] = []
    connection.add_log_listener(lambda _connection, message: plans.append(message.message))
    try:
        transaction = connection.transaction()
        await transaction.start()
        for preparation in before:
            await connection.execute(preparation)
        for setting in NESTED_PLANS_TO_CLIENT:
            await connection.execute(setting)
        if verbose:
            await connection.execute("SET auto_explain.log_verbose = on")
        if not seq_scans:
            await connection.execute("SET LOCAL enable_seqscan = off")
        await connection.fetch(statement, *arguments)
        await transaction.rollback()
        return plans
    finally:
        await connection.close()


NESTED_PLANS_TO_CLIENT = (
    "LOAD 'auto_explain'",
    "SET auto_explain.log_min_duration = 0",
    "SET auto_explain.log_nested_statements = on",
    "SET auto_explain.log_level = notice",
)
