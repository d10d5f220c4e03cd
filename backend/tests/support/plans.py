"""Query plans: whether a statement is served by an index, asked of the database under test."""

from __future__ import annotations

from sqlalchemy import text
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
