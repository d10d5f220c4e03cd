"""Two `confab serve` workers sharing the test database and a Redis prefix of their own, as a deployment runs them."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import uuid
from collections.abc import AsyncIterator

import httpx

from confab.settings import Settings
from tests.conftest import free_port
from tests.support.processes import BackendProcess, environment_for
from tests.support.sockets import RecordingClient


@contextlib.asynccontextmanager
async def two_workers(
    settings: Settings, redis_url: str
) -> AsyncIterator[tuple[BackendProcess, httpx.AsyncClient, BackendProcess, httpx.AsyncClient, list[RecordingClient]]]:
    """Start both workers; yield each with an HTTP client, and a list whose sockets are closed on the way out."""
    shared = dataclasses.replace(settings, redis_url=redis_url, redis_prefix=f"test-{uuid.uuid4().hex[:8]}")
    environment = environment_for(shared)
    worker_a = BackendProcess(environment, free_port())
    worker_b = BackendProcess(environment, free_port())
    sockets: list[RecordingClient] = []
    try:
        await asyncio.gather(worker_a.start(), worker_b.start())
        async with (
            httpx.AsyncClient(base_url=worker_a.url) as http_a,
            httpx.AsyncClient(base_url=worker_b.url) as http_b,
        ):
            yield worker_a, http_a, worker_b, http_b, sockets
    finally:
        await asyncio.gather(*(socket.disconnect() for socket in sockets), return_exceptions=True)
        await asyncio.gather(worker_a.stop(), worker_b.stop())
