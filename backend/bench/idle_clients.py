"""A helper process for the `idle` scenario: opens COUNT authenticated sockets and holds them.

Reads tokens (one a line) from TOKENS_FILE and uses them round-robin; prints `ready <n>` once the
sockets are connected (fewer when the time budget ran out; `failed <n> <reason>` on errors), then
waits for standard input to close, disconnects and exits. Many sockets in one Python process are
slow to open, so the bench starts several of these.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
import time

import aiohttp
import socketio

from bench.load import bounded_gather
from confab.realtime import codec


async def hold(url: str, tokens: list[str], count: int, concurrency: int, timeout: float, budget: float) -> None:
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    clients: list[socketio.AsyncClient] = []
    failures: list[str] = []
    stop_at = time.monotonic() + budget

    async def one(token: str) -> None:
        if time.monotonic() > stop_at:  # out of time: report how many were opened rather than hang
            return
        client = socketio.AsyncClient(reconnection=False, json=codec, handle_sigint=False, http_session=http)
        try:
            await client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=timeout)
            clients.append(client)
        except (socketio.exceptions.ConnectionError, OSError, TimeoutError) as error:
            failures.append(str(error))

    chosen = list(itertools.islice(itertools.cycle(tokens), count))
    await bounded_gather([lambda token=token: one(token) for token in chosen], concurrency)
    if failures:
        print(f"failed {len(failures)} {failures[0]}", flush=True)
    else:
        print(f"ready {len(clients)}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await bounded_gather([client.disconnect for client in clients], 128)
    await http.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--tokens-file", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--timeout", type=float, default=120, help="seconds one connection may take")
    parser.add_argument("--budget", type=float, default=150, help="seconds after which no new socket is opened")
    arguments = parser.parse_args()
    with open(arguments.tokens_file) as tokens_file:
        tokens = [line.strip() for line in tokens_file if line.strip()]
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(
        hold(arguments.url, tokens, arguments.count, arguments.concurrency, arguments.timeout, arguments.budget)
    )


if __name__ == "__main__":
    main()
