"""Backend processes for tests that need more than one server: real uvicorn subprocesses on free ports."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from confab.settings import Settings


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
    """`confab serve` (one worker, as `just serve` runs it) in a child process; its output goes to a log
    file shown on failure."""

    def __init__(self, environment: dict[str, str], port: int) -> None:
        self.environment = environment
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = Path(tempfile.mkstemp(prefix=f"confab-{port}-", suffix=".log")[1])
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "confab.cli",
            "serve",
            "--workers",
            "1",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]

    async def start(self, timeout: float = 30) -> BackendProcess:
        with self.log_path.open("ab") as log:
            # Popen only forks and returns; the readiness poll below is what waits.
            self.process = subprocess.Popen(  # noqa: ASYNC220
                self.command(), env=self.environment, stdout=log, stderr=subprocess.STDOUT
            )
        async with httpx.AsyncClient(base_url=self.url, timeout=2) as client:
            deadline = asyncio.get_running_loop().time() + timeout
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"backend on {self.port} exited early:\n{self.log()}")
                try:
                    if (await client.get("/db/alive")).status_code == 200:
                        return self
                except httpx.TransportError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    raise RuntimeError(f"backend on {self.port} did not answer in {timeout}s:\n{self.log()}")
                await asyncio.sleep(0.1)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    async def stop(self, how: signal.Signals = signal.SIGTERM, timeout: float = 20) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(how)
        try:
            return await asyncio.to_thread(self.process.wait, timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return await asyncio.to_thread(self.process.wait, timeout)
