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
