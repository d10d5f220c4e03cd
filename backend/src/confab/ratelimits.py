"""Request budgets per client address, user or socket, with the `limits` library.

The counters live in Redis when REDIS_URL is set, so every worker draws from the same budget;
otherwise in this process's memory. `RATE_LIMITS=off` disables all of them (load tests, black-box
test suites that sign up hundreds of users from one address). While Redis cannot be reached the
limits let requests through and say so in the log: an outage of the counters must not become an
outage of the chat.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any, Literal

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException
from litestar.handlers.base import BaseRouteHandler
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS

from confab.settings import Settings

logger = logging.getLogger("confab.ratelimits")

Bucket = Literal["signup", "login", "login_failures", "send", "typing"]
# What a refusal says was too many; the failed-login budget is per nickname, whether or not it exists.
_TOO_MANY = {"login_failures": "failed logins for this nickname"}


class TooManyRequests(HTTPException):
    status_code = HTTP_429_TOO_MANY_REQUESTS

    def __init__(self, bucket: str, retry_after: int) -> None:
        what = _TOO_MANY.get(bucket, f"{bucket} requests")
        super().__init__(detail=f"too many {what}; retry in {retry_after} s", headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class RateLimits:
    """One moving-window budget per bucket, e.g. "send": 120 per minute per user."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limits
        storage: Storage = (
            RedisStorage(
                "async+" + settings.redis_url,
                implementation="redispy",
                key_prefix=f"{settings.redis_prefix}:limits",
                wrap_exceptions=True,
            )
            if settings.redis_url
            else MemoryStorage()
        )
        self._limiter = MovingWindowRateLimiter(storage)
        self._rules: dict[str, RateLimitItem] = {
            "signup": parse(settings.rate_limit_signup),
            "login": parse(settings.rate_limit_login),
            "login_failures": parse(settings.rate_limit_login_failures),
            "send": parse(settings.rate_limit_send),
            "typing": parse(settings.rate_limit_typing),
        }

    async def spend(self, bucket: Bucket, key: str) -> None:
        """Use one unit of `key`'s budget in `bucket`, or raise `TooManyRequests` with the wait."""
        if not self.enabled:
            return
        try:
            if await self._limiter.hit(self._rules[bucket], bucket, key):
                return
            retry_after = await self._retry_after(bucket, key)
        except StorageError:
            _storage_unreachable(bucket)
            return
        raise TooManyRequests(bucket, retry_after=retry_after)

    async def refusal(self, bucket: Bucket, key: str) -> TooManyRequests | None:
        """The refusal `spend` would raise once `key`'s budget is used up, without spending any of it."""
        if not self.enabled:
            return None
        try:
            if await self._limiter.test(self._rules[bucket], bucket, key):
                return None
            return TooManyRequests(bucket, retry_after=await self._retry_after(bucket, key))
        except StorageError:
            _storage_unreachable(bucket)
            return None

    async def record(self, bucket: Bucket, key: str) -> None:
        """Count one unit against `key` without refusing anything (failures that are checked separately)."""
        if not self.enabled:
            return
        try:
            await self._limiter.hit(self._rules[bucket], bucket, key)
        except StorageError:
            _storage_unreachable(bucket)

    async def _retry_after(self, bucket: Bucket, key: str) -> int:
        window = await self._limiter.get_window_stats(self._rules[bucket], bucket, key)
        return max(1, math.ceil(window.reset_time - time.time()))


def _storage_unreachable(bucket: str) -> None:
    logger.warning("rate limits: their storage is unreachable; letting %s through", bucket)


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The peer address (behind a proxy, run uvicorn with --proxy-headers so this is the real client)."""
    return connection.client.host if connection.client else "unknown"


def caller_id(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    return str(connection.user.id)


def rate_limited(
    bucket: Bucket, key_of: Callable[[ASGIConnection[Any, Any, Any, Any]], str]
) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Any]:
    """A route guard that spends one unit of `bucket` for the key `key_of` picks (address or user)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
        await connection.app.state.rate_limits.spend(bucket, key_of(connection))

    return guard
