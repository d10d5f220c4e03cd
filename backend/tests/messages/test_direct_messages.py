"""Sending DMs: the author is the caller, content is kept verbatim, bad input stores nothing."""

from __future__ import annotations

from datetime import datetime

import pytest

MISSING = object()


async def history(http, account, **params):
    response = await http.get("/api/messages", headers=account.headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_sending_a_dm_returns_the_message_with_both_parties(http, make_user):
    alice = await make_user()
    bob = await make_user()
    response = await http.post(
        "/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "content": "trois petits chats"}
    )
    assert response.status_code == 201
    message = response.json()
    assert message["content"] == "trois petits chats"
    assert message["author"] == {
        "id": alice.id,
        "name": alice.name,
        "nickname": alice.nickname,
        "status": "",
        "avatar_url": None,
        "deleted": False,
    }
    assert message["recipient"] == {
        "id": bob.id,
        "name": bob.name,
        "nickname": bob.nickname,
        "status": "",
        "avatar_url": None,
        "deleted": False,
    }
    assert message["room_id"] is None
    assert message["date"].endswith(("Z", "+00:00"))
    assert datetime.fromisoformat(message["date"]).utcoffset().total_seconds() == 0
    assert (await history(http, bob))[-1] == message


@pytest.mark.parametrize(
    "content",
    [
        "  spaced  ",
        "<img src=x onerror=alert(1)>",
        "line one\nline two",
        'émoji 🐈 &amp; "quotes"',
        "x" * 4000,
    ],
)
async def test_content_is_stored_and_returned_exactly_as_sent(http, make_user, content):
    alice = await make_user()
    bob = await make_user()
    sent = await http.post("/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "content": content})
    assert sent.status_code == 201
    assert sent.json()["content"] == content
    assert (await history(http, bob))[-1]["content"] == content


async def test_author_id_naming_someone_else_is_forbidden_and_stores_nothing(http, make_user):
    alice = await make_user()
    bob = await make_user()
    response = await http.post(
        "/api/messages",
        headers=alice.headers,
        json={"recipient_id": bob.id, "content": "hi", "author_id": bob.id},
    )
    assert response.status_code == 403
    assert await history(http, bob) == []
    own = await http.post(
        "/api/messages",
        headers=alice.headers,
        json={"recipient_id": bob.id, "content": "hi", "author_id": alice.id},
    )
    assert own.status_code == 201


async def test_unknown_recipient_is_404(http, make_user):
    alice = await make_user()
    for recipient_id in (10**12, 2**63 - 1):
        response = await http.post(
            "/api/messages", headers=alice.headers, json={"recipient_id": recipient_id, "content": "hi"}
        )
        assert response.status_code == 404
    assert await history(http, alice) == []


async def test_a_user_who_signs_up_after_a_404_can_be_messaged(http, make_user):
    """Profiles are remembered once found; an id that was not found yet must not be remembered as missing."""
    alice = await make_user()
    next_id = alice.id + 1  # tests run one at a time, so the next sign-up gets it
    refused = await http.post("/api/messages", headers=alice.headers, json={"recipient_id": next_id, "content": "1"})
    assert refused.status_code == 404
    bob = await make_user()
    assert bob.id == next_id
    sent = await http.post("/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "content": "2"})
    assert sent.status_code == 201, sent.text
    assert sent.json()["recipient"] == {
        "id": bob.id,
        "name": bob.name,
        "nickname": bob.nickname,
        "status": "",
        "avatar_url": None,
        "deleted": False,
    }


@pytest.mark.parametrize(
    "body",
    [
        {"recipient_id": MISSING, "content": "no recipient"},
        {"recipient_id": "two", "content": "string id"},
        {"recipient_id": 2**63, "content": "too large"},
        {"recipient_id": -1, "content": "negative"},
        {"recipient_id": None, "content": "null"},
        {"content": ""},
        {"content": "   \n\t "},
        {"content": "x" * 4001},
        {"content": "nul\u0000byte"},
        {"content": 42},
        {"content": "unknown field", "color": "red"},
    ],
)
async def test_bad_message_bodies_are_400_and_store_nothing(http, make_user, body):
    alice = await make_user()
    bob = await make_user()
    payload = {key: value for key, value in {"recipient_id": bob.id, **body}.items() if value is not MISSING}
    response = await http.post("/api/messages", headers=alice.headers, json=payload)
    assert response.status_code == 400, response.text
    assert response.json()["detail"]
    assert await history(http, bob) == []


async def test_malformed_json_is_400(http, make_user):
    alice = await make_user()
    response = await http.post(
        "/api/messages",
        headers={**alice.headers, "Content-Type": "application/json"},
        content=b'{"recipient_id": 1,',
    )
    assert response.status_code == 400
    assert response.json()["detail"]


async def test_messaging_yourself_works(http, make_user):
    alice = await make_user()
    response = await http.post(
        "/api/messages", headers=alice.headers, json={"recipient_id": alice.id, "content": "note"}
    )
    assert response.status_code == 201
    assert [m["content"] for m in await history(http, alice)] == ["note"]
