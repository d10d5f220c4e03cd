"""What one REST send (or change) costs the server, with no network and no other load: microseconds per request.

    python -m bench.request_cost                    # median of 5 rounds of 2,000 sends
    python -m bench.request_cost --profile 40       # then cProfile, top 40 by cumulative time
    python -m bench.request_cost --concurrency 16   # 16 sends in flight at once (group commit batches them)
    python -m bench.request_cost --operation edit   # edits instead (or `react`: reaction toggles)
    python -m bench.request_cost --operation upload # 1 MB uploads (`POST /api/files`, 64 KiB chunks)
    python -m bench.request_cost --stored 200000    # on a database that already holds 200,000 messages
    python -m bench.request_cost --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

Drives `POST /api/messages` through confab's ASGI app (Socket.IO wrapper, security headers,
Litestar, the token check, the service, a fresh migrated SQLite file, or with `--postgres-url` a
fresh database on that PostgreSQL server, dropped afterwards) inside this process, one
request at a time (or `--concurrency` at a time, from as many loops of requests). Steadier than the
load scenarios on a shared machine, so it is what each change to the send path was measured with
(bench/RESULTS.md); the load scenarios then confirm the effect.
`edit` is `PATCH /api/messages/{id}` by the author, `react` a `PUT` or `DELETE` of the recipient's
reaction (toggled, so each request changes something), both over the last 200 of as many sent DMs:
the change mix of the dm-changes scenario, one kind at a time.
On PostgreSQL it also prints the CPU time the server's backends for that database spent per request
(from /proc: the server must run on this machine), which round trips cost as much as the worker's.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import itertools
import logging
import os
import pstats
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import asyncpg
import httpx
import msgspec
from sqlalchemy.engine import make_url

from bench.load import process_cpu_seconds
from bench.server import analyze, backend_environment, fresh_sqlite_url, migrate
from confab.app import create_asgi_app
from confab.settings import Settings


async def token_for(http: httpx.AsyncClient, nickname: str) -> tuple[int, str]:
    """Sign up `nickname` through the API; its id and a bearer token."""
    password = "request-cost-password"
    user = {"name": nickname, "email": f"{nickname}@bench.example", "nickname": nickname, "password": password}
    created = (await http.post("/api/users", json=user)).json()
    login = (await http.post("/api/auth/token", json={"nickname": nickname, "password": password})).json()
    return created["id"], login["access_token"]


async def request(
    app: Any,
    method: str,
    path: str,
    body: bytes,
    token: str,
    expected: int,
    content_type: str = "application/json",
    chunk_size: int | None = None,
) -> None:
    """One ASGI request straight into the app (the body in `chunk_size` pieces, as uvicorn hands it over);
    checks its status."""
    headers = [
        (b"host", b"bench"),
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"authorization", f"Bearer {token}".encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": quote(path).encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("bench", 80),
    }
    step = chunk_size or max(len(body), 1)
    pieces = [body[start : start + step] for start in range(0, len(body), step)] or [b""]
    messages = [
        {"type": "http.request", "body": piece, "more_body": index < len(pieces) - 1}
        for index, piece in enumerate(pieces)
    ]
    messages.reverse()
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # the client never disconnects
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    if statuses != [expected]:
        raise RuntimeError(f"{method} {path}: expected {expected}, got {statuses}")


def send_request(app: Any, recipient_id: int, token: str) -> Callable[[], Awaitable[None]]:
    """A coroutine function that makes one ASGI request for `POST /api/messages` and checks the 201; each send
    has its own `client_id`, as the web client's and the CLI's do."""
    client_ids = itertools.count()

    def send() -> Awaitable[None]:
        body = {
            "recipient_id": recipient_id,
            "content": "what does one send cost?",
            "client_id": f"request-cost-{next(client_ids)}",
        }
        return request(app, "POST", "/api/messages", msgspec.json.encode(body), token, 201)

    return send


# The reactions the change mix toggles (as bench/load.py's `REACTIONS`).
REACTIONS = ("👍", "🎉", "😂", "❤️")


async def change_requests(
    app: Any, operation: str, author_token: str, recipient_id: int, recipient_token: str
) -> Callable[[], Awaitable[None]]:
    """Send 200 DMs, then a coroutine function that changes one of them per call, round robin: an edit by the
    author with new text each time, or a toggle of one of the recipient's reactions."""
    send_one = send_request(app, recipient_id, author_token)
    for _ in range(200):
        await send_one()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
        headers = {"Authorization": f"Bearer {author_token}"}
        page = await http.get("/api/messages", params={"limit": 200}, headers=headers)
        message_ids = [message["id"] for message in page.json()]
    if len(message_ids) != 200:
        raise RuntimeError(f"expected the 200 DMs just sent, read {len(message_ids)}")
    targets = itertools.cycle(message_ids)
    edits = itertools.count(1)
    reacted: set[tuple[int, str]] = set()
    emoji = itertools.cycle(REACTIONS)

    async def edit_one() -> None:
        content = msgspec.json.encode({"content": f"edited {next(edits)}"})
        await request(app, "PATCH", f"/api/messages/{next(targets)}", content, author_token, 200)

    async def react_one() -> None:
        message_id, reaction = next(targets), next(emoji)
        path = f"/api/messages/{message_id}/reactions/{reaction}"
        method = "DELETE" if (message_id, reaction) in reacted else "PUT"
        reacted.symmetric_difference_update({(message_id, reaction)})
        await request(app, method, path, b"", recipient_token, 200)

    return edit_one if operation == "edit" else react_one


