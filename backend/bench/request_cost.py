"""What one REST send costs the server, with no network and no other load: microseconds per request.

    python -m bench.request_cost                    # median of 5 rounds of 2,000 sends
    python -m bench.request_cost --profile 40       # then cProfile, top 40 by cumulative time
    python -m bench.request_cost --concurrency 16   # 16 sends in flight at once (group commit batches them)

Drives `POST /api/messages` through confab's ASGI app (Socket.IO wrapper, security headers,
Litestar, the token check, the service, a fresh migrated SQLite file) inside this process, one
request at a time (or `--concurrency` at a time, from as many loops of requests). Steadier than the
load scenarios on a shared machine, so it is what each change to the send path was measured with
(bench/RESULTS.md); the load scenarios then confirm the effect.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import pstats
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import msgspec

from bench.server import backend_environment, fresh_sqlite_url, migrate
from confab.app import create_asgi_app
from confab.settings import Settings


async def token_for(http: httpx.AsyncClient, nickname: str) -> tuple[int, str]:
    """Sign up `nickname` through the API; its id and a bearer token."""
    password = "request-cost-password"
    user = {"name": nickname, "email": f"{nickname}@bench.example", "nickname": nickname, "password": password}
    created = (await http.post("/api/users", json=user)).json()
    login = (await http.post("/api/auth/token", json={"nickname": nickname, "password": password})).json()
    return created["id"], login["access_token"]


def send_request(app: Any, body: bytes, token: str) -> Any:
    """A coroutine function that makes one ASGI request for `POST /api/messages` and checks the 201."""
    headers = [
        (b"host", b"bench"),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"authorization", f"Bearer {token}".encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/messages",
        "raw_path": b"/api/messages",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("bench", 80),
    }

    async def send_one() -> None:
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        statuses: list[int] = []

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop()
            await asyncio.Event().wait()  # the client never disconnects
            raise AssertionError

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        await app(dict(scope), receive, send)
        if statuses != [201]:
            raise RuntimeError(f"expected 201, got {statuses}")

    return send_one


async def measure(rounds: int, sends: int, profile_top: int, concurrency: int = 1) -> None:
    directory = Path(tempfile.mkdtemp(prefix="confab-request-cost-"))
    database_url = fresh_sqlite_url(directory, "request-cost.db")
    migrate(database_url, backend_environment(database_url))
    settings = Settings(
        database_url=database_url,
        secret_key="request-cost-secret-of-32-bytes!",  # noqa: S106 (a throwaway database)
        password_hash_profile="CHEAPEST",  # noqa: S106 (a profile name, not a password)
        rate_limits=False,
    )
    app = create_asgi_app(settings)
    async with app.api.lifespan():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
            _author_id, token = await token_for(http, "costauthor")
            recipient_id, _ = await token_for(http, "costrecipient")
        body = msgspec.json.encode({"recipient_id": recipient_id, "content": "what does one send cost?"})
        send_one = send_request(app, body, token)

        async def send_many(count: int) -> None:
            async def loop(share: int) -> None:
                for _ in range(share):
                    await send_one()

            shares = [count // concurrency + (1 if index < count % concurrency else 0) for index in range(concurrency)]
            await asyncio.gather(*(loop(share) for share in shares))

        await send_many(sends // 4)  # warm the statement caches and the profile cache
        per_round, cpu_per_round = [], []
        for _ in range(rounds):
            started, cpu_started = time.perf_counter(), time.process_time()
            await send_many(sends)
            per_round.append((time.perf_counter() - started) / sends * 1e6)
            cpu_per_round.append((time.process_time() - cpu_started) / sends * 1e6)
        print(
            f"POST /api/messages, {concurrency} at a time: {statistics.median(per_round):.0f} us per request "
            f"(median of {rounds} rounds)"
        )
        print("rounds:", ", ".join(f"{value:.0f}" for value in per_round))
        # CPU time is steadier than wall time on a shared machine: other processes' load mostly adds waiting.
        print(f"CPU: {statistics.median(cpu_per_round):.0f} us per request (median)")
        print("CPU rounds:", ", ".join(f"{value:.0f}" for value in cpu_per_round))
        if profile_top:
            profiler = cProfile.Profile()
            profiler.enable()
            await send_many(sends)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(profile_top)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.request_cost", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sends", type=int, default=2000, help="requests per round")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile a round, print the top N")
    parser.add_argument("--concurrency", type=int, default=1, help="requests in flight at once")
    arguments = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    asyncio.run(measure(arguments.rounds, arguments.sends, arguments.profile, arguments.concurrency))


if __name__ == "__main__":
    main()
