"""Run the benchmark scenarios and print one JSON object per scenario (progress goes to stderr).

    python -m bench                      # everything, full scale (what `just bench` runs; under 5 minutes)
    python -m bench --quick              # smaller and shorter, for a smoke test
    python -m bench --scenarios dm-rest,idle --repeat 3
    python -m bench --url http://127.0.0.1:8000 --server-pid 1234   # an already running server

Scenarios: dm-rest, dm-socket, dm-changes, dm-open-loop, room-fanout, idle, ceiling, directory, search,
uploads, scale-out; bench/RESULTS.md says what each measures, the targets, and the figures measured so far.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python bench/run.py` from backend/
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ceiling import bounds_table, fraction, insert_ceiling
from bench.directory import run_directory
from bench.load import (
    CHANGE_SHARE,
    Account,
    DirectSender,
    Population,
    Timer,
    bounded_gather,
    closed_loop,
    open_loop,
    send_direct_rest,
    send_direct_socket,
    send_or_change,
    send_to_room,
)
from bench.scale_out import ScaleOutLoad, run_scale_out, table
from bench.search import run_search
from bench.server import (
    BACKEND_DIR,
    ServerProcess,
    backend_environment,
    fresh_sqlite_url,
    git_revision,
    migrate,
    read_status_kb,
    reset_peak_rss,
)
from bench.uploads import run_uploads
from confab.gc_tuning import tune_garbage_collector

SCENARIOS = (
    "dm-rest",
    "dm-socket",
    "dm-changes",
    "dm-open-loop",
    "room-fanout",
    "idle",
    "ceiling",
    "directory",
    "search",
    "uploads",
    "scale-out",
)
DRAIN_SECONDS = 10.0
WARM_UP_SECONDS = 1.0
# After the last room message, how long the helper processes are given to receive it before they report.
HOLDER_SETTLE_SECONDS = 5.0


def log(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def raise_open_file_limit() -> int:
    """Lift the soft open-file limit to the hard one (children, the server included, inherit it)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="benchmark this running server instead of starting one")
    parser.add_argument("--server-pid", type=int, help="with --url: the server's pid, for RSS and CPU figures")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated, default: all")
    parser.add_argument("--quick", action="store_true", help="small scale and 3 s per measurement")
    parser.add_argument("--duration", type=float, help="seconds per measurement (default 5)")
    parser.add_argument("--repeat", type=int, default=1, help="measure each scenario N times, print medians")
    parser.add_argument("--users", type=int, help="users online for the large runs (default 1000)")
    parser.add_argument("--few-users", type=int, default=50, help="users online for the small runs")
    parser.add_argument("--senders", type=int, default=8, help="closed-loop senders")
    parser.add_argument(
        "--rates", default="300,100", help="dm-open-loop offered messages per second, comma-separated (one run each)"
    )
    parser.add_argument("--room-members", type=int, help="room-fanout room size (default 500)")
    parser.add_argument("--room-rate", type=float, default=5, help="room-fanout messages per second")
    parser.add_argument(
        "--room-processes", type=int, default=0, help="room-fanout: helper processes holding the members' sockets"
    )
    parser.add_argument("--idle-sockets", type=int, help="idle: sockets to open (default 10000)")
    parser.add_argument("--idle-processes", type=int, default=4, help="idle: client processes to spread them over")
    parser.add_argument("--directory-accounts", type=int, help="directory: accounts seeded (default 100000)")
    parser.add_argument("--search-messages", type=int, help="search: messages seeded (default 1000000)")
    parser.add_argument("--search-requests", type=int, help="search: requests timed per query (default 200)")
    parser.add_argument(
        "--search-postgres-url", help="search: run on a fresh database on this PostgreSQL server instead of SQLite"
    )
    parser.add_argument(
        "--search-keep",
        type=Path,
        metavar="DIR",
        help="search: keep the seeded database (in DIR, or on the PostgreSQL server) and reuse it in later runs",
    )
    parser.add_argument("--search-sends", type=int, help="search: REST sends timed with and without the index")
    parser.add_argument("--directory-searches", type=int, help="directory: searches timed (default 3000)")
    parser.add_argument(
        "--directory-baseline", type=int, help="directory: unfiltered `GET /api/users` calls timed (default 20)"
    )
    parser.add_argument("--uploads-1mb", type=int, help="uploads: 1 MB files timed (default 40)")
    parser.add_argument("--uploads-20mb", type=int, help="uploads: 20 MB files timed (default 10)")
    parser.add_argument("--uploads-concurrent", type=int, default=20, help="uploads: 20 MB uploads run at once")
    parser.add_argument(
        "--scale-out-workers", default="1,2,4", help="scale-out: worker counts on PostgreSQL + Redis, comma-separated"
    )
    parser.add_argument("--scale-out-senders", type=int, default=16, help="scale-out: closed-loop REST senders")
    parser.add_argument(
        "--scale-out-per-worker",
        action="store_true",
        help="scale-out: the senders (or rate) for each worker, not in all: the same load per worker",
    )
    parser.add_argument(
        "--scale-out-rate",
        type=float,
        help="scale-out: offer this many DMs a second (an open loop) instead of the closed loop of senders",
    )
    parser.add_argument(
        "--scale-out-via",
        choices=("rest", "socket"),
        default="rest",
        help="scale-out: DMs by POST /api/messages (default) or the Socket.IO `send` event (as the web client sends)",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="py-spy the server during the large dm-rest and dm-socket runs, into FILE.dm-rest and FILE.dm-socket, "
        "and each scale-out deployment's workers in its first round, into FILE.scale-out.<deployment>",
    )
    parser.add_argument("--uvicorn-arg", action="append", default=[], help="extra uvicorn argument (repeatable)")
    parser.add_argument("--app", default="confab.asgi:app", help="the ASGI app uvicorn serves (to compare variants)")
    arguments = parser.parse_args(argv)
    quick = arguments.quick
    arguments.duration = arguments.duration or (3.0 if quick else 5.0)
    arguments.users = arguments.users or (200 if quick else 1000)
    arguments.room_members = min(arguments.room_members or (100 if quick else 500), arguments.users)
    if arguments.idle_sockets is None:
        arguments.idle_sockets = 1000 if quick else 10000
    arguments.few_users = min(arguments.few_users, arguments.users)
    arguments.directory_accounts = arguments.directory_accounts or (10000 if quick else 100000)
    arguments.directory_searches = arguments.directory_searches or (300 if quick else 3000)
    arguments.search_messages = arguments.search_messages or (100000 if quick else 1000000)
    arguments.search_requests = arguments.search_requests or (50 if quick else 200)
    arguments.search_sends = arguments.search_sends or (800 if quick else 4000)
    arguments.directory_baseline = arguments.directory_baseline or (5 if quick else 20)
    arguments.uploads_1mb = arguments.uploads_1mb or (10 if quick else 40)
    arguments.uploads_20mb = arguments.uploads_20mb or (3 if quick else 10)
    arguments.scale_out_workers = [int(count) for count in arguments.scale_out_workers.split(",") if count.strip()]
    arguments.rates = [float(rate) for rate in arguments.rates.split(",") if rate.strip()]
    arguments.scenarios = [name.strip() for name in arguments.scenarios.split(",") if name.strip()]
    unknown = set(arguments.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    return arguments


async def stop_child(child: asyncio.subprocess.Process, timeout: float = 60) -> None:
    try:
        await asyncio.wait_for(child.wait(), timeout)
    except TimeoutError:
        child.kill()
        await child.wait()


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One result from repeated runs: medians of the figures, sums of the failures, every run's throughput."""
    if len(runs) == 1:
        return runs[0]
    merged = dict(runs[-1])
    for key in ("throughput_per_s", "client_cpu_share", "server_cpu_share", "server_cpu_ms_per_message"):
        values = [run[key] for run in runs if run.get(key) is not None]
        if values:
            merged[key] = round(statistics.median(values), 3)
    merged["latency_ms"] = {
        key: statistics.median([run["latency_ms"][key] for run in runs if run["latency_ms"][key] is not None] or [0])
        for key in runs[-1]["latency_ms"]
    }
    for key in ("sent", "accepted", "lost", "duplicated", "leaked"):
        merged[key] = sum(run[key] for run in runs)
    merged["runs"] = [run.get("throughput_per_s") for run in runs]
    return merged


class Bench:
    def __init__(self, arguments: argparse.Namespace, workdir: Path) -> None:
        self.arguments = arguments
        self.workdir = workdir
        self.revision = git_revision()
        self.server: ServerProcess | None = None
        self.server_pid: int | None = arguments.server_pid
        self.population: Population | None = None
        self.results: dict[str, dict[str, Any]] = {}

    # --- plumbing -----------------------------------------------------------------------------------

    async def start_server(self) -> str:
        if self.arguments.url:
            return self.arguments.url.rstrip("/")
        database_url = fresh_sqlite_url(self.workdir)
        environment = backend_environment(database_url)
        migrate(database_url, environment)
        self.server = await ServerProcess(self.arguments.app, environment, self.arguments.uvicorn_arg).start(
            "/db/alive"
        )
        self.server_pid = self.server.pid
        log(f"server pid {self.server.pid} on {self.server.url}, database {database_url}")
        return self.server.url

    def emit(self, scenario: str, parameters: dict[str, Any], figures: dict[str, Any]) -> dict[str, Any]:
        result = {"scenario": scenario, "parameters": parameters, **figures, "git_revision": self.revision}
        if self.server_pid is not None:
            peak = read_status_kb(self.server_pid, "VmHWM")
            current = read_status_kb(self.server_pid, "VmRSS")
            result["server_peak_rss_mb"] = round(peak / 1024, 1) if peak else None
            result["server_rss_mb"] = round(current / 1024, 1) if current else None
        print(json.dumps(result), flush=True)
        self.results[f"{scenario} {json.dumps(parameters, sort_keys=True)}"] = result
        return result

    async def measure(
        self, label: str, run_once: Callable[[], Awaitable[tuple[float, Timer]]], drain: bool = True
    ) -> dict[str, Any]:
        """Run one measurement `--repeat` times, each with fresh delivery bookkeeping; medians of the runs."""
        population = self.population
        assert population is not None
        runs = []
        for attempt in range(self.arguments.repeat):
            population.deliveries = type(population.deliveries)(f"{label}{attempt}x{uuid.uuid4().hex[:6]}")
            if self.server_pid is not None:
                reset_peak_rss(self.server_pid)
            elapsed, timer = await run_once()
            if drain:
                await population.deliveries.drain(DRAIN_SECONDS)
            summary = population.deliveries.summary(elapsed)
            summary.update(timer.report(summary["accepted"]))
            runs.append(summary)
            log(f"{label}: {summary['throughput_per_s']}/s, latency {summary['latency_ms']}")
        return median_of(runs)

    async def warm_up(self, send: DirectSender, online: Sequence[Account]) -> None:
        """Send for a moment unmeasured. The server's caches (compiled statements, recipients' profiles,
        SQLite's pages) fill in the first seconds, which would count against whichever run comes first."""
        population = self.population
        assert population is not None
        population.deliveries = type(population.deliveries)(f"warm{uuid.uuid4().hex[:6]}")
        await closed_loop(population, send, online, self.arguments.senders, WARM_UP_SECONDS)
        await population.deliveries.drain(DRAIN_SECONDS)

    # --- scenarios ----------------------------------------------------------------------------------

    async def direct(self, scenario: str, users: int) -> None:
        population = self.population
        assert population is not None
        await population.connect(population.accounts[:users])
        online = population.online()[:users]
        send = {"dm-rest": send_direct_rest, "dm-socket": send_direct_socket, "dm-changes": send_or_change}[scenario]
        profiling = self.arguments.profile and users == self.arguments.users

        async def once() -> tuple[float, Timer]:
            timer = Timer(self.server_pid)
            profiler = self.start_profiler(scenario) if profiling else None
            elapsed = await closed_loop(population, send, online, self.arguments.senders, self.arguments.duration)
            if profiler is not None:
                profiler.wait()
            return elapsed, timer

        await self.warm_up(send, online)
        figures = await self.measure(scenario.replace("-", "") + str(users), once)
        parameters: dict[str, Any] = {
            "users_online": len(online),
            "senders": self.arguments.senders,
            "seconds": self.arguments.duration,
        }
        if scenario == "dm-changes":
            parameters["change_share"] = CHANGE_SHARE
            baseline = next(
                (
                    result
                    for result in self.results.values()
                    if result["scenario"] == "dm-socket" and result["parameters"]["users_online"] == len(online)
                ),
                None,
            )
            if baseline and baseline.get("throughput_per_s") and figures.get("throughput_per_s"):
                figures["throughput_vs_dm_socket"] = round(
                    figures["throughput_per_s"] / baseline["throughput_per_s"], 2
                )
        self.emit(scenario, parameters, figures)

    def start_profiler(self, scenario: str) -> subprocess.Popen[bytes]:
        assert self.server_pid is not None
        output = f"{Path(self.arguments.profile).resolve()}.{scenario}"
        command = [
            str(Path(sys.executable).parent / "py-spy"),
            "record",
            "--pid",
            str(self.server_pid),
            "--duration",
            str(int(self.arguments.duration)),
            "--rate",
            "200",
            "--nonblocking",
            "--format",
            "raw",
            "--output",
            output,
        ]
        log(f"profiling the server into {output}")
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    async def open_loop_direct(self, rate: float) -> None:
        population = self.population
        assert population is not None
        online = population.online()[: self.arguments.users]

        async def once() -> tuple[float, Timer]:
            timer = Timer(self.server_pid)

            async def one() -> None:
                author, recipient = random.sample(online, 2)
                await send_direct_rest(population, author, recipient)

            return await open_loop(one, rate, self.arguments.duration, max_in_flight=2000), timer

        figures = await self.measure("openloop", once)
        self.emit(
            "dm-open-loop",
            {"users_online": len(online), "offered_per_s": rate, "via": "rest", "seconds": self.arguments.duration},
            figures,
        )

    async def room_fanout(self) -> None:
        """One room, every member online; with `--room-processes N` their sockets live in N helper processes."""
        population = self.population
        assert population is not None
        members = population.online()[: self.arguments.room_members]
        processes = self.arguments.room_processes
        holders: list[asyncio.subprocess.Process] = []
        if processes:
            await bounded_gather([population.sockets.pop(member.id).disconnect for member in members], 64)
            groups = [members[index::processes] for index in range(processes)]
            holders, connected, failures = await self.start_holders([(group, None) for group in groups], "room")
            if failures or connected != len(members):
                raise RuntimeError(f"room members: {connected} of {len(members)} connected: {failures}")
        owner = members[0]
        status, room = await population.post(
            "/api/rooms", {"name": "fanout", "member_ids": [member.id for member in members[1:]]}, owner
        )
        if status != 201:
            raise RuntimeError(f"room creation failed with {status}: {room}")
        member_ids = frozenset(member.id for member in members)
        await asyncio.sleep(1)  # the `room` events of the creation reach 500 sockets
        await self.collect_receipts(holders)  # and are dropped

        async def once() -> tuple[float, Timer]:
            timer = Timer(self.server_pid)

            async def one() -> None:
                await send_to_room(population, random.choice(members), room["id"], member_ids)

            elapsed = await open_loop(one, self.arguments.room_rate, self.arguments.duration, max_in_flight=500)
            if holders:
                await asyncio.sleep(HOLDER_SETTLE_SECONDS)
                await self.collect_receipts(holders)
            return elapsed, timer

        try:
            figures = await self.measure("room", once)
        finally:
            for holder in holders:
                assert holder.stdin is not None
                holder.stdin.close()
            await asyncio.gather(*(stop_child(holder) for holder in holders))
        figures["time_to_all_ms"] = figures.pop("latency_ms")
        self.emit(
            "room-fanout",
            {
                "members_online": len(members),
                "member_client_processes": processes or 1,
                "users_online": len(population.online()) + (len(members) if processes else 0),
                "rate_per_s": self.arguments.room_rate,
                "seconds": self.arguments.duration,
            },
            figures,
        )

    async def start_holders(
        self, shares: list[tuple[list[Account], int | None]], name: str
    ) -> tuple[list[asyncio.subprocess.Process], int, list[str]]:
        """One `bench.socket_holder` per share (its accounts, how many sockets); waits until they are connected."""
        population = self.population
        assert population is not None
        children = []
        for index, (accounts, count) in enumerate(shares):
            tokens_file = self.workdir / f"{name}-{index}.txt"
            tokens_file.write_text("".join(f"{account.id} {account.token}\n" for account in accounts))
            command = ["-m", "bench.socket_holder", "--url", population.base_url, "--tokens-file", str(tokens_file)]
            if count is not None:
                command += ["--count", str(count)]
            children.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    *command,
                    cwd=BACKEND_DIR,
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    limit=64 * 1024 * 1024,  # a report of receipts is one long line
                )
            )
        connected, failures = 0, []
        for child in children:
            assert child.stdout is not None
            line = (await asyncio.wait_for(child.stdout.readline(), 240)).decode().split(maxsplit=2)
            if line and line[0] == "ready":
                connected += int(line[1])
            else:
                failures.append(" ".join(line) or "exited")
        return children, connected, failures

    async def collect_receipts(self, holders: list[asyncio.subprocess.Process]) -> None:
        """Ask each holder for the `message` events its sockets received, and record them."""
        deliveries = self.population.deliveries if self.population else None
        for holder in holders:
            assert holder.stdin is not None and holder.stdout is not None
            holder.stdin.write(b"\n")
            await holder.stdin.drain()
            line = await asyncio.wait_for(holder.stdout.readline(), 60)
            for client_id, user_id, at in json.loads(line):
                if deliveries is not None:
                    deliveries.received(user_id, {"client_id": client_id}, at=at)

    async def idle(self) -> None:
        population = self.population
        assert population is not None
        count = self.arguments.idle_sockets
        processes = max(1, min(self.arguments.idle_processes, count))
        await asyncio.sleep(2)
        rss_before = read_status_kb(self.server_pid, "VmRSS") if self.server_pid else None
        started = time.perf_counter()
        shares = [
            (population.accounts, count // processes + (1 if index < count % processes else 0))
            for index in range(processes)
        ]
        children, connected, failures = await self.start_holders(shares, "idle")
        connect_seconds = time.perf_counter() - started
        await asyncio.sleep(3)
        rss_after = read_status_kb(self.server_pid, "VmRSS") if self.server_pid else None
        for child in children:
            assert child.stdin is not None
            child.stdin.close()
        await asyncio.gather(*(stop_child(child) for child in children))
        figures: dict[str, Any] = {
            "sockets_connected": connected,
            "connect_seconds": round(connect_seconds, 1),
            "failures": failures,
        }
        if rss_before and rss_after and connected:
            figures["rss_kb_per_socket"] = round((rss_after - rss_before) / connected, 1)
        self.emit(
            "idle",
            {"sockets": count, "client_processes": processes, "other_sockets_online": len(population.sockets)},
            figures,
        )

    async def directory(self) -> None:
        arguments = self.arguments
        log(f"directory: seeding {arguments.directory_accounts} accounts")
        parameters, figures = await run_directory(
            self.workdir,
            arguments.directory_accounts,
            arguments.directory_searches,
            arguments.directory_baseline,
            arguments.app,
            arguments.uvicorn_arg,
        )
        search, everybody = figures["search"]["latency_ms"], figures["unfiltered_baseline"]["latency_ms"]
        log(f"directory: search {search}, unfiltered {everybody}")
        self.emit("directory", parameters, figures)

    async def search(self) -> None:
        arguments = self.arguments
        kept = f", or reusing those kept in {arguments.search_keep}" if arguments.search_keep else ""
        log(f"search: seeding {arguments.search_messages} messages{kept}")
        parameters, figures = await run_search(
            self.workdir,
            arguments.search_messages,
            arguments.search_requests,
            5,
            arguments.search_sends,
            arguments.app,
            arguments.uvicorn_arg,
            arguments.search_postgres_url,
            arguments.search_keep.resolve() if arguments.search_keep else None,
        )
        summary = {label: figures[label]["latency_ms"] for label in figures["queries"]}
        log(f"search: {summary}, send cpu {figures['send_cpu_ms_per_message']}")
        self.emit("search", parameters, figures)

    async def uploads(self) -> None:
        arguments = self.arguments
        parameters, figures = await run_uploads(
            self.workdir,
            arguments.uploads_1mb,
            arguments.uploads_20mb,
            arguments.uploads_concurrent,
            arguments.app,
            arguments.uvicorn_arg,
        )
        log(f"uploads: {figures}")
        self.emit("uploads", parameters, figures)

    async def ceiling(self) -> None:
        arguments = self.arguments
        rows = await insert_ceiling(self.workdir, arguments.senders, arguments.duration)
        log(f"ceiling: database {rows['rows_per_s']} rows/s")
        sockets = await self.bare_ceiling("bench.bare_socketio:app", send_direct_socket)
        socket_floor = await self.bare_ceiling("bench.floor_socketio:app", send_direct_socket)
        rest = await self.bare_ceiling("bench.bare_litestar:app", send_direct_rest)
        rest_floor = await self.bare_ceiling("bench.floor_litestar:app", send_direct_rest)
        lower = min(rows["rows_per_s"], sockets["throughput_per_s"] or 0)
        # Each end-to-end scenario against the bare server of its own transport (its ceiling), the same server
        # writing durably (its floor), and the lower ceiling.
        bounds = {"dm-socket": (sockets, socket_floor), "dm-rest": (rest, rest_floor)}
        end_to_end: dict[str, dict[str, Any]] = {}
        for scenario, (bare, floor) in bounds.items():
            for key, result in self.results.items():
                if key.startswith(scenario + " ") and result["parameters"]["users_online"] == arguments.users:
                    throughput = result["throughput_per_s"]
                    end_to_end[scenario] = {
                        "throughput_per_s": throughput,
                        "server_cpu_ms_per_message": result.get("server_cpu_ms_per_message"),
                        "fraction_of_own_ceiling": fraction(throughput, bare.get("throughput_per_s")),
                        "fraction_of_own_floor": fraction(throughput, floor.get("throughput_per_s")),
                        "fraction_of_lower_ceiling": fraction(throughput, lower),
                    }
        log("ceiling and floor per transport:\n" + bounds_table(bounds, end_to_end))
        self.emit(
            "ceiling",
            {"senders": arguments.senders, "users_online": arguments.users, "seconds": arguments.duration},
            {
                "database_insert_per_s": rows["rows_per_s"],
                "sqlite3_direct_insert_per_s": rows["sqlite3_direct_rows_per_s"],
                "bare_socketio": sockets,
                "bare_litestar": rest,
                "floor_socketio": socket_floor,
                "floor_litestar": rest_floor,
                "floor_of_ceiling": {
                    scenario: fraction(floor.get("throughput_per_s"), bare.get("throughput_per_s"))
                    for scenario, (bare, floor) in bounds.items()
                },
                "lower_ceiling_per_s": lower,
                "end_to_end": end_to_end,
            },
        )

    async def bare_ceiling(self, app: str, send: DirectSender) -> dict[str, Any]:
        """dm-socket's (or dm-rest's) load against a bare server (`app`): no auth or database (a ceiling), or only
        a validated, group-committed write (a floor)."""
        arguments = self.arguments
        environment = backend_environment("unused")
        bare = await ServerProcess(app, environment, arguments.uvicorn_arg).start("/socket.io/?EIO=4&transport=polling")
        population = Population(bare.url)
        previous, self.population = self.population, population
        server_pid, self.server_pid = self.server_pid, bare.pid
        try:
            population.accounts = [
                Account(id=i, nickname=f"bare{i}", token=str(i)) for i in range(1, arguments.users + 1)
            ]
            await population.connect(population.accounts, auth=lambda account: {"user": account.id})
            log(f"ceiling: {len(population.sockets)} sockets on {app}")
            online = population.online()

            async def once() -> tuple[float, Timer]:
                timer = Timer(bare.pid)
                return await closed_loop(population, send, online, arguments.senders, arguments.duration), timer

            figures = await self.measure(app.split(".")[1].split(":")[0], once)
            return {
                key: figures[key]
                for key in (
                    "throughput_per_s",
                    "runs",
                    "latency_ms",
                    "lost",
                    "duplicated",
                    "leaked",
                    "server_cpu_share",
                    "client_cpu_share",
                    "server_cpu_ms_per_message",
                )
                if key in figures
            }
        finally:
            self.server_pid = server_pid
            await population.close()
            self.population = previous
            bare.stop()

    async def scale_out(self) -> None:
        arguments = self.arguments
        load = ScaleOutLoad(
            users=arguments.users,
            senders=arguments.scale_out_senders,
            seconds=arguments.duration,
            worker_counts=arguments.scale_out_workers,
            rate=arguments.scale_out_rate,
            via=arguments.scale_out_via,
            per_worker=arguments.scale_out_per_worker,
        )
        profile = Path(arguments.profile) if arguments.profile else None
        parameters, results = await run_scale_out(self.workdir, load, arguments.repeat, log, profile)
        log("scale-out:\n" + table(results))
        for result in results:
            figures = dict(result)
            self.emit("scale-out", {**parameters, "deployment": figures.pop("deployment")}, figures)

    # --- the whole run ------------------------------------------------------------------------------

    async def run(self) -> None:
        arguments = self.arguments
        wanted = set(arguments.scenarios)
        try:
            if wanted - {"ceiling", "directory", "search", "uploads", "scale-out"}:
                await self.run_against_confab(wanted)
            if "directory" in wanted:
                await self.directory()  # its own server and database, seeded with its own accounts
            if "search" in wanted:
                await self.search()  # its own servers and databases, seeded with their own messages
            if "uploads" in wanted:
                await self.uploads()  # its own server, storing in the run's scratch directory
            if "scale-out" in wanted:
                await self.scale_out()  # its own servers: PostgreSQL, Redis and `confab serve`
            if "ceiling" in wanted:
                await self.ceiling()  # alone on the machine: the confab server has stopped by now
        finally:
            if self.population is not None:
                await self.population.close()
            if self.server is not None:
                self.server.stop()

    async def run_against_confab(self, wanted: set[str]) -> None:
        arguments = self.arguments
        url = await self.start_server()
        self.population = population = Population(url)
        started = time.perf_counter()
        await population.sign_up(arguments.users, prefix=f"b{uuid.uuid4().hex[:6]}")
        log(f"{arguments.users} users signed up in {time.perf_counter() - started:.1f}s")
        for scenario in ("dm-rest", "dm-socket"):
            if scenario in wanted and arguments.few_users < arguments.users:
                await self.direct(scenario, arguments.few_users)
        started = time.perf_counter()
        await population.connect(population.accounts)
        log(f"{len(population.sockets)} sockets connected in {time.perf_counter() - started:.1f}s")
        for scenario in ("dm-rest", "dm-socket", "dm-changes"):
            if scenario in wanted:
                await self.direct(scenario, arguments.users)
        if "dm-open-loop" in wanted:
            for rate in arguments.rates:
                await self.open_loop_direct(rate)
        if "room-fanout" in wanted:
            await self.room_fanout()
        if "idle" in wanted:
            await self.idle()
        self.population = None
        await population.close()
        if self.server is not None:
            self.server.stop()
            self.server_pid = None


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    limit = raise_open_file_limit()
    if arguments.idle_sockets + arguments.users > limit - 100:
        log(f"warning: the open-file limit is {limit}; the idle scenario may fail")
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    # This process receives the deliveries it times: its collector's pauses would count as the server's.
    tune_garbage_collector()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="confab-bench-") as workdir:
        asyncio.run(Bench(arguments, Path(workdir)).run())
    log(f"done in {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
