"""The database half of the `ceiling` scenario: message rows inserted through confab's engine and nothing else.

Each row goes the way a lone sent message goes: a session from the app's configuration, BEGIN IMMEDIATE,
one INSERT ... RETURNING, COMMIT (a `seq` from a counter: nothing else writes the file). Also the table
that sets confab's end-to-end figures beside each transport's ceiling and floor.
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert

import confab.db.models  # noqa: F401 (every table, so foreign keys resolve)
from bench.server import backend_environment, fresh_sqlite_url, migrate
from confab.db.engine import create_database_config
from confab.db.types import utc_now
from confab.domain.accounts.models import UserModel
from confab.domain.messages.models import MessageModel
from confab.settings import Settings

_messages = MessageModel.__table__
INSERT_MESSAGE = insert(_messages).returning(_messages.c.id)


async def insert_ceiling(directory: Path, writers: int, seconds: float) -> dict[str, float]:
    """DMs inserted per second, one committed transaction each, with the app's engine and session settings."""
    database_url = fresh_sqlite_url(directory, "ceiling.db")
    migrate(database_url, backend_environment(database_url))
    config = create_database_config(Settings(database_url=database_url, secret_key="bench"))  # noqa: S106 (signs nothing)
    sessions = config.create_session_maker()
    async with sessions() as session:
        users = [
            UserModel(name=f"Ceiling {i}", email=f"ceiling{i}@bench.example", nickname=f"ceiling{i}", password_hash="-")  # noqa: S106
            for i in range(2)
        ]
        session.add_all(users)
        await session.commit()
        author_id, recipient_id = users[0].id, users[1].id

    inserted = 0
    seqs = itertools.count(1)
    started = time.perf_counter()
    deadline = started + seconds

    async def writer() -> None:
        nonlocal inserted
        while time.perf_counter() < deadline:
            async with sessions() as session:
                row = {
                    "content": "ceiling",
                    "created_at": utc_now(),
                    "author_id": author_id,
                    "recipient_id": recipient_id,
                    "room_id": None,
                    "client_id": None,
                    "seq": (seq := next(seqs)),
                    "created_seq": seq,
                }
                (await session.execute(INSERT_MESSAGE, row)).scalar_one()
                await session.commit()
            inserted += 1

    await asyncio.gather(*(writer() for _ in range(writers)))
    elapsed = time.perf_counter() - started
    await config.get_engine().dispose()
    direct = direct_insert_rate(directory / "ceiling.db", author_id, recipient_id, seconds, first_seq=next(seqs))
    return {"rows_per_s": round(inserted / elapsed, 1), "rows": inserted, "sqlite3_direct_rows_per_s": direct}


def direct_insert_rate(path: Path, author_id: int, recipient_id: int, seconds: float, first_seq: int) -> float:
    """The same transactions through the stdlib sqlite3 module, same pragmas: what the driver stack costs."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("PRAGMA foreign_keys = ON")
    inserted = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        seq = first_seq + inserted
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "INSERT INTO messages (content, created_at, author_id, recipient_id, seq, created_seq, deleted)"
            " VALUES (?, ?, ?, ?, ?, ?, 0) RETURNING id",
            ("ceiling", utc_now().isoformat(), author_id, recipient_id, seq, seq),
        ).fetchone()
        connection.execute("COMMIT")
        inserted += 1
    elapsed = time.perf_counter() - started
    connection.close()
    return round(inserted / elapsed, 1)


def fraction(part: float | None, whole: float | None) -> float | None:
    """`part / whole` to two places, or None when either is missing (or `whole` is zero)."""
    return None if part is None or not whole else round(part / whole, 2)


def bounds_table(
    bounds: dict[str, tuple[dict[str, Any], dict[str, Any]]], end_to_end: dict[str, dict[str, Any]]
) -> str:
    """Per transport, named by confab's scenario on it: the bare server (ceiling), the same server writing
    durably (floor), and confab's figures as a fraction of each when that scenario ran in this invocation."""
    lines = [
        "| transport (confab scenario) | ceiling /s | CPU ms/msg | floor /s | CPU ms/msg | floor/ceiling "
        "| confab /s | CPU ms/msg | confab/ceiling | confab/floor |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for scenario, (ceiling, floor) in bounds.items():
        confab = end_to_end.get(scenario, {})
        cells = [
            scenario,
            ceiling.get("throughput_per_s"),
            ceiling.get("server_cpu_ms_per_message"),
            floor.get("throughput_per_s"),
            floor.get("server_cpu_ms_per_message"),
            fraction(floor.get("throughput_per_s"), ceiling.get("throughput_per_s")),
            confab.get("throughput_per_s"),
            confab.get("server_cpu_ms_per_message"),
            confab.get("fraction_of_own_ceiling"),
            confab.get("fraction_of_own_floor"),
        ]
        lines.append("| " + " | ".join("-" if cell is None else str(cell) for cell in cells) + " |")
    return "\n".join(lines)
