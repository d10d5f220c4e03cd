"""The backend under test: migrated on a fresh SQLite file, served by uvicorn in a child process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import asyncpg
from sqlalchemy.engine import make_url

BACKEND_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def git_revision() -> str:
    try:
        revision = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=BACKEND_DIR, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "."], cwd=BACKEND_DIR, capture_output=True, text=True
        )
        return revision + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def read_status_kb(pid: int, field: str) -> int | None:
    """A `VmHWM`/`VmRSS`-style field of /proc/<pid>/status, in kB (None when the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak_rss(pid: int) -> None:
    """Start a new VmHWM window (Linux: writing 5 to clear_refs resets the peak to the current RSS)."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def fresh_sqlite_url(directory: Path, name: str = "confab-bench.db") -> str:
    return f"sqlite+aiosqlite:///{directory / name}"


def migrate(database_url: str, environment: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "confab.cli", "migrate"],
        cwd=BACKEND_DIR,
        env={**environment, "DATABASE_URL": database_url},
        check=True,
        capture_output=True,
    )


class ServerProcess:
    """A uvicorn child process serving `app` on a free loopback port, with its log in a temporary file."""

    def __init__(self, app: str, environment: dict[str, str], uvicorn_args: list[str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = app
        self.environment = environment
        self.uvicorn_args = uvicorn_args
        self.log_path = Path(tempfile.mkstemp(prefix="confab-bench-server-", suffix=".log")[1])
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def start(self, probe_path: str, timeout: float = 180) -> ServerProcess:
        """Start uvicorn; wait until `probe_path` answers 200 (importing the app takes a minute on a busy machine)."""
        command = [sys.executable, "-m", "uvicorn", self.app, "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: ASYNC220 (returns at once; the poll below waits)
                [*command, *self.uvicorn_args], cwd=BACKEND_DIR, env=self.environment, stdout=log, stderr=log
            )
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"server exited early:\n{self.log_tail()}")
                try:
                    async with http.get(self.url + probe_path) as response:
                        if response.status == 200:
                            return self
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError(f"server did not answer within {timeout}s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def backend_environment(database_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """What the confab server is started with: cheap password hashes and no rate limits (bulk sign-ups)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "PASSWORD_HASH_PROFILE": "CHEAPEST",
        "RATE_LIMITS": "off",
        **(extra or {}),
    }


async def analyze(database_url: str) -> None:
    """Gather PostgreSQL's planner statistics, as autovacuum does a minute or two after a table's first rows.

    A bench database is seconds old when it is measured: without them, each connection's prepared statements
    keep plans made while the tables were empty, and the group commit's `client_id` check read every message
    of its author (PostgreSQL's CPU per send grew by half with each 2,000 sends; bench/RESULTS.md, 2026-11-28).
    """
    connection = await asyncpg.connect(make_url(database_url).set(drivername="postgresql").render_as_string(False))
    try:
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
