"""Private PostgreSQL and Redis servers, each on a free port in a temporary directory, for the tests that
stop and restart them: the machine's shared services (and every other test) are left alone."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from tests.conftest import free_port


def _postgres_binary(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise AssertionError(f"PostgreSQL's {name} is not installed (Debian's postgresql package has it)")
    return found[-1]


class PrivatePostgres:
    """`initdb` + `pg_ctl` from the installed server binaries; trust auth, listening on 127.0.0.1 only."""

    def __init__(self) -> None:
        # Its own directory under the system's temporary one: pytest's are private to root, and the
        # server runs as postgres.
        self.directory = Path(tempfile.mkdtemp(prefix="confab-postgres-"))
        self.data = self.directory / "data"
        self.port = free_port()
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        # PostgreSQL refuses to run as root: as root, run it as the postgres account that owns the files.
        as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*as_owner, *command], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"

    def initialize(self) -> PrivatePostgres:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run(_postgres_binary("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        return self.start()

    def start(self) -> PrivatePostgres:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = self.directory / "postgres.log"
        self._run(_postgres_binary("pg_ctl"), "-D", str(self.data), "-l", str(log), "-o", options, "-w", "start")
        return self

    def stop(self, mode: str = "immediate") -> None:
        """`immediate` is what a crash or a kill looks like to clients: connections dropped mid-transaction."""
        self._run(_postgres_binary("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class PrivateRedis:
    """`redis-server` without persistence on a free port; stop and start it again on the same port."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> PrivateRedis:
        self.directory.mkdir(parents=True, exist_ok=True)
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen([*command, "--dir", str(self.directory)], stdout=log, stderr=log)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("private redis-server did not start") from None
                time.sleep(0.05)
            finally:
                client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
