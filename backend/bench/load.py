"""The load side: accounts and sockets created like a client would, senders, and delivery bookkeeping."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import random
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import msgspec
import socketio

from confab.realtime import codec

PASSWORD = "bench password"
_json = msgspec.json.Encoder()


@dataclass
class Account:
    id: int
    nickname: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}


def percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile of an ascending sequence."""
    if not sorted_values:
        return None
    rank = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


def latency_summary(seconds: Sequence[float]) -> dict[str, float | None]:
    values = sorted(seconds)

    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 2)

    return {
        "p50": ms(percentile(values, 0.50)),
        "p95": ms(percentile(values, 0.95)),
        "p99": ms(percentile(values, 0.99)),
        "max": ms(values[-1] if values else None),
    }


@dataclass
class Send:
    started: float
    expected: frozenset[int]  # the users whose sockets must receive it (author, recipient / every member)
    measured: frozenset[int]  # whose receipt the latency is taken at (the recipient / every member)
    accepted: bool = False


class Deliveries:
    """Every send of one scenario and every `message` event any socket received, keyed by client_id; and every
    change (edit, reaction) and `message_updated` event, keyed by the message's id and its new `seq`."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._ids = itertools.count(1)
        self.sends: dict[str, Send] = {}
        self.receipts: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
        self.changes: dict[tuple[int, int], Send] = {}
        self.change_receipts: defaultdict[tuple[int, int], list[tuple[int, float]]] = defaultdict(list)
        # Messages sent in this scenario: id -> (author, recipient), for the changes to pick from.
        self.sent_messages: dict[int, tuple[Account, Account]] = {}
        self.sent_ids: list[int] = []
        self.reacted: set[tuple[int, str]] = set()  # the recipient's reactions, as the change mix toggles them
        self.errors: defaultdict[str, int] = defaultdict(int)
        self._outstanding = 0
        self._drained = asyncio.Event()

    def start(self, expected: frozenset[int], measured: frozenset[int]) -> str:
        client_id = f"{self.prefix}{next(self._ids):08d}"
        self.sends[client_id] = Send(time.perf_counter(), expected, measured)
        return client_id

    def accept(self, client_id: str) -> None:
        send = self.sends[client_id]
        send.accepted = True
        missing = len(send.expected - {user for user, _ in self.receipts.get(client_id, ())})
        self._outstanding += missing

    def fail(self, reason: str) -> None:
        self.errors[reason] += 1

    def received(self, user_id: int, payload: Any, at: float | None = None) -> None:
        client_id = payload.get("client_id") if isinstance(payload, dict) else None
        if not client_id or not client_id.startswith(self.prefix):
            return
        receipts = self.receipts[client_id]
        send = self.sends.get(client_id)
        first = all(user != user_id for user, _ in receipts)
        receipts.append((user_id, at if at is not None else time.perf_counter()))
        if send is not None and send.accepted and first and user_id in send.expected:
            self._outstanding -= 1
            if self._outstanding <= 0:
                self._drained.set()

    def change_accepted(
        self, payload: dict[str, Any], started: float, expected: frozenset[int], measured: frozenset[int]
    ) -> None:
        """A change the server answered with this message state. A request that changed nothing answers with a
        `seq` another change took; that change is counted once, whichever answer arrives first."""
        key = (payload["id"], payload["seq"])
        if key in self.changes:
            return
        self.changes[key] = Send(started, expected, measured, accepted=True)
        self._outstanding += len(expected - {user for user, _ in self.change_receipts.get(key, ())})

    def change_received(self, user_id: int, payload: Any) -> None:
        if not isinstance(payload, dict) or payload.get("id") not in self.sent_messages:
            return
        key = (payload["id"], payload["seq"])
        receipts = self.change_receipts[key]
        first = all(user != user_id for user, _ in receipts)
        receipts.append((user_id, time.perf_counter()))
        change = self.changes.get(key)
        if change is not None and first and user_id in change.expected:
            self._outstanding -= 1
            if self._outstanding <= 0:
                self._drained.set()

    async def drain(self, timeout: float) -> None:
        """Wait until every accepted message reached every socket it was meant for, or `timeout`."""
        if self._outstanding <= 0:
            return
        self._drained.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._drained.wait(), timeout)

    def summary(self, elapsed: float) -> dict[str, Any]:
        """Throughput, latency at the measured receivers (time-to-all for rooms), lost/duplicated/leaked."""
        latencies: list[float] = []
        lost = duplicated = leaked = accepted = 0
        for client_id, send in self.sends.items():
            receipts = self.receipts.get(client_id, [])
            per_user: defaultdict[int, list[float]] = defaultdict(list)
            for user, at in receipts:
                per_user[user].append(at)
            leaked += sum(len(times) for user, times in per_user.items() if user not in send.expected)
            if not send.accepted:
                continue
            accepted += 1
            lost += sum(1 for user in send.expected if user not in per_user)
            duplicated += sum(len(times) - 1 for user, times in per_user.items() if user in send.expected)
            measured_times = [min(per_user[user]) for user in send.measured if user in per_user]
            if measured_times and len(measured_times) == len(send.measured):
                latencies.append(max(measured_times) - send.started)
        summary: dict[str, Any] = {
            "sent": len(self.sends),
            "accepted": accepted,
            "throughput_per_s": round(accepted / elapsed, 1) if elapsed else None,
            "latency_ms": latency_summary(latencies),
            "lost": lost,
            "duplicated": duplicated,
            "leaked": leaked,
            "errors": dict(self.errors),
        }
        if self.changes:
            summary["changes"] = self._change_summary()
            for key in ("lost", "duplicated", "leaked"):
                summary[key] += summary["changes"][key]
            summary["accepted"] += len(self.changes)
            summary["throughput_per_s"] = round(summary["accepted"] / elapsed, 1) if elapsed else None
        return summary

    def _change_summary(self) -> dict[str, Any]:
        """Lost, duplicated and leaked `message_updated` events, and the latency to the other party."""
        latencies: list[float] = []
        lost = duplicated = leaked = 0
        for key, receipts in self.change_receipts.items():
            change = self.changes.get(key)
            expected = change.expected if change else frozenset()
            leaked += sum(1 for user, _ in receipts if user not in expected)
        for key, change in self.changes.items():
            per_user: defaultdict[int, list[float]] = defaultdict(list)
            for user, at in self.change_receipts.get(key, []):
                per_user[user].append(at)
            lost += sum(1 for user in change.expected if user not in per_user)
            duplicated += sum(len(times) - 1 for user, times in per_user.items() if user in change.expected)
            measured_times = [min(per_user[user]) for user in change.measured if user in per_user]
            if measured_times and len(measured_times) == len(change.measured):
                latencies.append(max(measured_times) - change.started)
        return {
            "accepted": len(self.changes),
            "latency_ms": latency_summary(latencies),
            "lost": lost,
            "duplicated": duplicated,
            "leaked": leaked,
        }


class Population:
    """The bench's users and their live sockets; each socket reports `message` events to `deliveries`."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.accounts: list[Account] = []
        self.sockets: dict[int, socketio.AsyncClient] = {}
        self.deliveries = Deliveries("unset")
        # Idle keep-alive connections are dropped before uvicorn's 5 s timeout closes them under us.
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=512, keepalive_timeout=2))
        self.socket_http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))

    async def close(self) -> None:
        await bounded_gather([client.disconnect for client in self.sockets.values()], 64)
        await self.http.close()
        await self.socket_http.close()

    async def post(self, path: str, body: Any, account: Account | None = None) -> tuple[int, Any]:
        headers = account.headers if account else {"Content-Type": "application/json"}
        async with self.http.post(self.base_url + path, data=_json.encode(body), headers=headers) as response:
            payload = await response.read()
            return response.status, (msgspec.json.decode(payload) if payload else None)

    async def sign_up(self, count: int, prefix: str, concurrency: int = 16) -> list[Account]:
        async def one(index: int) -> Account:
            nickname = f"{prefix}{index}"
            body = {"name": f"Bench {index}", "email": f"{nickname}@bench.example", "nickname": nickname}
            status, user = await self.post("/api/users", {**body, "password": PASSWORD})
            if status != 201:
                raise RuntimeError(f"sign-up failed with {status}: {user}")
            status, token = await self.post("/api/auth/token", {"nickname": nickname, "password": PASSWORD})
            if status != 200:
                raise RuntimeError(f"login failed with {status}: {token}")
            return Account(id=user["id"], nickname=nickname, token=token["access_token"])

        start = len(self.accounts)
        created = await bounded_gather([lambda i=i: one(i) for i in range(start, start + count)], concurrency)
        self.accounts.extend(created)
        return created

    def _socket_for(self, account: Account) -> socketio.AsyncClient:
        client = socketio.AsyncClient(
            reconnection=False, json=codec, handle_sigint=False, http_session=self.socket_http
        )
        client.on("message", lambda payload, user_id=account.id: self.deliveries.received(user_id, payload))
        client.on(
            "message_updated", lambda payload, user_id=account.id: self.deliveries.change_received(user_id, payload)
        )
        return client

    async def connect(
        self,
        accounts: Sequence[Account],
        concurrency: int = 32,
        auth: Callable[[Account], dict[str, Any]] = lambda account: {"token": account.token},
    ) -> None:
        """Open one websocket-only Socket.IO client per account (those not connected yet)."""

        async def one(account: Account) -> None:
            client = self._socket_for(account)
            await client.connect(self.base_url, auth=auth(account), transports=["websocket"], wait_timeout=60)
            self.sockets[account.id] = client

        await bounded_gather([lambda a=a: one(a) for a in accounts if a.id not in self.sockets], concurrency)

    def online(self) -> list[Account]:
        return [account for account in self.accounts if account.id in self.sockets]


