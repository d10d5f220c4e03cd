"""The `scale-out` scenario: the same DM load (REST, or Socket.IO with `--scale-out-via socket`) on `confab serve`
with SQLite and one worker, then with PostgreSQL + Redis and 1, 2 and 4 workers, counting the CPU of every
process involved. With `--scale-out-per-worker` the load is per worker instead: four workers get four times the
senders (or the rate) one worker gets.

Each deployment gets private servers of its own (a PostgreSQL cluster made with `initdb` for the whole
run, a fresh database in it per deployment, and a private `redis-server`), so nothing else on the
machine is counted and nothing else is disturbed. CPU is read from `/proc` over whole process trees:
`confab serve` and its uvicorn workers, the postmaster and every PostgreSQL process under it (the
backends serving the workers, the WAL writer, the checkpointer), and redis-server. A process that exits
in between is still counted, in its parent's `cutime`/`cstime`. Each deployment is first warmed up, 3 s per
worker, so that every worker's caches are as full as a running deployment's. Before the load, every user
connected and idle, the deployment's CPU is read for a few seconds too: `above_idle` is the CPU per message beyond what
the same stretch costs with the sockets idle (pings, presence refreshes, the relay's probes).

Beside confab, the same load runs against the REST floor (`bench.floor_litestar`: no auth, no checks, a
validated group-committed insert into a five-column table and the DM's events) on SQLite and on PostgreSQL +
Redis, one worker each. What PostgreSQL + Redis adds to a floor message (asyncpg's round trips, the
PostgreSQL backend's work, the publications to Redis) is the least the scale-out stack can add to any
message, so it tells how much of confab's own addition is the stack's and how much is confab's.

With `--repeat N` the deployments are measured in turn N times (interleaved, so noise on the shared
machine falls on all of them alike), and the medians are reported. With `--profile FILE`, py-spy samples
every process of each deployment's tree but PostgreSQL's and Redis's (the workers, confab's or the
floor's) during the first round's measured load, into `FILE.scale-out.<deployment>`; compare a
function's samples per message across deployments, not that round's CPU figures (py-spy shares the cores).
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from sqlalchemy.ext.asyncio import create_async_engine

from bench.floor_socketio import metadata as floor_tables
from bench.load import Account, DirectSender, Population, closed_loop, open_loop, send_direct_rest, send_direct_socket
from bench.server import BACKEND_DIR, ServerProcess, analyze, backend_environment, free_port, migrate

# Each worker keeps its own caches (the profiles of the people its requests name, compiled statements), filled
# as it first meets them; a deployment that has run for a while has them full. With a fixed 2 s of warm-up
# four workers each met a quarter of the sends, and their profile reads were 6.7% of their samples during the
# measured load against 1% for one worker (py-spy, 2026-11-29): so each worker gets as long as one did.
WARM_UP_SECONDS_PER_WORKER = 3.0
DRAIN_SECONDS = 10.0
# With every user connected and nobody sending: what the deployment costs per second for its sockets alone
# (pings, presence refreshes, the relay's probes), so that the cost of a message can be told from it.
IDLE_SECONDS = 5.0


def _clock_ticks() -> int:
    return os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root: int) -> float:
    """User+system CPU of `root` and every live descendant, plus what their exited children used."""
    parents: dict[int, int] = {}
    times: dict[int, int] = {}
    for stat_path in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat_path) as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat_path.split("/")[2])
        parents[pid] = int(fields[1])
        times[pid] = int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += times.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return total / _clock_ticks()


def _postgres_binary(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (Debian's postgresql package has it)")
    return found[-1]


class PostgresCluster:
    """A private PostgreSQL cluster on a free port; trust auth on 127.0.0.1 only.

    `synchronous_commit=off`: a commit does not wait for its WAL flush, the durability class of SQLite's
    WAL mode with `synchronous=NORMAL` that the embedded deployment runs (a crash of the server loses
    nothing; a power loss may lose the last transactions).
    """

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="confab-bench-postgres-"))
        self.data = self.directory / "data"
        self.port = free_port()

    def _run(self, *command: str) -> None:
        as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*as_owner, *command], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")

    def start(self) -> PostgresCluster:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run(_postgres_binary("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c synchronous_commit=off -c max_connections=200"
        )
        log = self.directory / "postgres.log"
        self._run(_postgres_binary("pg_ctl"), "-D", str(self.data), "-l", str(log), "-o", options, "-w", "start")
        return self

    @property
    def pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    async def create_database(self, name: str) -> str:
        connection = await asyncpg.connect(host="127.0.0.1", port=self.port, user="postgres", database="postgres")
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{name}"

    def remove(self) -> None:
        with contextlib.suppress(RuntimeError):
            self._run(_postgres_binary("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)


class RedisServer:
    """A private redis-server without persistence on a free port."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> RedisServer:
        self.directory.mkdir(parents=True, exist_ok=True)
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(  # noqa: ASYNC220 (returns at once)
                [*command, "--dir", str(self.directory)], stdout=log, stderr=log
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                _reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return self
            await asyncio.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@dataclass
class Deployment:
    label: str
    workers: int
    postgres: bool
    floor: bool = False


class Served:
    """`confab serve` (as `just serve` runs it) on a free port, in its own process group."""

    def __init__(self, environment: dict[str, str], workers: int, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.environment = environment
        self.workers = workers
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self, timeout: float = 240) -> Served:
        command = [sys.executable, "-m", "confab.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: ASYNC220 (returns at once; the poll below waits)
                [*command, "--workers", str(self.workers)],
                cwd=BACKEND_DIR,
                env=self.environment,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"confab serve exited early:\n{self.log_path.read_text()[-3000:]}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(self.url + "/db/alive") as response:
                        if response.status == 200:
                            return self
                await asyncio.sleep(0.2)
        raise RuntimeError(f"confab serve did not answer within {timeout}s:\n{self.log_path.read_text()[-3000:]}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # a worker left behind, in the group started above


FLOOR_SQLITE = "floor: sqlite, 1 worker"
FLOOR_POSTGRES = "floor: postgres+redis, 1 worker"
FLOOR_POSTGRES_WORKERS = "floor: postgres+redis, {count} workers"


async def create_floor_table(database_url: str) -> None:
    """The floor's table in a fresh PostgreSQL database."""
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(floor_tables.create_all)
    finally:
        await engine.dispose()


def deployments(worker_counts: list[int]) -> list[Deployment]:
    """confab on SQLite, then on PostgreSQL + Redis with each worker count, then the floors."""
    return [
        Deployment("sqlite, 1 worker", 1, postgres=False),
        *(
            Deployment(f"postgres+redis, {count} worker{'s' if count > 1 else ''}", count, postgres=True)
            for count in worker_counts
        ),
        Deployment(FLOOR_SQLITE, 1, postgres=False, floor=True),
        Deployment(FLOOR_POSTGRES, 1, postgres=True, floor=True),
        # Whether the stack's own cost per message grows with the workers, at the most workers measured.
        *(
            [Deployment(FLOOR_POSTGRES_WORKERS.format(count=max(worker_counts)), max(worker_counts), True, True)]
            if max(worker_counts, default=1) > 1
            else []
        ),
    ]


@dataclass(frozen=True)
class ScaleOutLoad:
    """The load every deployment gets: `users` online, DMs sent by `senders` in a closed loop (or offered at
    `rate` a second), `via` REST or the socket, for `seconds`, on each of `worker_counts` with PostgreSQL.
    `per_worker`: each worker gets that many senders (or that rate), so the load grows with the workers and
    each worker's share of it stays the same, as when workers are added because the load grew."""

    users: int
    senders: int
    seconds: float
    worker_counts: list[int]
    rate: float | None = None
    via: str = "rest"
    per_worker: bool = False

    @property
    def send(self) -> DirectSender:
        return send_direct_socket if self.via == "socket" else send_direct_rest


class ScaleOut:
    def __init__(self, workdir: Path, load: ScaleOutLoad, log: Any, profile: Path | None = None) -> None:
        self.workdir = workdir
        self.load = load
        self.log = log
        self.profile = profile
        self.postgres: PostgresCluster | None = None
        self.redis: RedisServer | None = None

    async def measure_once(self, deployment: Deployment, round_number: int) -> dict[str, Any]:
        """Start the deployment, sign up and connect the users, warm up, measure, stop."""
        tag = f"d{uuid.uuid4().hex[:8]}"
        if deployment.floor:
            return await self.measure_floor(deployment, round_number, tag)
        environment = {
            **os.environ,
            "SECRET_KEY": secrets.token_urlsafe(32),
            "PASSWORD_HASH_PROFILE": "CHEAPEST",
            "RATE_LIMITS": "off",
            "WORKERS": str(deployment.workers),
        }
        environment.pop("REDIS_URL", None)
        if deployment.postgres:
            assert self.postgres is not None and self.redis is not None
            environment["DATABASE_URL"] = await self.postgres.create_database(tag)
            environment["REDIS_URL"] = self.redis.url
            environment["REDIS_PREFIX"] = tag
        else:
            environment["DATABASE_URL"] = f"sqlite+aiosqlite:///{self.workdir / (tag + '.db')}"
        migrate(environment["DATABASE_URL"], environment)
        served = await Served(environment, deployment.workers, self.workdir / f"{tag}.log").start()
        population = Population(served.url)
        try:
            await population.sign_up(self.load.users, prefix=tag)
            await population.connect(population.accounts)
            return await self.measure_load(
                deployment, round_number, population, tag, served.pid, environment.get("DATABASE_URL")
            )
        finally:
            await population.close()
            served.stop()

    async def measure_floor(self, deployment: Deployment, round_number: int, tag: str) -> dict[str, Any]:
        """The same load on `bench.floor_litestar` (users are ids, a socket's auth and a bearer token alike)."""
        environment = backend_environment("unused")
        if deployment.postgres:
            assert self.postgres is not None and self.redis is not None
            environment["FLOOR_DATABASE_URL"] = await self.postgres.create_database(tag)
            environment["FLOOR_REDIS_URL"] = self.redis.url
            # Made here, so that several workers starting at once do not race to create it.
            await create_floor_table(environment["FLOOR_DATABASE_URL"])
        served = await ServerProcess(
            "bench.floor_litestar:app", environment, ["--workers", str(deployment.workers)]
        ).start("/socket.io/?EIO=4&transport=polling")
        population = Population(served.url)
        try:
            population.accounts = [
                Account(id=i, nickname=f"{tag}{i}", token=str(i)) for i in range(1, self.load.users + 1)
            ]
            await population.connect(population.accounts, auth=lambda account: {"user": account.id})
            return await self.measure_load(
                deployment, round_number, population, tag, served.pid, environment.get("FLOOR_DATABASE_URL")
            )
        finally:
            await population.close()
            served.stop()

    async def measure_load(
        self,
        deployment: Deployment,
        round_number: int,
        population: Population,
        tag: str,
        server_pid: int,
        database_url: str | None,
    ) -> dict[str, Any]:
        """Warm up, read the idle CPU, then the CPU and deliveries under the closed loop."""
        online = population.online()

        async def load(seconds: float) -> float:
            """The closed loop of `senders`, or with a `rate` that many DMs a second whatever the replies do."""
            send, rate = self.load.send, self.load.rate
            share = deployment.workers if self.load.per_worker else 1
            if rate is None:
                return await closed_loop(population, send, online, self.load.senders * share, seconds)
            rate *= share

            async def one() -> None:
                author, recipient = random.sample(online, 2)
                await send(population, author, recipient)

            return await open_loop(one, rate, seconds, max_in_flight=2000)

        population.deliveries = type(population.deliveries)(f"warm{tag}")
        await load(WARM_UP_SECONDS_PER_WORKER * deployment.workers)
        if deployment.postgres and database_url:
            await analyze(database_url)
        await population.deliveries.drain(DRAIN_SECONDS)

        population.deliveries = type(population.deliveries)(f"{tag}x")
        trees = {"workers": server_pid}
        if deployment.postgres:
            assert self.postgres is not None and self.redis is not None
            trees |= {"postgres": self.postgres.pid, "redis": self.redis.pid}
        idle_started = time.perf_counter()
        cpu_before = {name: tree_cpu_seconds(pid) for name, pid in trees.items()}
        await asyncio.sleep(IDLE_SECONDS)
        idle_seconds = time.perf_counter() - idle_started
        idle_cpu = sum(tree_cpu_seconds(pid) - cpu_before[name] for name, pid in trees.items())
        cpu_before = {name: tree_cpu_seconds(pid) for name, pid in trees.items()}
        loaded_started = time.perf_counter()
        profiler = self.start_profiler(deployment, server_pid) if self.profile and round_number == 1 else None
        elapsed = await load(self.load.seconds)
        if profiler is not None:
            await asyncio.to_thread(profiler.wait)
        await population.deliveries.drain(DRAIN_SECONDS)
        loaded_seconds = time.perf_counter() - loaded_started
        cpu = {name: tree_cpu_seconds(pid) - cpu_before[name] for name, pid in trees.items()}
        summary = population.deliveries.summary(elapsed)
        accepted = summary["accepted"] or 1
        per_message = {name: round(seconds * 1000 / accepted, 3) for name, seconds in cpu.items()}
        per_message["total"] = round(sum(cpu.values()) * 1000 / accepted, 3)
        idle_share = idle_cpu / idle_seconds
        # What the messages cost beyond what the same stretch would have cost with the sockets idle.
        per_message["above_idle"] = round((sum(cpu.values()) - idle_share * loaded_seconds) * 1000 / accepted, 3)
        result = {
            "deployment": deployment.label,
            "round": round_number,
            "throughput_per_s": summary["throughput_per_s"],
            "latency_ms": summary["latency_ms"],
            "cpu_ms_per_message": per_message,
            "idle_cpu_share": round(idle_share, 3),
            "lost": summary["lost"],
            "duplicated": summary["duplicated"],
            "leaked": summary["leaked"],
            "errors": summary["errors"],
        }
        self.log(
            f"scale-out {deployment.label} (round {round_number}): {summary['throughput_per_s']}/s, "
            f"p50 {summary['latency_ms']['p50']} ms, CPU/message {per_message}"
        )
        return result

    def start_profiler(self, deployment: Deployment, server_pid: int) -> subprocess.Popen[bytes]:
        assert self.profile is not None
        slug = deployment.label.replace(": ", "-").replace(", ", "-").replace(" ", "-").replace("+", "-")
        output = f"{self.profile.resolve()}.scale-out.{slug}"
        self.log(f"profiling {deployment.label} into {output}")
        py_spy = str(Path(sys.executable).parent / "py-spy")
        command = [py_spy, "record", "--pid", str(server_pid), "--subprocesses", "--nonblocking", "--rate", "100"]
        command += ["--duration", str(int(self.load.seconds)), "--format", "raw", "--output", output]
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    async def run(self, repeat: int) -> list[dict[str, Any]]:
        """Every deployment `repeat` times, interleaved; one merged figure per deployment (medians)."""
        self.postgres = await asyncio.to_thread(lambda: PostgresCluster().start())
        self.redis = await RedisServer(self.workdir / "redis").start()
        runs: dict[str, list[dict[str, Any]]] = {}
        try:
            for round_number in range(1, repeat + 1):
                for deployment in deployments(self.load.worker_counts):
                    runs.setdefault(deployment.label, []).append(await self.measure_once(deployment, round_number))
        finally:
            self.redis.stop()
            await asyncio.to_thread(self.postgres.remove)
        return [merge(label, measured) for label, measured in runs.items()]


def merge(label: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the rounds (each part's CPU separately), sums of failures, and every round's figures."""

    def median(values: list[float | None]) -> float | None:
        present = [value for value in values if value is not None]
        return round(statistics.median(present), 3) if present else None

    parts = runs[0]["cpu_ms_per_message"].keys()
    return {
        "deployment": label,
        "throughput_per_s": median([run["throughput_per_s"] for run in runs]),
        "latency_ms": {key: median([run["latency_ms"][key] for run in runs]) for key in runs[0]["latency_ms"]},
        "cpu_ms_per_message": {part: median([run["cpu_ms_per_message"][part] for run in runs]) for part in parts},
        "idle_cpu_share": median([run["idle_cpu_share"] for run in runs]),
        "lost": sum(run["lost"] for run in runs),
        "duplicated": sum(run["duplicated"] for run in runs),
        "leaked": sum(run["leaked"] for run in runs),
        "rounds": [
            {"throughput_per_s": run["throughput_per_s"], "cpu_ms_per_message": run["cpu_ms_per_message"]["total"]}
            for run in runs
        ],
    }


def table(results: list[dict[str, Any]]) -> str:
    """The figures side by side, with the two ratios the targets are about."""
    by_label = {result["deployment"]: result for result in results}
    lines = [
        "| deployment | messages/s | p50 / p99 ms | CPU ms/message: workers | postgres | redis | total "
        "| above idle | idle CPU (cores) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for result in results:
        cpu = result["cpu_ms_per_message"]
        latency = result["latency_ms"]
        lines.append(
            f"| {result['deployment']} | {result['throughput_per_s']} | {latency['p50']} / {latency['p99']} | "
            f"{cpu['workers']} | {cpu.get('postgres', '-')} | {cpu.get('redis', '-')} | {cpu['total']} | "
            f"{cpu['above_idle']} | {result['idle_cpu_share']} |"
        )
    for figure in ("total", "above_idle"):
        cpu = {label: result["cpu_ms_per_message"][figure] for label, result in by_label.items()}
        one, sqlite = cpu.get("postgres+redis, 1 worker"), cpu.get("sqlite, 1 worker")
        for label, value in cpu.items():
            if label.startswith("postgres+redis") and one and value and label != "postgres+redis, 1 worker":
                lines.append(f"CPU per message ({figure}), {label} / 1 worker: {value / one:.2f} (target <= 1.1)")
        if one and sqlite:
            lines.append(
                f"CPU per message ({figure}), postgres+redis 1 worker / sqlite 1 worker: {one / sqlite:.2f} "
                "(target <= 1.5)"
            )
        floor_postgres, floor_sqlite = cpu.get(FLOOR_POSTGRES), cpu.get(FLOOR_SQLITE)
        for label, value in cpu.items():
            if label.startswith("floor: postgres+redis") and label != FLOOR_POSTGRES and floor_postgres and value:
                lines.append(f"CPU per message ({figure}), {label} / 1 worker: {value / floor_postgres:.2f}")
        if one and sqlite and floor_postgres and floor_sqlite:
            lines.append(
                f"CPU per message ({figure}), what postgres+redis adds to sqlite, 1 worker: "
                f"confab {one - sqlite:.3f} ms, the floor {floor_postgres - floor_sqlite:.3f} ms "
                f"(the floors' ratio {floor_postgres / floor_sqlite:.2f})"
            )
    return "\n".join(lines)


async def run_scale_out(
    workdir: Path, load: ScaleOutLoad, repeat: int, log: Any, profile: Path | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    parameters = {
        "users_online": load.users,
        "senders": None if load.rate else load.senders,
        "offered_per_s": load.rate,
        "seconds": load.seconds,
        "via": load.via,
        "per_worker": load.per_worker,
        "repeat": repeat,
        "postgres": "private cluster, synchronous_commit=off",
    }
    return parameters, await ScaleOut(workdir, load, log, profile).run(repeat)
