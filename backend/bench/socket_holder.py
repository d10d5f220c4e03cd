"""A helper process that opens COUNT authenticated sockets and holds them (the `idle` and `room-fanout` scenarios).

Reads `<user id> <token>` lines from TOKENS_FILE and uses them round-robin; prints `ready <n>` once
the sockets are connected (fewer when the time budget ran out; `failed <n> <reason>` on errors).
Then, for each line read on standard input, prints the `message` events received since the last
time as one JSON list of `[client_id, user_id, perf_counter]` (the clock is the machine's monotonic
one, so the bench can compare it with its own); when standard input closes, it disconnects and
exits. Many sockets in one Python process are slow to open and slow to feed, so the bench starts
several of these.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time
from typing import Any

import aiohttp
import socketio

from bench.load import bounded_gather
from confab.gc_tuning import tune_garbage_collector
from confab.realtime import codec


async def hold(
    url: str, accounts: list[tuple[int, str]], count: int, concurrency: int, timeout: float, budget: float
) -> None:
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    clients: list[socketio.AsyncClient] = []
    failures: list[str] = []
    receipts: list[tuple[str, int, float]] = []
    stop_at = time.monotonic() + budget

    def record(user_id: int, payload: Any) -> None:
        if isinstance(payload, dict) and payload.get("client_id"):
            receipts.append((payload["client_id"], user_id, time.perf_counter()))

    async def one(user_id: int, token: str) -> None:
        if time.monotonic() > stop_at:  # out of time: report how many were opened rather than hang
            return
        client = socketio.AsyncClient(reconnection=False, json=codec, handle_sigint=False, http_session=http)
        client.on("message", lambda payload: record(user_id, payload))
        try:
            await client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=timeout)
            clients.append(client)
        except (socketio.exceptions.ConnectionError, OSError, TimeoutError) as error:
            failures.append(str(error))

    chosen = list(itertools.islice(itertools.cycle(accounts), count))
    await bounded_gather([lambda account=account: one(*account) for account in chosen], concurrency)
    if failures:
        print(f"failed {len(failures)} {failures[0]}", flush=True)
    else:
        print(f"ready {len(clients)}", flush=True)
    loop = asyncio.get_running_loop()
    while await loop.run_in_executor(None, sys.stdin.readline):
        print(json.dumps(receipts), flush=True)
        receipts.clear()
    await bounded_gather([client.disconnect for client in clients], 128)
    await http.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--tokens-file", required=True)
    parser.add_argument("--count", type=int, help="sockets to open (default: one per line of the file)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--timeout", type=float, default=120, help="seconds one connection may take")
    parser.add_argument("--budget", type=float, default=150, help="seconds after which no new socket is opened")
    arguments = parser.parse_args()
    with open(arguments.tokens_file) as tokens_file:
        accounts = [(int(user_id), token) for user_id, token in (line.split() for line in tokens_file if line.strip())]
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    # This process receives the deliveries it times: its collector's pauses would count as the server's.
    tune_garbage_collector()
    count = arguments.count or len(accounts)
    asyncio.run(hold(arguments.url, accounts, count, arguments.concurrency, arguments.timeout, arguments.budget))


if __name__ == "__main__":
    main()