async def bounded_gather(factories: Sequence[Callable[[], Awaitable[Any]]], limit: int) -> list[Any]:
    """Run the coroutines `factories` make, at most `limit` at a time, results in order."""
    gate = asyncio.Semaphore(limit)

    async def run(factory: Callable[[], Awaitable[Any]]) -> Any:
        async with gate:
            return await factory()

    return await asyncio.gather(*(run(factory) for factory in factories))


# --- senders: each sends one message and tells `Deliveries` whether it was accepted ---------------------


async def post_and_record(population: Population, path: str, body: dict, author: Account, client_id: str) -> None:
    """POST one message and tell `Deliveries` whether the server accepted it (201)."""
    try:
        status, _ = await population.post(path, body, author)
    except (aiohttp.ClientError, TimeoutError) as error:
        population.deliveries.fail(type(error).__name__)
        return
    if status == 201:
        population.deliveries.accept(client_id)
    else:
        population.deliveries.fail(f"http {status}")


async def send_direct_rest(population: Population, author: Account, recipient: Account) -> None:
    deliveries = population.deliveries
    client_id = deliveries.start(frozenset({author.id, recipient.id}), frozenset({recipient.id}))
    body = {"recipient_id": recipient.id, "content": f"hello from {author.nickname}", "client_id": client_id}
    await post_and_record(population, "/api/messages", body, author, client_id)