# What uvicorn hands the app at a time (its read size), and the upload scenario's small file.
UVICORN_CHUNK = 65536
UPLOAD_BYTES = 1024 * 1024


def upload_request(app: Any, token: str) -> Callable[[], Awaitable[None]]:
    """A coroutine function that uploads 1 MB of random bytes (`POST /api/files`, multipart) and checks the 201."""
    boundary = "request-cost-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body += os.urandom(UPLOAD_BYTES) + f"\r\n--{boundary}--\r\n".encode()
    content_type = f"multipart/form-data; boundary={boundary}"
    return lambda: request(app, "POST", "/api/files", body, token, 201, content_type, UVICORN_CHUNK)


def store_copies(database: Path, count: int) -> None:
    """Write `count` copies of the newest message straight into the table (each with its own `client_id` and
    `seq`, the search index kept by its triggers): what a send costs must not grow with what is stored."""
    with sqlite3.connect(database) as connection:
        connection.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO messages (content, created_at, author_id, recipient_id, client_id, seq, created_seq, deleted) "
            "SELECT t.content, t.created_at, t.author_id, t.recipient_id, 'stored-' || n.i, t.seq + n.i, "
            "t.seq + n.i, 0 "
            "FROM n, (SELECT * FROM messages ORDER BY id DESC LIMIT 1) AS t",
            (count,),
        )


