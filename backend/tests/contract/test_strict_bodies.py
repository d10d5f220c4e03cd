"""Request bodies keep their JSON types: what openapi.json calls an integer must be a JSON number, as on sockets."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/messages", {"recipient_id": "{peer}", "content": "numeric string id"}),
        ("/api/rooms", {"name": "strict", "member_ids": ["{peer}"]}),
        ("/api/users/{peer_number}/read", {"last_read_id": "0"}),
    ],
)
async def test_a_number_sent_as_a_string_is_400_and_changes_nothing(http, make_user, path, body):
    alice, bob = await make_user(), await make_user()

    def fill(value):
        if isinstance(value, str):
            return int(bob.id) if value == "{peer_number}" else value.replace("{peer}", str(bob.id))
        if isinstance(value, list):
            return [fill(item) for item in value]
        return value

    payload = {key: fill(value) for key, value in body.items()}
    method = http.put if path.endswith("/read") else http.post
    response = await method(path.replace("{peer_number}", str(bob.id)), headers=alice.headers, json=payload)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["detail"] and problem["extra"][0]["source"] == "body"
    assert (await http.get("/api/rooms", headers=alice.headers)).json() == []
    assert (await http.get("/api/messages", headers=alice.headers)).json() == []


async def test_the_400_names_the_field(http, make_user):
    alice, bob = await make_user(), await make_user()
    response = await http.post(
        "/api/messages", headers=alice.headers, json={"recipient_id": str(bob.id), "content": "hi"}
    )
    assert response.status_code == 400
    assert response.json()["extra"] == [
        {"key": "recipient_id", "message": "Expected `int`, got `str`", "source": "body"}
    ]
    assert response.json()["detail"] == "recipient_id: Expected `int`, got `str`"


async def test_an_integral_float_is_an_integer_as_json_schema_says(http, make_user):
    alice, bob = await make_user(), await make_user()
    response = await http.post(
        "/api/messages", headers=alice.headers, json={"recipient_id": float(bob.id), "content": "hi"}
    )
    assert response.status_code == 201, response.text


async def test_a_read_marker_sent_as_a_string_leaves_the_unread_count_alone(http, make_user):
    alice, bob = await make_user(), await make_user()
    sent = await http.post("/api/messages", headers=bob.headers, json={"recipient_id": alice.id, "content": "new"})
    assert sent.status_code == 201
    refused = await http.put(
        f"/api/users/{bob.id}/read", headers=alice.headers, json={"last_read_id": str(sent.json()["id"])}
    )
    assert refused.status_code == 400
    people = {person["id"]: person for person in (await http.get("/api/users", headers=alice.headers)).json()}
    assert people[bob.id]["unread"] == 1


@pytest.mark.parametrize("authenticated", [True, False])
async def test_a_body_nested_thousands_deep_is_400_not_500(http, make_user, authenticated):
    """The strictness check walks bodies; one built to exhaust the stack must still get a plain 400."""
    alice = await make_user()
    for depth in (600, 3000, 20000):
        nested = "[" * depth + "]" * depth
        if authenticated:
            path, headers = "/api/messages", alice.headers
            body = f'{{"recipient_id": {alice.id}, "content": {nested}}}'
        else:
            path, headers = "/api/users", {}
            body = f'{{"name": "N", "email": "n@example.com", "nickname": "nested", "password": {nested}}}'
        response = await http.post(path, headers={**headers, "Content-Type": "application/json"}, content=body)
        assert response.status_code == 400, (depth, response.status_code, response.text[:200])
        assert response.json()["detail"]
    assert (await http.get("/api/messages", headers=alice.headers)).json() == []