async def send_direct_socket(population: Population, author: Account, recipient: Account) -> None:
    deliveries = population.deliveries
    client_id = deliveries.start(frozenset({author.id, recipient.id}), frozenset({recipient.id}))
    body = {"recipient_id": recipient.id, "content": f"hello from {author.nickname}", "client_id": client_id}
    try:
        ack = await population.sockets[author.id].call("send", body, timeout=30)
    except (socketio.exceptions.SocketIOError, TimeoutError) as error:
        deliveries.fail(type(error).__name__)
        return
    if isinstance(ack, dict) and ack.get("ok") and ack.get("created", True):
        deliveries.accept(client_id)
        deliveries.sent_messages[ack["message"]["id"]] = (author, recipient)
        deliveries.sent_ids.append(ack["message"]["id"])
    else:
        deliveries.fail(f"ack {ack.get('status') if isinstance(ack, dict) else ack!r}")


async def send_to_room(population: Population, author: Account, room_id: int, members: frozenset[int]) -> None:
    deliveries = population.deliveries
    client_id = deliveries.start(members, members)
    body = {"content": f"hello room from {author.nickname}", "client_id": client_id}
    await post_and_record(population, f"/api/rooms/{room_id}/messages", body, author, client_id)


# Reactions the change mix uses; each user's reaction on a message is toggled, so every request changes something.
REACTIONS = ("👍", "🎉", "😂", "❤️")
CHANGE_SHARE = 0.2
_edits = itertools.count(1)


