"""Backends started the way `just serve` starts them (`confab serve` in a subprocess), for the deploy tests."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Linux: the server gets SIGKILL if pytest itself dies, so no test run leaves servers behind."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class ServeProcess:
    """One `confab serve` process on its own port, its stdout (JSON logs) and stderr kept in files."""

    def __init__(self, name: str, port: int, environment: dict[str, str], directory: Path, *, workers: int = 1) -> None:
        self.name = name
        self.port = port
        self.workers = workers
        self.url = f"http://127.0.0.1:{port}"
        self.environment = environment
        self.stdout_path = directory / f"{name}.stdout.log"
        self.stderr_path = directory / f"{name}.stderr.log"
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServeProcess:
        command = [sys.executable, "-m", "confab.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.stdout_path.open("wb") as stdout, self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                [*command, "--workers", str(self.workers)],
                cwd=self.directory,
                start_new_session=True,  # its own process group: stop() can reach uvicorn's workers too
                env=self.environment,
                stdout=stdout,
                stderr=stderr,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        return self

    def wait_until_ready(self, timeout: float = 60) -> None:
        """Poll `/api/version` until it answers; fail with the server's output if it exits or never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited before serving:\n{self.output()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/api/version", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise AssertionError(f"{self.name} did not answer within {timeout} s:\n{self.output()}")

    def stop(self, how: signal.Signals = signal.SIGTERM, timeout: float = 20) -> int:
        """Send `how` to the server and wait for it to end (SIGKILL after `timeout`), then SIGKILL any
        worker it left behind; returns the server's exit code."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(how)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        return self.process.returncode

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def logs(self) -> str:
        return self.stdout_path.read_text(errors="replace") if self.stdout_path.exists() else ""

    def output(self) -> str:
        errors = self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""
        return f"--- {self.name} stdout ---\n{self.logs()[-4000:]}\n--- {self.name} stderr ---\n{errors[-4000:]}"


def backend_environment(**values: str) -> dict[str, str]:
    """A clean environment for a backend: PATH and locale from ours, nothing else inherited by accident."""
    inherited = {key: os.environ[key] for key in ("PATH", "LANG", "LC_ALL", "HOME") if key in os.environ}
    return {**inherited, **values}
