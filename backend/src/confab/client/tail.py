"""`confab tail`: print messages and changes to them as they arrive over Socket.IO, surviving restarts
without gaps or repeats.

The first handshake carries `last_id` (the newest message id the user can already see, or `--since`);
its `synced` answer says from which `seq` changes are followed. Every reconnection then carries
`since`, so the server replays new messages and changes alike before `synced` and live events again.
That `since` is where the tail stood a margin before the connection was lost (`client/resume_point.py`):
two changes committed one after the other can arrive in the opposite order of their `seq`, and resuming
from the very highest could skip the one still in flight. A message state already printed (same id,
same or lower `seq`) is skipped, so what is replayed again is not printed twice. A `resync` from the
server (its link to the other workers lost events for up to `lost_for` seconds) is answered the same
way: reconnect at once and catch up from where the tail stood before the link broke.
"""

from __future__ import annotations

import asyncio
import random
import signal
import time
from contextlib import suppress
from typing import Any

import aiohttp
import socketio

from confab.client.api import Api
from confab.client.errors import OK, NotLoggedIn, Unreachable
from confab.client.output import message_line, note, say
from confab.client.resume_point import ResumePoint

FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 30.0


def newest_visible_id(api: Api, rooms: list[dict[str, Any]]) -> int:
    """The id of the newest message the caller can already read (0 when there is none)."""
    newest_direct = api.get("/api/messages", limit=1)
    ids = [message["id"] for message in newest_direct]
    ids += [room["last_message"]["id"] for room in rooms if room.get("last_message")]
    return max(ids, default=0)


def refusal_reason(refusals: list[Any], error: Exception) -> str:
    """The server's `connect_error` message when it refused us, else what went wrong on the way."""
    last = refusals[-1] if refusals else None
    if isinstance(last, dict) and last.get("message"):
        return str(last["message"])
    text = str(last or error)
    return "the server does not answer" if text in {"Connection error", ""} else text