async def change_message(population: Population, message_id: int, author: Account, recipient: Account) -> None:
    """Edit the message (its author, over the socket) or toggle a reaction on it (its recipient), and expect
    both parties' sockets to receive the `message_updated` once."""
    deliveries = population.deliveries
    started = time.perf_counter()
    if random.random() < 0.5:
        actor, measured = author, frozenset({recipient.id})
        event, body = "edit", {"message_id": message_id, "content": f"edited {next(_edits)}"}
    else:
        actor, measured = recipient, frozenset({author.id})
        emoji = random.choice(REACTIONS)
        reaction = (message_id, emoji)
        event, body = "react", {"message_id": message_id, "emoji": emoji, "remove": reaction in deliveries.reacted}
        deliveries.reacted ^= {reaction}
    try:
        ack = await population.sockets[actor.id].call(event, body, timeout=30)
    except (socketio.exceptions.SocketIOError, TimeoutError) as error:
        deliveries.fail(type(error).__name__)
        return
    if isinstance(ack, dict) and ack.get("ok"):
        deliveries.change_accepted(ack["message"], started, frozenset({author.id, recipient.id}), measured)
    else:
        deliveries.fail(f"{event} ack {ack.get('status') if isinstance(ack, dict) else ack!r}")


DirectSender = Callable[[Population, Account, Account], Awaitable[None]]


async def send_or_change(population: Population, author: Account, recipient: Account) -> None:
    """The change mix, all over the socket: a send, or (CHANGE_SHARE of the time, once there is something to
    change) an edit or a reaction toggle on a message sent earlier in this run."""
    deliveries = population.deliveries
    if deliveries.sent_ids and random.random() < CHANGE_SHARE:
        ids = deliveries.sent_ids
        message_id = ids[random.randrange(max(0, len(ids) - 200), len(ids))]
        original_author, original_recipient = deliveries.sent_messages[message_id]
        await change_message(population, message_id, original_author, original_recipient)
    else:
        await send_direct_socket(population, author, recipient)


async def closed_loop(
    population: Population, send: DirectSender, users: Sequence[Account], senders: int, seconds: float
) -> float:
    """`senders` loops, each sending DMs between random pairs of `users` back to back; returns the elapsed time."""
    started = time.perf_counter()
    deadline = started + seconds

    async def loop() -> None:
        while time.perf_counter() < deadline:
            author, recipient = random.sample(users, 2)
            await send(population, author, recipient)

    await asyncio.gather(*(loop() for _ in range(senders)))
    return time.perf_counter() - started


async def open_loop(send_one: Callable[[], Awaitable[None]], rate: float, seconds: float, max_in_flight: int) -> float:
    """Start `send_one` at a fixed rate whatever the replies do (at most `max_in_flight` pending at once)."""
    count = int(rate * seconds)
    started = time.perf_counter()
    in_flight: set[asyncio.Task[None]] = set()
    for index in range(count):
        delay = started + index / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if len(in_flight) >= max_in_flight:
            await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
        task = asyncio.create_task(send_one())
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    if in_flight:
        await asyncio.wait(in_flight)
    return time.perf_counter() - started


@dataclass
class Timer:
    """Wall time, this process's CPU time, and a server process's CPU time over one measured stretch."""

    server_pid: int | None
    wall: float = field(default_factory=time.perf_counter)
    client_cpu: float = field(default_factory=time.process_time)
    server_cpu: float | None = None

    def __post_init__(self) -> None:
        self.server_cpu = process_cpu_seconds(self.server_pid)

    def report(self, messages: int) -> dict[str, Any]:
        wall = time.perf_counter() - self.wall
        result: dict[str, Any] = {"client_cpu_share": round((time.process_time() - self.client_cpu) / wall, 2)}
        server_now = process_cpu_seconds(self.server_pid)
        if server_now is not None and self.server_cpu is not None:
            server_cpu = server_now - self.server_cpu
            result["server_cpu_share"] = round(server_cpu / wall, 2)
            if messages:
                result["server_cpu_ms_per_message"] = round(server_cpu * 1000 / messages, 3)
        return result


def process_cpu_seconds(pid: int | None) -> float | None:
    """User plus system CPU time of a process, from /proc/<pid>/stat."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks
