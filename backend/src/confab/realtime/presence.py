"""Who is online: counted per socket, in this process or, when several workers share Redis, in Redis."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger("confab.realtime")


class Presence(Protocol):
    async def connected(self, user_id: int, sid: str) -> bool:
        """Record a socket; True when it is the user's first."""

    async def disconnected(self, user_id: int, sid: str) -> bool:
        """Forget a socket; True when it was the user's last."""

    async def online_among(self, user_ids: Iterable[int]) -> set[int]:
        """The subset of `user_ids` with at least one live socket."""

    async def sockets_of(self, user_id: int) -> list[str]:
        """The ids of the user's live sockets, on every worker."""

    async def refresh(self) -> None:
        """Confirm this process's live sockets (Redis expires those of a process that died)."""


class LocalPresence:
    """Single-process presence: a dict of socket ids per user."""

    def __init__(self) -> None:
        self._sockets: defaultdict[int, set[str]] = defaultdict(set)

    async def connected(self, user_id: int, sid: str) -> bool:
        sockets = self._sockets[user_id]
        sockets.add(sid)
        return len(sockets) == 1

    async def disconnected(self, user_id: int, sid: str) -> bool:
        sockets = self._sockets.get(user_id)
        if not sockets or sid not in sockets:
            return False
        sockets.discard(sid)
        if sockets:
            return False
        del self._sockets[user_id]
        return True

    async def online_among(self, user_ids: Iterable[int]) -> set[int]:
        return {user_id for user_id in user_ids if user_id in self._sockets}

    async def sockets_of(self, user_id: int) -> list[str]:
        return list(self._sockets.get(user_id, ()))

    async def refresh(self) -> None:
        return None


class RedisPresence:
    """Presence shared by every worker: one sorted set per user, socket id scored by its expiry time.

    Workers refresh their sockets' expiry periodically, so sockets of a worker that was killed stop
    counting after `ttl_seconds` instead of keeping their user online forever, and a Redis that
    restarted empty knows every live socket again one refresh later. While Redis cannot be reached,
    reads answer from this worker's own sockets: REST keeps working, with presence as this worker sees it.
    """

    def __init__(self, redis: Redis, prefix: str, ttl_seconds: float) -> None:
        self._redis = redis
        self._prefix = prefix
        self.ttl_seconds = ttl_seconds
        self._local_sockets: dict[str, int] = {}

    def _key(self, user_id: int) -> str:
        return f"{self._prefix}{user_id}"

    async def connected(self, user_id: int, sid: str) -> bool:
        now = time.time()
        key = self._key(user_id)
        self._local_sockets[sid] = user_id
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(key, "-inf", now)
            pipe.zadd(key, {sid: now + self.ttl_seconds})
            pipe.zcard(key)
            pipe.expire(key, max(1, round(self.ttl_seconds * 2)))
            _, _, count, _ = await pipe.execute()
        return int(count) == 1

    async def disconnected(self, user_id: int, sid: str) -> bool:
        key = self._key(user_id)
        self._local_sockets.pop(sid, None)
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.zrem(key, sid)
                pipe.zremrangebyscore(key, "-inf", time.time())
                pipe.zcard(key)
                removed, _, count = await pipe.execute()
        except RedisError:
            logger.warning("presence: Redis unreachable; this socket's entry expires on its own")
            return False
        return bool(removed) and int(count) == 0

    async def online_among(self, user_ids: Iterable[int]) -> set[int]:
        ids = list(user_ids)
        if not ids:
            return set()
        now = time.time()
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for user_id in ids:
                    pipe.zcount(self._key(user_id), now, "+inf")
                counts = await pipe.execute()
        except RedisError:
            logger.warning("presence: Redis unreachable; answering from this worker's sockets")
            here = set(self._local_sockets.values())
            return {user_id for user_id in ids if user_id in here}
        return {user_id for user_id, count in zip(ids, counts, strict=True) if count}

    async def sockets_of(self, user_id: int) -> list[str]:
        try:
            members = await self._redis.zrangebyscore(self._key(user_id), time.time(), "+inf")
        except RedisError:
            logger.warning("presence: Redis unreachable; answering from this worker's sockets")
            return [sid for sid, owner in self._local_sockets.items() if owner == user_id]
        return [member.decode() if isinstance(member, bytes) else member for member in members]

    def local_sockets(self) -> list[str]:
        """The sockets this worker holds (after a relay outage, they are the ones to tell)."""
        return list(self._local_sockets)

    async def refresh(self) -> None:
        expiry = time.time() + self.ttl_seconds
        async with self._redis.pipeline(transaction=False) as pipe:
            for sid, user_id in list(self._local_sockets.items()):
                pipe.zadd(self._key(user_id), {sid: expiry})
                pipe.expire(self._key(user_id), max(1, round(self.ttl_seconds * 2)))
            await pipe.execute()