class Tail:
    """One Socket.IO connection at a time, replaced with backoff whenever it drops, until `stop` is set."""

    def __init__(self, url: str, token: str, last_id: int, room_names: dict[int, str]) -> None:
        self.url = url
        self.token = token
        self.last_id = last_id
        self.following = False  # from the first `synced` on, every handshake resumes with `since`
        self.resume_point = ResumePoint()
        self.lost_at: float | None = None  # when events may have begun to be lost, until a handshake catches up
        self.room_names = room_names
        self.printed: dict[int, int] = {}  # message id -> the highest seq printed for it
        self.stop = asyncio.Event()
        self.ended_because: str | None = None

    async def on_message(self, message: dict[str, Any]) -> None:
        self._show(message, changed=message["id"] in self.printed)

    async def on_message_updated(self, message: dict[str, Any]) -> None:
        self._show(message, changed=True)

    def _show(self, message: dict[str, Any], *, changed: bool) -> None:
        if self.printed.get(message["id"], 0) >= message["seq"]:
            return
        self.printed[message["id"]] = message["seq"]
        self.last_id = max(self.last_id, message["id"])
        self.resume_point.note_arrival(message["seq"])
        say(message_line(message, self.room_names, changed=changed))

    async def on_synced(self, synced: dict[str, Any]) -> None:
        self.last_id = max(self.last_id, synced["last_id"])
        self.lost_at = None
        if synced.get("seq") is not None:
            self.following = True
            self.resume_point.note_read(synced["seq"])
        if not synced.get("complete", True):
            seq = synced.get("seq")
            note(
                "more was missed than the server replays: see 'confab history'"
                + (f" (changes after seq {seq}: GET /api/changes?since={seq})" if seq else "")
            )

    def lost(self, lost_for: float = 0.0) -> None:
        """The connection dropped, or events were lost for up to `lost_for` seconds before now."""
        since = time.monotonic() - lost_for
        self.lost_at = since if self.lost_at is None else min(self.lost_at, since)

    def handshake_cursor(self) -> dict[str, int]:
        """Where the next handshake resumes from: `since` once following changes, else `last_id`."""
        if not self.following:
            return {"last_id": self.last_id}
        return {"since": self.resume_point.since(self.lost_at if self.lost_at is not None else time.monotonic())}

    async def on_room(self, room: dict[str, Any]) -> None:
        self.room_names[room["id"]] = room["name"]

    async def on_session_ended(self, ended: dict[str, Any]) -> None:
        """The token was revoked (logout, password change): reconnecting with it would be refused."""
        self.ended_because = str(ended.get("reason") or "the session ended")

    async def _connect(
        self, http: aiohttp.ClientSession, refusals: list[Any], lost: asyncio.Event, cursor: dict[str, int]
    ) -> socketio.AsyncClient:
        """A fresh connection; our own loop does the reconnecting, and Ctrl-C is ours to handle."""
        client = socketio.AsyncClient(reconnection=False, handle_sigint=False, http_session=http)
        client.on("connect_error", refusals.append)

        def on_disconnect(*_reason: Any) -> None:
            self.lost()
            lost.set()

        client.on("disconnect", on_disconnect)
        client.on("message", self.on_message)
        client.on("message_updated", self.on_message_updated)
        client.on("synced", self.on_synced)
        client.on("room", self.on_room)
        client.on("session_ended", self.on_session_ended)

        async def on_resync(payload: Any = None) -> None:
            """The server may have missed delivering something: reconnecting replays it from `since`."""
            note("the server asked for a catch-up")
            lost_for = payload.get("lost_for") if isinstance(payload, dict) else None
            self.lost(float(lost_for) if isinstance(lost_for, int | float) else 0.0)
            await client.disconnect()

        client.on("resync", on_resync)
        auth = {"token": self.token, **cursor}
        await client.connect(self.url, auth=auth, transports=["websocket"], wait_timeout=10)
        return client

    async def _until_stopped_or_lost(self, client: socketio.AsyncClient, lost: asyncio.Event) -> None:
        waiters = [asyncio.create_task(self.stop.wait()), asyncio.create_task(lost.wait())]
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
        if self.stop.is_set() and client.connected:
            await client.disconnect()

    async def run(self, nickname: str) -> int:
        async with aiohttp.ClientSession() as http:
            return await self._run(http, nickname)

    async def _run(self, http: aiohttp.ClientSession, nickname: str) -> int:
        delay = FIRST_RETRY_SECONDS
        connected_once = False
        while not self.stop.is_set():
            refusals: list[Any] = []
            lost = asyncio.Event()
            cursor = self.handshake_cursor()
            try:
                client = await self._connect(http, refusals, lost, cursor)
            except socketio.exceptions.ConnectionError as error:
                reason = refusal_reason(refusals, error)
                if "unauthorized" in reason:
                    raise NotLoggedIn(
                        f"the server refused the token ({reason}): log in again with 'confab login'"
                    ) from error
                if not connected_once:
                    raise Unreachable(f"cannot reach a confab server at {self.url} ({reason})") from error
                pause = delay * random.uniform(0.8, 1.2)
                note(f"cannot reconnect ({reason}); retrying in {pause:.1f}s")
                with suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), pause)
                delay = min(delay * 2, MAX_RETRY_SECONDS)
                continue
            if connected_once:
                resumed = f"seq {cursor['since']}" if "since" in cursor else f"#{cursor['last_id']}"
                note(f"reconnected; catching up after {resumed}")
            else:
                note(f"listening as {nickname} on {self.url} (Ctrl-C to stop)")
            connected_once = True
            delay = FIRST_RETRY_SECONDS
            await self._until_stopped_or_lost(client, lost)
            if self.ended_because is not None:
                raise NotLoggedIn(
                    f"the server ended this session ({self.ended_because}): log in again with 'confab login'"
                )
            if not self.stop.is_set():
                note("connection lost; reconnecting")
        return OK


async def follow(api: Api, token: str, nickname: str, since: int | None) -> int:
    """Print messages live until Ctrl-C (or SIGTERM); starts after `since`, else after what exists now."""
    rooms = api.rooms()
    room_names = {room["id"]: room["name"] for room in rooms}
    start = since if since is not None else newest_visible_id(api, rooms)
    tail = Tail(api.url, token, start, room_names)
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(stop_signal, tail.stop.set)
    try:
        return await tail.run(nickname)
    finally:
        for stop_signal in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(stop_signal)