class PostgresDatabase:
    """A fresh database on a PostgreSQL server, and the CPU time its backend processes have spent."""

    def __init__(self, server_url: str) -> None:
        self.server_dsn = make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.name = f"confab_request_cost_{uuid.uuid4().hex[:8]}"
        self.url = make_url(server_url).set(database=self.name).render_as_string(hide_password=False)

    async def _on_server(self, statement: str, *arguments: object) -> list[asyncpg.Record]:
        connection = await asyncpg.connect(self.server_dsn)
        try:
            return await connection.fetch(statement, *arguments)
        finally:
            await connection.close()

    async def create(self) -> str:
        await self._on_server(f'CREATE DATABASE "{self.name}"')
        return self.url

    async def drop(self) -> None:
        await self._on_server(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    async def backend_cpu(self) -> dict[int, float]:
        """CPU seconds (user + system) of each backend connected to the database now."""
        rows = await self._on_server("SELECT pid FROM pg_stat_activity WHERE datname = $1", self.name)
        spent = {row["pid"]: process_cpu_seconds(row["pid"]) for row in rows}
        return {pid: seconds for pid, seconds in spent.items() if seconds is not None}  # None: gone, or elsewhere


async def measure(
    rounds: int,
    sends: int,
    profile_top: int,
    operation: str = "send",
    concurrency: int = 1,
    stored: int = 0,
    postgres_url: str | None = None,
) -> None:
    directory = Path(tempfile.mkdtemp(prefix="confab-request-cost-"))
    postgres = PostgresDatabase(postgres_url) if postgres_url else None
    database_url = await postgres.create() if postgres else fresh_sqlite_url(directory, "request-cost.db")
    try:
        await asyncio.to_thread(migrate, database_url, backend_environment(database_url))
        await _measure(directory, database_url, postgres, rounds, sends, profile_top, operation, concurrency, stored)
    finally:
        if postgres:
            await postgres.drop()


async def _measure(
    directory: Path,
    database_url: str,
    postgres: PostgresDatabase | None,
    rounds: int,
    sends: int,
    profile_top: int,
    operation: str,
    concurrency: int,
    stored: int,
) -> None:
    settings = Settings(
        database_url=database_url,
        secret_key="request-cost-secret-of-32-bytes!",  # noqa: S106 (a throwaway database)
        password_hash_profile="CHEAPEST",  # noqa: S106 (a profile name, not a password)
        rate_limits=False,
        upload_dir=str(directory / "uploads"),
        upload_quota_bytes=1 << 40,
    )
    app = create_asgi_app(settings)
    async with app.api.lifespan():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
            _author_id, token = await token_for(http, "costauthor")
            recipient_id, recipient_token = await token_for(http, "costrecipient")
        send_one = send_request(app, recipient_id, token)
        if operation in ("edit", "react"):
            send_one = await change_requests(app, operation, token, recipient_id, recipient_token)
        elif operation == "upload":
            send_one = upload_request(app, token)
        label = {
            "send": "POST /api/messages",
            "edit": "PATCH /api/messages/{id}",
            "react": "PUT/DELETE reaction",
            "upload": "POST /api/files (1 MB)",
        }

        async def send_many(count: int) -> None:
            async def loop(share: int) -> None:
                for _ in range(share):
                    await send_one()

            shares = [count // concurrency + (1 if index < count % concurrency else 0) for index in range(concurrency)]
            await asyncio.gather(*(loop(share) for share in shares))

        await send_many(sends // 4)  # warm the statement caches and the profile cache
        if postgres:
            await analyze(postgres.url)  # as autovacuum would have by now in a real database
        if stored:
            started = time.perf_counter()
            store_copies(directory / "request-cost.db", stored)
            print(f"{stored} messages stored in {time.perf_counter() - started:.1f} s")
        per_round, cpu_per_round, database_cpu_per_round = [], [], []
        for _ in range(rounds):
            database_started = await postgres.backend_cpu() if postgres else {}
            started, cpu_started = time.perf_counter(), time.process_time()
            await send_many(sends)
            per_round.append((time.perf_counter() - started) / sends * 1e6)
            cpu_per_round.append((time.process_time() - cpu_started) / sends * 1e6)
            if postgres:
                database_spent = await postgres.backend_cpu()
                spent = sum(seconds - database_started.get(pid, 0.0) for pid, seconds in database_spent.items())
                database_cpu_per_round.append(spent / sends * 1e6)
        median = statistics.median(per_round)
        print(f"{label[operation]}, {concurrency} at a time: {median:.0f} us per request (median of {rounds} rounds)")
        print("rounds:", ", ".join(f"{value:.0f}" for value in per_round))
        # CPU time is steadier than wall time on a shared machine: other processes' load mostly adds waiting.
        print(f"CPU: {statistics.median(cpu_per_round):.0f} us per request (median)")
        print("CPU rounds:", ", ".join(f"{value:.0f}" for value in cpu_per_round))
        if database_cpu_per_round:
            print(f"PostgreSQL CPU: {statistics.median(database_cpu_per_round):.0f} us per request (median)")
            print("PostgreSQL CPU rounds:", ", ".join(f"{value:.0f}" for value in database_cpu_per_round))
        if profile_top:
            # CPU time, not wall time: on a shared machine the wall clock mostly measures the other processes.
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            await send_many(sends)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(profile_top)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(profile_top)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.request_cost", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sends", type=int, default=2000, help="requests per round")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile a round, print the top N")
    parser.add_argument("--concurrency", type=int, default=1, help="requests in flight at once")
    parser.add_argument(
        "--operation", choices=("send", "edit", "react", "upload"), default="send", help="what each request does"
    )
    parser.add_argument("--stored", type=int, default=0, help="messages written to the database before measuring")
    parser.add_argument(
        "--postgres-url", help="a fresh database on this PostgreSQL server (dropped afterwards) instead of SQLite"
    )
    arguments = parser.parse_args()
    if arguments.stored and arguments.postgres_url:
        parser.error("--stored writes into the SQLite file: not with --postgres-url")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    asyncio.run(
        measure(
            arguments.rounds,
            arguments.sends,
            arguments.profile,
            arguments.operation,
            arguments.concurrency,
            arguments.stored,
            arguments.postgres_url,
        )
    )


if __name__ == "__main__":
    main()
