"""Failed logins are limited per nickname too: a slow guess spread over many addresses is stopped, while the
owner still logs in from an address one of their sessions came from, and nothing reveals who exists."""

from __future__ import annotations

import re
import uuid

import httpx

from tests.support.accounts import PASSWORD, unique_nickname

FAILURES = {"rate_limits": True, "rate_limit_login": "1000/minute", "rate_limit_login_failures": "3/hour"}


async def attempt(http: httpx.AsyncClient, nickname: str, password: str, address: str | None = None) -> httpx.Response:
    """A login from `address` (X-Forwarded-For, which uvicorn trusts from 127.0.0.1), else from 127.0.0.1."""
    headers = {"X-Forwarded-For": address} if address else {}
    return await http.post("/api/auth/token", json={"nickname": nickname, "password": password}, headers=headers)


def assert_throttled(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["Retry-After"]) >= 1
    assert re.fullmatch(r"too many failed logins for this nickname; retry in \d+ s", response.json()["detail"])


async def test_guesses_from_many_addresses_are_limited_but_the_owner_logs_in_from_a_known_one(start_server, make_user):
    alice, bob = await make_user(), await make_user()  # their sessions came from 127.0.0.1
    async with start_server(**FAILURES) as limited, httpx.AsyncClient(base_url=limited.url) as http:
        for number in range(3):
            assert (await attempt(http, alice.nickname, f"guess {number}", f"10.0.0.{number}")).status_code == 401
        assert_throttled(await attempt(http, alice.nickname, "guess 3", "10.0.0.3"))
        # Even the right password is refused from an address the account never had a session from.
        assert_throttled(await attempt(http, alice.nickname, PASSWORD, "10.0.0.4"))
        assert_throttled(await attempt(http, alice.nickname.upper(), PASSWORD, "10.0.0.5"))

        # From 127.0.0.1, where alice's sessions came from, she still logs in (and a wrong guess is a 401).
        assert (await attempt(http, alice.nickname, "guess 5")).status_code == 401
        owner = await attempt(http, alice.nickname, PASSWORD)
        assert owner.status_code == 200, owner.text
        # Once logged in from a new address, that address is known too.
        assert_throttled(await attempt(http, alice.nickname, PASSWORD, "10.0.0.6"))

        # Another account's budget is untouched.
        assert (await attempt(http, bob.nickname, PASSWORD, "10.0.0.7")).status_code == 200


async def test_a_session_address_becomes_known_for_the_throttle(start_server, make_user):
    alice = await make_user()
    async with start_server(**FAILURES) as limited, httpx.AsyncClient(base_url=limited.url) as http:
        assert (await attempt(http, alice.nickname, PASSWORD, "192.0.2.10")).status_code == 200
        for number in range(3):
            assert (await attempt(http, alice.nickname, f"guess {number}", f"10.1.0.{number}")).status_code == 401
        assert_throttled(await attempt(http, alice.nickname, PASSWORD, "10.1.0.9"))
        assert (await attempt(http, alice.nickname, PASSWORD, "192.0.2.10")).status_code == 200


async def test_the_throttle_does_not_reveal_whether_a_nickname_exists(start_server, make_user):
    alice = await make_user()
    nobody = unique_nickname("nobody")
    async with start_server(**FAILURES) as limited, httpx.AsyncClient(base_url=limited.url) as http:
        answers = {}
        for nickname in (alice.nickname, nobody):
            for number in range(3):
                failed = await attempt(http, nickname, f"guess {number}", f"10.2.0.{number}")
                assert failed.status_code == 401
            answers[nickname] = await attempt(http, nickname, "guess 3", "10.2.0.3")
        for answer in answers.values():
            assert_throttled(answer)
        assert {re.sub(r"\d+", "N", answer.json()["detail"]) for answer in answers.values()} == {
            "too many failed logins for this nickname; retry in N s"
        }
        # An address known for alice is no help with a nickname that has no sessions.
        assert_throttled(await attempt(http, nobody, "guess 4"))


async def test_rate_limits_off_means_no_per_nickname_throttle(start_server, make_user):
    alice = await make_user()
    async with (
        start_server(**{**FAILURES, "rate_limits": False}) as unlimited,
        httpx.AsyncClient(base_url=unlimited.url) as http,
    ):
        for number in range(5):
            assert (await attempt(http, alice.nickname, f"guess {number}", f"10.3.0.{number}")).status_code == 401
        assert (await attempt(http, alice.nickname, PASSWORD, "10.3.0.9")).status_code == 200


async def test_the_failure_budget_is_shared_between_workers_through_redis(start_server, make_user, redis_url):
    alice = await make_user()
    shared = {**FAILURES, "redis_url": redis_url, "redis_prefix": f"test-{uuid.uuid4().hex[:8]}"}
    async with (
        start_server(**shared) as worker_a,
        start_server(**shared) as worker_b,
        httpx.AsyncClient(base_url=worker_a.url) as http_a,
        httpx.AsyncClient(base_url=worker_b.url) as http_b,
    ):
        assert (await attempt(http_a, alice.nickname, "guess 0", "10.4.0.0")).status_code == 401
        assert (await attempt(http_b, alice.nickname, "guess 1", "10.4.0.1")).status_code == 401
        assert (await attempt(http_a, alice.nickname, "guess 2", "10.4.0.2")).status_code == 401
        assert_throttled(await attempt(http_b, alice.nickname, PASSWORD, "10.4.0.3"))
        assert (await attempt(http_b, alice.nickname, PASSWORD)).status_code == 200
