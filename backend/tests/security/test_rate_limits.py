"""Rate limits: 429 with Retry-After, per address for sign-up and login, per user for sends (REST and
socket share one budget), per socket for typing; RATE_LIMITS=off disables them."""

from __future__ import annotations

import dataclasses
import uuid

import httpx

from confab.ratelimits import RateLimits, TooManyRequests
from tests.support.accounts import PASSWORD, sign_up, unique_nickname
from tests.support.changes import reaction_path
from tests.support.messages import send_dm
from tests.support.sockets import RecordingClient

TIGHT = {
    "rate_limits": True,
    "rate_limit_signup": "3/hour",
    "rate_limit_login": "3/minute",
    "rate_limit_send": "3/minute",
    "rate_limit_typing": "1/minute",
}


def signup_body() -> dict[str, str]:
    nickname = unique_nickname()
    return {"name": "n", "email": f"{nickname}@example.com", "nickname": nickname, "password": PASSWORD}


def assert_too_many(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["Retry-After"]) >= 1
    assert "retry" in response.json()["detail"]


async def test_signup_and_login_are_limited_per_client_address(start_server, make_user):
    alice = await make_user()  # on the unlimited session server, same database
    async with start_server(**TIGHT) as limited, httpx.AsyncClient(base_url=limited.url) as http:
        for _ in range(3):
            assert (await http.post("/api/users", json=signup_body())).status_code == 201
        assert_too_many(await http.post("/api/users", json=signup_body()))

        login = {"nickname": alice.nickname, "password": PASSWORD}
        for _ in range(3):
            assert (await http.post("/api/auth/token", json=login)).status_code == 200
        assert_too_many(await http.post("/api/auth/token", json=login))


async def test_sends_share_one_budget_per_user_across_rest_and_socket(start_server, make_user):
    alice, bob, carol = await make_user(), await make_user(), await make_user()
    async with start_server(**TIGHT) as limited, httpx.AsyncClient(base_url=limited.url) as http:
        dm = {"recipient_id": bob.id, "content": "hi"}
        assert (await http.post("/api/messages", headers=alice.headers, json=dm)).status_code == 201
        assert (await http.post("/api/messages", headers=alice.headers, json=dm)).status_code == 201
        socket = await RecordingClient().connect(limited.url, alice.token)
        try:
            assert (await socket.call("send", dm))["ok"] is True
            refused = await socket.call("send", dm)
            assert refused["ok"] is False and refused["status"] == 429 and refused["retry_after"] >= 1
        finally:
            await socket.disconnect()
        assert_too_many(await http.post("/api/messages", headers=alice.headers, json=dm))
        room_post = await http.post("/api/rooms", headers=alice.headers, json={"name": "r"})
        assert room_post.status_code == 201
        limited_room = await http.post(
            f"/api/rooms/{room_post.json()['id']}/messages", headers=alice.headers, json={"content": "x"}
        )
        assert_too_many(limited_room)
        # another user's budget is untouched
        other = {"recipient_id": bob.id, "content": "mine"}
        assert (await http.post("/api/messages", headers=carol.headers, json=other)).status_code == 201


async def test_edits_deletes_and_reactions_spend_the_send_budget(start_server, make_user, http):
    alice, bob = await make_user(), await make_user()
    sent = [(await send_dm(http, alice, bob, f"m{i}"))["id"] for i in range(2)]  # on the unlimited server
    async with start_server(**TIGHT) as limited, httpx.AsyncClient(base_url=limited.url) as tight:
        assert (
            await tight.patch(f"/api/messages/{sent[0]}", headers=alice.headers, json={"content": "e"})
        ).status_code == 200
        assert (await tight.put(reaction_path(sent[0], "👍"), headers=alice.headers)).status_code == 200
        assert (await tight.delete(reaction_path(sent[0], "👍"), headers=alice.headers)).status_code == 200
        assert_too_many(await tight.put(reaction_path(sent[0], "🎉"), headers=alice.headers))
        assert_too_many(await tight.patch(f"/api/messages/{sent[0]}", headers=alice.headers, json={"content": "f"}))
        assert_too_many(await tight.delete(f"/api/messages/{sent[1]}", headers=alice.headers))
        dm = {"recipient_id": bob.id, "content": "and sends share it"}
        assert_too_many(await tight.post("/api/messages", headers=alice.headers, json=dm))
        # the refused requests changed nothing
        message = (await tight.get("/api/messages", headers=bob.headers, params={"with": alice.id})).json()
        assert [(m["content"], m["deleted"], m["reactions"]) for m in message] == [("e", False, []), ("m1", False, [])]


async def test_typing_is_limited_per_socket(start_server, make_user):
    alice, bob = await make_user(), await make_user()
    async with start_server(**TIGHT) as limited:
        first = await RecordingClient().connect(limited.url, alice.token)
        second = await RecordingClient().connect(limited.url, alice.token)
        try:
            assert (await first.call("typing", {"recipient_id": bob.id}))["ok"] is True
            again = await first.call("typing", {"recipient_id": bob.id})
            assert again["ok"] is False and again["status"] == 429
            assert (await second.call("typing", {"recipient_id": bob.id}))["ok"] is True
        finally:
            await first.disconnect()
            await second.disconnect()


async def test_rate_limits_off_lets_everything_through(start_server):
    async with (
        start_server(**{**TIGHT, "rate_limits": False}) as unlimited,
        httpx.AsyncClient(base_url=unlimited.url) as http,
    ):
        for _ in range(5):
            assert (await http.post("/api/users", json=signup_body())).status_code == 201


async def test_budgets_are_shared_between_workers_through_redis(settings, redis_url):
    shared = dataclasses.replace(settings, **TIGHT, redis_url=redis_url, redis_prefix=f"test-{uuid.uuid4().hex[:8]}")
    worker_a, worker_b = RateLimits(shared), RateLimits(shared)
    await worker_a.spend("send", "42")
    await worker_b.spend("send", "42")
    await worker_a.spend("send", "42")
    try:
        await worker_b.spend("send", "42")
    except TooManyRequests as refused:
        assert refused.retry_after >= 1
    else:
        raise AssertionError("the fourth send across two workers should have been refused")


async def test_signing_up_many_users_from_one_address_works_with_limits_off(http):
    for _ in range(15):
        assert (await http.post("/api/users", json=signup_body())).status_code == 201
    await sign_up(http)
