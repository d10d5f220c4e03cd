"""Long uptime: mixed load on a fresh server for MINUTES, sampling what a leak would grow.

    python -m bench.soak --minutes 10          # what `just soak 10` runs
    python -m bench.soak --minutes 2 --check   # CI: exit 1 when a target is missed

The load mixes DM and room sends over REST and Socket.IO, history reads, people lists, logins, and
sockets that connect (with a catch-up), send and disconnect again. Each sample is the server's RSS,
open files, asyncio tasks and live Python objects, printed as a JSON line as it is taken and as a
table at the end. Targets (bench/RESULTS.md): after warm-up (a third of the run, at most 5 minutes:
caches, connection pools and the allocator's arenas fill first), RSS grows less than 10% to the last
sample; once the load stops and its sockets are gone, the task and open-file counts are back to what
the idle server had before the load.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import socketio

from bench.server import ServerProcess, backend_environment, fresh_sqlite_url, git_revision, migrate, read_status_kb
from bench.soak_server import STATS_PATH

PASSWORD = "soak password"
USERS = 40
RSS_GROWTH_TARGET = 0.10
WARM_UP_MINUTES_AT_MOST = 5


class Soak:
    """The load's clients, their counters, and a stop flag every loop watches."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.stop = asyncio.Event()
        self.counts: dict[str, int] = dict.fromkeys(("sends", "reads", "logins", "sockets", "errors"), 0)
        self.failures: Counter[str] = Counter()
        self.users: list[dict[str, Any]] = []
        self.room_id = 0

    async def request(self, http: aiohttp.ClientSession, method: str, path: str, **kwargs: Any) -> Any:
        async with http.request(method, self.url + path, **kwargs) as response:
            body = await response.json()
            if response.status >= 400:
                raise RuntimeError(f"{method} {path}: {response.status} {body}")
            return body

    async def sign_up(self, http: aiohttp.ClientSession) -> None:
        for _ in range(USERS):
            nickname = f"soak{uuid.uuid4().hex[:10]}"
            user = await self.request(
                http,
                "POST",
                "/api/users",
                json={"name": nickname, "email": f"{nickname}@example.com", "nickname": nickname, "password": PASSWORD},
            )
            login = await self.request(
                http, "POST", "/api/auth/token", json={"nickname": nickname, "password": PASSWORD}
            )
            self.users.append({**user, "headers": {"Authorization": f"Bearer {login['access_token']}"}})
        owner = self.users[0]
        room = await self.request(
            http,
            "POST",
            "/api/rooms",
            headers=owner["headers"],
            json={"name": "soak", "member_ids": [user["id"] for user in self.users[1:]]},
        )
        self.room_id = room["id"]

    async def visit_with_a_socket(self) -> None:
        """Connect (with a catch-up replay), send one DM, stay a moment, disconnect."""
        user = random.choice(self.users)
        token = user["headers"]["Authorization"].removeprefix("Bearer ")
        client = socketio.AsyncClient(reconnection=False)
        await client.connect(self.url, auth={"token": token, "last_id": 0}, transports=["websocket"], wait_timeout=10)
        try:
            peer = random.choice([other for other in self.users if other is not user])
            ack = await client.call("send", {"recipient_id": peer["id"], "content": "from a socket"}, timeout=10)
            if not ack.get("ok"):
                raise RuntimeError(f"socket send: {ack}")
            await asyncio.sleep(random.uniform(0.5, 3))
        finally:
            await client.disconnect()
        self.counts["sockets"] += 1

    async def paced(self, per_second: float, action: Any) -> None:
        """Run `action` about `per_second` times a second until the soak stops; a failure is counted, not fatal."""
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                await action()
            except (RuntimeError, aiohttp.ClientError, socketio.exceptions.SocketIOError, TimeoutError) as error:
                self.counts["errors"] += 1
                self.failures[f"{type(error).__name__}: {str(error)[:200]}"] += 1
            await asyncio.sleep(max(0.0, 1 / per_second - (time.monotonic() - started)))

    async def run(self, http: aiohttp.ClientSession) -> None:
        numbers = itertools.count()

        async def send_dm() -> None:
            author, recipient = random.sample(self.users, 2)
            body = {"recipient_id": recipient["id"], "content": f"soak {next(numbers)}"}
            await self.request(http, "POST", "/api/messages", headers=author["headers"], json=body)
            self.counts["sends"] += 1

        async def send_to_room() -> None:
            author = random.choice(self.users)
            body = {"content": f"soak room {next(numbers)}"}
            await self.request(
                http, "POST", f"/api/rooms/{self.room_id}/messages", headers=author["headers"], json=body
            )
            self.counts["sends"] += 1

        async def read() -> None:
            reader, peer = random.sample(self.users, 2)
            await self.request(http, "GET", f"/api/messages?with={peer['id']}&limit=50", headers=reader["headers"])
            await self.request(http, "GET", f"/api/rooms/{self.room_id}/messages", headers=reader["headers"])
            await self.request(http, "GET", "/api/users", headers=reader["headers"])
            self.counts["reads"] += 1

        async def log_in() -> None:
            user = random.choice(self.users)
            body = {"nickname": user["nickname"], "password": PASSWORD}
            await self.request(http, "POST", "/api/auth/token", json=body)
            self.counts["logins"] += 1

        await asyncio.gather(
            self.paced(15, send_dm),
            self.paced(5, send_to_room),
            self.paced(5, read),
            self.paced(1, log_in),
            *(self.paced(1, self.visit_with_a_socket) for _ in range(3)),
        )


