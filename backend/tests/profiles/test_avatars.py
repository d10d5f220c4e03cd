"""Avatars: one of my own unsent image uploads, shown as a freshly signed thumbnail link in every profile."""

from __future__ import annotations

from datetime import timedelta

import httpx

from confab.domain.files.service import FileService
from tests.support.files import png, uploaded
from tests.support.messages import send_dm
from tests.support.sockets import RecordingClient


async def test_an_uploaded_image_becomes_the_avatar_everybody_sees(http, make_user, server):
    alice, bob = await make_user(), await make_user()
    await send_dm(http, bob, alice, "hello")
    image = await uploaded(http, alice, png(), "me.png")
    socket = await RecordingClient().connect(server.url, bob.token)
    try:
        chosen = await http.put("/api/me/avatar", headers=alice.headers, json={"file_id": image["id"]})
        assert chosen.status_code == 200, chosen.text
        link = chosen.json()["avatar_url"]
        assert link.startswith(f"/api/files/{image['id']}/thumbnail?expires=")
        pushed = await socket.wait_for("user_updated")
        assert pushed["id"] == alice.id
        assert pushed["avatar_url"].startswith(f"/api/files/{image['id']}/thumbnail?")
    finally:
        await socket.disconnect()
    thumbnail = await http.get(link)  # no token: the link is the proof
    assert thumbnail.status_code == 200
    assert thumbnail.headers["content-type"].startswith("image/")

    profile = (await http.get(f"/api/users/{alice.id}", headers=bob.headers)).json()
    assert profile["avatar_url"].startswith(f"/api/files/{image['id']}/thumbnail?")
    message = await send_dm(http, alice, bob, "with a face")
    assert message["author"]["avatar_url"].startswith(f"/api/files/{image['id']}/thumbnail?")
    assert (await http.get("/api/me", headers=alice.headers)).json()["avatar_url"] is not None
    people = (await http.get("/api/users", params={"conversations": "true"}, headers=bob.headers)).json()
    assert [person["avatar_url"] is not None for person in people if person["id"] == alice.id] == [True]


async def test_only_my_own_unsent_images_can_be_avatars(http, make_user):
    alice, bob = await make_user(), await make_user()
    not_an_image = await uploaded(http, alice, b"just some text, not pixels", "notes.txt")
    bobs_image = await uploaded(http, bob, png(), "bob.png")
    sent_image = await uploaded(http, alice, png(), "sent.png")
    await http.post(
        "/api/messages",
        headers=alice.headers,
        json={"recipient_id": bob.id, "content": "look", "file_ids": [sent_image["id"]]},
    )
    cases = [(not_an_image["id"], 400), (bobs_image["id"], 404), (sent_image["id"], 409), (10**12, 404)]
    for file_id, status in cases:
        refused = await http.put("/api/me/avatar", headers=alice.headers, json={"file_id": file_id})
        assert refused.status_code == status, (file_id, refused.text)
    assert (await http.put("/api/me/avatar", headers=alice.headers, json={"file_id": "7"})).status_code == 400
    assert (await http.get("/api/me", headers=alice.headers)).json()["avatar_url"] is None


async def test_an_avatar_cannot_be_sent_swept_or_kept_once_replaced_or_removed(http, make_user, server):
    alice, bob = await make_user(), await make_user()
    first = await uploaded(http, alice, png(color=(1, 2, 3)), "first.png")
    first_link = (await http.put("/api/me/avatar", headers=alice.headers, json={"file_id": first["id"]})).json()[
        "avatar_url"
    ]
    attached = await http.post(
        "/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "content": "x", "file_ids": [first["id"]]}
    )
    assert attached.status_code == 409
    async with server.app.state.database_config.create_session_maker()() as db:
        hub = server.app.state.hub
        files = FileService(session=db, settings=server.settings, storage=hub.file_storage, links=hub.file_links)
        await files.sweep_orphans(timedelta(seconds=-60))  # every unsent upload is "old" now, avatars aside
    assert (await http.get(first_link)).status_code == 200

    second = await uploaded(http, alice, png(color=(9, 9, 9)), "second.png")
    replaced = await http.put("/api/me/avatar", headers=alice.headers, json={"file_id": second["id"]})
    assert replaced.json()["avatar_url"].startswith(f"/api/files/{second['id']}/")
    assert (await http.get(first_link)).status_code == 404  # the replaced avatar's file is gone
    second_link = replaced.json()["avatar_url"]

    removed = await http.delete("/api/me/avatar", headers=alice.headers)
    assert removed.status_code == 204
    assert (await http.get("/api/me", headers=alice.headers)).json()["avatar_url"] is None
    assert (await http.get(f"/api/users/{alice.id}", headers=bob.headers)).json()["avatar_url"] is None
    assert (await http.get(second_link)).status_code == 404
    assert (await http.delete("/api/me/avatar", headers=alice.headers)).status_code == 204


async def test_avatar_routes_need_a_token(http: httpx.AsyncClient):
    assert (await http.put("/api/me/avatar", json={"file_id": 1})).status_code == 401
    assert (await http.delete("/api/me/avatar")).status_code == 401
