"""Running the real `confab` console script as a subprocess, as a user or a shell script would."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

CONFAB = str(Path(sys.executable).with_name("confab"))


@dataclass
class Finished:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()


async def run_confab(
    *argv: str,
    config_home: Path,
    stdin: str | None = None,
    environment: dict[str, str] | None = None,
    timeout: float = 60,
) -> Finished:
    """`confab argv...` with its config dir in `config_home` (and no `CONFAB_URL` unless given); waits for it."""
    process = await asyncio.create_subprocess_exec(
        CONFAB,
        *argv,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**client_environment(config_home), **(environment or {})},
    )
    stdout, stderr = await asyncio.wait_for(process.communicate((stdin or "").encode()), timeout)
    assert process.returncode is not None
    return Finished(process.returncode, stdout.decode(), stderr.decode())


def client_environment(config_home: Path) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "CONFAB_URL"}
    environment["XDG_CONFIG_HOME"] = str(config_home)
    return environment


@dataclass
class RunningConfab:
    """A long-running `confab` (such as `tail`) whose output lines are collected as they come."""

    process: asyncio.subprocess.Process
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _readers: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    async def start(cls, *argv: str, config_home: Path) -> RunningConfab:
        process = await asyncio.create_subprocess_exec(
            CONFAB,
            *argv,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=client_environment(config_home),
        )
        running = cls(process)
        assert process.stdout is not None and process.stderr is not None
        running._readers = [
            asyncio.create_task(running._collect(process.stdout, running.stdout)),
            asyncio.create_task(running._collect(process.stderr, running.stderr)),
        ]
        return running

    async def _collect(self, stream: asyncio.StreamReader, lines: list[str]) -> None:
        while line := await stream.readline():
            lines.append(line.decode().rstrip("\n"))
            self._changed.set()

    async def wait_for_line(self, text: str, *, stream: str = "stdout", timeout: float = 20) -> str:
        """The first line of `stream` containing `text`, waiting up to `timeout` seconds."""
        lines = self.stdout if stream == "stdout" else self.stderr

        async def poll() -> str:
            while True:
                for line in lines:
                    if text in line:
                        return line
                self._changed.clear()
                await self._changed.wait()

        try:
            return await asyncio.wait_for(poll(), timeout)
        except TimeoutError:
            seen = f"stdout={self.stdout} stderr={self.stderr}"
            raise AssertionError(f"no line with {text!r} on {stream}; {seen}") from None

    async def interrupt(self, timeout: float = 20) -> int:
        """Ctrl-C, then wait for the process and its output to end."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
        try:
            code = await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.process.kill()
            raise
        await asyncio.gather(*self._readers)
        return code