async def sample(server: ServerProcess, soak: Soak | None, minute: float) -> dict:
    # A connection of its own, closed after: the load's pooled connections must not count in the idle samples.
    async with aiohttp.ClientSession() as http, http.get(server.url + STATS_PATH) as response:
        live = await response.json()
    return {
        "minute": round(minute, 2),
        "rss_kb": read_status_kb(server.pid, "VmRSS"),
        **live,
        **(dict(soak.counts) if soak else {}),
    }


async def settled(server: ServerProcess, soak: Soak | None, minute: float, baseline: dict | None) -> dict:
    """The idle server's counts: a closed socket's Engine.IO ping task lives out its interval (20 s), so
    poll until the counts are back to `baseline` (or, with none, at their lowest) for at most 30 s."""
    lowest = await sample(server, soak, minute)
    for _ in range(30):
        if baseline and lowest["tasks"] <= baseline["tasks"] and lowest["open_files"] <= baseline["open_files"]:
            break
        await asyncio.sleep(1)
        now = await sample(server, soak, minute)
        if (now["tasks"], now["open_files"]) <= (lowest["tasks"], lowest["open_files"]):
            lowest = now
    return lowest


def print_table(samples: list[dict]) -> None:
    columns = ["minute", "rss_kb", "open_files", "tasks", "gc_objects", "sends", "reads", "sockets", "errors"]
    print(" ".join(f"{column:>10}" for column in columns), file=sys.stderr)
    for row in samples:
        print(" ".join(f"{row.get(column, ''):>10}" for column in columns), file=sys.stderr)


async def soak(minutes: float, sample_seconds: float) -> dict:
    directory = Path(tempfile.mkdtemp(prefix="confab-soak-"))
    database_url = fresh_sqlite_url(directory)
    environment = backend_environment(database_url)
    migrate(database_url, environment)
    server = await ServerProcess("bench.soak_server:app", environment, ["--log-level", "warning"]).start("/db/alive")
    samples: list[dict] = []
    try:
        load = Soak(server.url)
        async with aiohttp.ClientSession() as http:
            await load.sign_up(http)
            await load.visit_with_a_socket()  # what the server starts once, at its first socket, is in the baseline
        idle_before = await settled(server, None, 0, baseline=None)
        async with aiohttp.ClientSession() as http:
            running = asyncio.create_task(load.run(http))
            started = time.monotonic()
            while (elapsed := time.monotonic() - started) < minutes * 60:
                await asyncio.sleep(min(sample_seconds, minutes * 60 - elapsed))
                samples.append(await sample(server, load, (time.monotonic() - started) / 60))
                print(json.dumps(samples[-1]), file=sys.stderr, flush=True)
            load.stop.set()
            await running
        idle_after = await settled(server, load, (time.monotonic() - started) / 60, baseline=idle_before)
    finally:
        server.stop()
    print_table([idle_before, *samples, idle_after])
    warm_up_minutes = min(minutes / 3, WARM_UP_MINUTES_AT_MOST)
    warmed = next(row for row in samples if row["minute"] >= warm_up_minutes)
    last = samples[-1]
    rss_growth = (last["rss_kb"] - warmed["rss_kb"]) / warmed["rss_kb"]
    return {
        "scenario": "soak",
        "date": time.strftime("%Y-%m-%d"),
        "revision": git_revision(),
        "minutes": minutes,
        "sends": last["sends"],
        "reads": last["reads"],
        "socket_visits": last["sockets"],
        "errors": idle_after["errors"],
        "failures": dict(load.failures.most_common(5)),
        "warm_up_minutes": warmed["minute"],
        "rss_kb_after_warm_up": warmed["rss_kb"],
        "rss_kb_last": last["rss_kb"],
        "rss_growth": round(rss_growth, 4),
        "tasks_idle_before": idle_before["tasks"],
        "tasks_idle_after": idle_after["tasks"],
        "open_files_idle_before": idle_before["open_files"],
        "open_files_idle_after": idle_after["open_files"],
        "met": {
            "rss_growth_under_10_percent": rss_growth < RSS_GROWTH_TARGET,
            "tasks_back_to_baseline": idle_after["tasks"] <= idle_before["tasks"],
            "open_files_back_to_baseline": idle_after["open_files"] <= idle_before["open_files"],
            "no_errors": idle_after["errors"] == 0,
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10, help="how long the load runs (default 10)")
    parser.add_argument(
        "--sample-seconds", type=float, help="time between samples (default: a tenth of the run, at most 60)"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed (CI)")
    arguments = parser.parse_args()
    sample_seconds = arguments.sample_seconds or min(60.0, arguments.minutes * 6)
    result = asyncio.run(soak(arguments.minutes, sample_seconds))
    print(json.dumps(result))
    return 1 if arguments.check and not all(result["met"].values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
