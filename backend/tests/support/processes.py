"""Backend processes for tests that need more than one server: `confab serve` subprocesses on free ports."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import tempfile
from pathlib import Path

import httpx

from confab.settings import Settings
from tests.support.serving import ServeProcess


def environment_for(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment variables that make a subprocess use the same configuration as `settings`."""
    environment = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": settings.secret_key,
        "PASSWORD_HASH_PROFILE": settings.password_hash_profile,
        "RATE_LIMITS": "on" if settings.rate_limits else "off",
        "REDIS_PREFIX": settings.redis_prefix,
    }
    if settings.redis_url:
        environment["REDIS_URL"] = settings.redis_url
    environment.update(extra)
    return environment


class BackendProcess:
    """An awaitable face on `ServeProcess` (`confab serve`, one worker) for tests that run in an event loop."""

    def __init__(self, environment: dict[str, str], port: int) -> None:
        self.serve = ServeProcess(
            f"backend-{port}", port, environment, Path(tempfile.mkdtemp(prefix="confab-backend-"))
        )
        self.port = port
        self.url = self.serve.url

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        return self.serve.process

    def log(self) -> str:
        """Everything the server wrote, stdout (its logs) then stderr."""
        errors = self.serve.stderr_path.read_text(errors="replace") if self.serve.stderr_path.exists() else ""
        return self.serve.logs() + errors

    async def start(self, timeout: float = 30) -> BackendProcess:
        self.serve.start()
        async with httpx.AsyncClient(base_url=self.url, timeout=2) as client:
            deadline = asyncio.get_running_loop().time() + timeout
            while True:
                if not self.serve.running:
                    raise RuntimeError(f"backend on {self.port} exited early:\n{self.serve.output()}")
                try:
                    if (await client.get("/db/alive")).status_code == 200:
                        return self
                except httpx.TransportError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    raise RuntimeError(f"backend on {self.port} did not answer in {timeout}s:\n{self.serve.output()}")
                await asyncio.sleep(0.1)

    async def stop(self, how: signal.Signals = signal.SIGTERM, timeout: float = 20) -> int | None:
        """Signal the server, wait for it (SIGKILL after `timeout`); its exit code, None if never started."""
        if self.process is None:
            return None
        return await asyncio.to_thread(self.serve.stop, how, timeout)
