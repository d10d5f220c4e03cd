"""Files in messages: who may attach them, who gets their links, and what deleting or forgetting them does."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from confab.db.types import utc_now
from confab.domain.files.links import FileLinks
from confab.domain.files.models import FileModel
from confab.domain.files.sweeper import sweep_orphans
from tests.support.files import png, uploaded
from tests.support.rooms import create_room
from tests.support.sockets import RecordingClient


async def test_a_message_may_carry_files_without_text(http: httpx.AsyncClient, make_user) -> None:
    alice, bob = await make_user(), await make_user()
    image = await uploaded(http, alice, png(), "cat.png")
    notes = await uploaded(http, alice, b"some notes", "notes.txt")
    sent = await http.post(
        "/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "file_ids": [image["id"], notes["id"]]}
    )
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert message["content"] == ""
    assert [file["name"] for file in message["files"]] == ["cat.png", "notes.txt"]
    history = (await http.get("/api/messages", headers=bob.headers)).json()
    (received,) = [item for item in history if item["id"] == message["id"]]
    assert received["files"][0]["width"] == 800
    assert (await http.get(received["files"][0]["thumbnail_url"])).status_code == 200
    assert (await http.get(received["files"][1]["url"])).content == b"some notes"


async def test_a_message_needs_text_or_files_and_at_most_ten(http: httpx.AsyncClient, make_user) -> None:
    alice, bob = await make_user(), await make_user()
    nothing = await http.post("/api/messages", headers=alice.headers, json={"recipient_id": bob.id})
    assert nothing.status_code == 400
    assert "content" in nothing.json()["detail"]
    none_listed = await http.post("/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "file_ids": []})
    assert none_listed.status_code == 400
    eleven = [(await uploaded(http, alice, b"f%d" % index))["id"] for index in range(11)]
    too_many = await http.post(
        "/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "file_ids": eleven}
    )
    assert too_many.status_code == 400


async def test_only_the_uploader_attaches_a_file_and_only_once(http: httpx.AsyncClient, make_user) -> None:
    alice, bob, mallory = await make_user(), await make_user(), await make_user()
    file = await uploaded(http, alice, b"alice's secret plan")
    stolen = await http.post(
        "/api/messages", headers=mallory.headers, json={"recipient_id": bob.id, "file_ids": [file["id"]]}
    )
    assert stolen.status_code == 404
    unknown = await http.post(
        "/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "file_ids": [99999999]}
    )
    assert unknown.status_code == 404
    first = await http.post(
        "/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "file_ids": [file["id"]]}
    )
    assert first.status_code == 201
    again = await http.post(
        "/api/messages", headers=alice.headers, json={"recipient_id": mallory.id, "file_ids": [file["id"]]}
    )
    assert again.status_code == 409
    # The refused sends stored nothing: bob has one message, mallory none.
    assert len((await http.get("/api/messages", headers=bob.headers)).json()) == 1
    assert (await http.get("/api/messages", headers=mallory.headers)).json() == []


async def test_outsiders_and_removed_members_get_no_links(http: httpx.AsyncClient, make_user) -> None:
    owner, member, outsider = await make_user(), await make_user(), await make_user()
    room = await create_room(http, owner, "files", members=[member])
    file = await uploaded(http, owner, b"room only")
    sent = await http.post(f"/api/rooms/{room['id']}/messages", headers=owner.headers, json={"file_ids": [file["id"]]})
    assert sent.status_code == 201, sent.text
    seen = (await http.get(f"/api/rooms/{room['id']}/messages", headers=member.headers)).json()
    assert seen[-1]["files"][0]["id"] == file["id"]
    assert (await http.get(f"/api/rooms/{room['id']}/messages", headers=outsider.headers)).status_code in (403, 404)
    changes = (await http.get("/api/changes", headers=outsider.headers)).json()
    assert all(message["room_id"] != room["id"] for message in changes)
    removed = await http.delete(f"/api/rooms/{room['id']}/members/{member.id}", headers=owner.headers)
    assert removed.status_code == 204, removed.text
    assert (await http.get(f"/api/rooms/{room['id']}/messages", headers=member.headers)).status_code == 403
    changes = (await http.get("/api/changes", headers=member.headers)).json()
    assert all(message["room_id"] != room["id"] for message in changes)


async def test_tampered_and_expired_links_are_refused(http: httpx.AsyncClient, make_user, file_server) -> None:
    alice = await make_user()
    file = await uploaded(http, alice, png(), "a.png")
    assert (await http.get(file["url"])).status_code == 200
    tampered = file["url"][:-1] + ("0" if file["url"][-1] != "0" else "1")
    assert (await http.get(tampered)).status_code == 403
    other_file = file["url"].replace(f"/files/{file['id']}/", f"/files/{file['id'] + 1}/")
    assert (await http.get(other_file)).status_code == 403
    as_thumbnail = file["url"].replace("/content?", "/thumbnail?")
    assert (await http.get(as_thumbnail)).status_code == 403
    longer = file["url"].replace("expires=", "expires=9")
    assert (await http.get(longer)).status_code == 403
    expired = FileLinks(file_server.settings.secret_key, -60).url(file["id"], "content")
    refused = await http.get(expired)
    assert refused.status_code == 403
    assert "expired" in refused.json()["detail"]
    other_server = FileLinks("another secret", 3600).url(file["id"], "content")
    assert (await http.get(other_server)).status_code == 403


async def test_range_requests(http: httpx.AsyncClient, make_user) -> None:
    alice = await make_user()
    data = bytes(range(256)) * 40
    file = await uploaded(http, alice, data, "data.bin")
    part = await http.get(file["url"], headers={"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.content == data[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(data)}"
    tail = await http.get(file["url"], headers={"Range": "bytes=-5"})
    assert (tail.status_code, tail.content) == (206, data[-5:])
    rest = await http.get(file["url"], headers={"Range": "bytes=10000-"})
    assert (rest.status_code, rest.content) == (206, data[10000:])
    whole = await http.get(file["url"])
    assert (whole.status_code, whole.headers["accept-ranges"], whole.content) == (200, "bytes", data)
    beyond = await http.get(file["url"], headers={"Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(data)}"


async def test_deleting_a_message_deletes_its_files(http: httpx.AsyncClient, make_user, stored_keys) -> None:
    alice, bob = await make_user(), await make_user()
    before = stored_keys()
    file = await uploaded(http, alice, png(), "gone.png")
    kept = await uploaded(http, alice, b"kept")
    assert len(stored_keys()) == len(before) + 3  # the image, its thumbnail, the other file
    sent = (
        await http.post("/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "file_ids": [file["id"]]})
    ).json()
    assert (await http.delete(f"/api/messages/{sent['id']}", headers=alice.headers)).status_code == 204
    assert len(stored_keys()) == len(before) + 1
    assert (await http.get(file["url"])).status_code == 404
    assert (await http.get(file["thumbnail_url"])).status_code == 404
    assert (await http.get(kept["url"])).status_code == 200
    history = (await http.get("/api/messages", headers=bob.headers)).json()
    assert history[-1]["deleted"] is True
    assert history[-1]["files"] == []


async def test_uploads_never_attached_are_swept_after_a_day(
    http: httpx.AsyncClient, make_user, file_server, stored_keys
) -> None:
    alice, bob = await make_user(), await make_user()
    forgotten = await uploaded(http, alice, png(), "forgotten.png")
    fresh = await uploaded(http, alice, b"just uploaded")
    sent_file = await uploaded(http, alice, b"sent long ago")
    await http.post(
        "/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "file_ids": [sent_file["id"]]}
    )
    database = file_server.app.state.database_config
    async with database.get_session() as session:
        await session.execute(
            update(FileModel)
            .where(FileModel.id.in_([forgotten["id"], sent_file["id"]]))
            .values(created_at=utc_now() - timedelta(hours=25))
        )
        await session.commit()
    before = stored_keys()
    assert await sweep_orphans(file_server.settings, database, file_server.app.state.hub) >= 1
    assert len(stored_keys()) == len(before) - 2  # the forgotten image and its thumbnail
    assert (await http.get(forgotten["url"])).status_code == 404
    assert (await http.get(fresh["url"])).status_code == 200
    assert (await http.get(sent_file["url"])).status_code == 200
    late = await http.post(
        "/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "file_ids": [forgotten["id"]]}
    )
    assert late.status_code == 404


@pytest.mark.parametrize("room", [False, True], ids=["dm", "room"])
async def test_socket_sends_carry_files_live(http: httpx.AsyncClient, make_user, file_server, room: bool) -> None:
    alice, bob, eve = await make_user(), await make_user(), await make_user()
    file = await uploaded(http, alice, png(), "live.png")
    target: dict[str, object] = {"recipient_id": bob.id}
    if room:
        target = {"room_id": (await create_room(http, alice, "live", members=[bob]))["id"]}
    bob_socket = await RecordingClient().connect(file_server.url, bob.token)
    eve_socket = await RecordingClient().connect(file_server.url, eve.token)
    alice_socket = await RecordingClient().connect(file_server.url, alice.token)
    try:
        ack = await alice_socket.call("send", {**target, "file_ids": [file["id"]]})
        assert ack["ok"] is True, ack
        pushed = await bob_socket.wait_for("message", lambda data: data["id"] == ack["message"]["id"])
        assert pushed["files"][0]["id"] == file["id"]
        thumbnail = await http.get(pushed["files"][0]["thumbnail_url"])
        assert thumbnail.status_code == 200
        await asyncio.sleep(0.3)
        assert eve_socket.received("message") == []
        taken = await alice_socket.call("send", {**target, "file_ids": [file["id"]]})
        assert taken["ok"] is False and taken["status"] == 409
    finally:
        for socket in (alice_socket, bob_socket, eve_socket):
            await socket.disconnect()


async def test_a_reply_in_a_thread_carries_files(http: httpx.AsyncClient, make_user) -> None:
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, bob, members=[alice])
    chart = await uploaded(http, bob, png(), "chart.png")
    root = (
        await http.post(
            f"/api/rooms/{room['id']}/messages",
            headers=bob.headers,
            json={"content": "numbers?", "file_ids": [chart["id"]]},
        )
    ).json()
    notes = await uploaded(http, alice, b"the numbers", "numbers.txt")
    replied = await http.post(
        f"/api/rooms/{room['id']}/messages",
        headers=alice.headers,
        json={"thread_id": root["id"], "file_ids": [notes["id"]]},
    )
    assert replied.status_code == 201, replied.text
    reply = replied.json()
    assert reply["thread_id"] == root["id"]
    assert [file["name"] for file in reply["files"]] == ["numbers.txt"]

    history = (await http.get(f"/api/rooms/{room['id']}/messages", headers=bob.headers)).json()
    assert [message["id"] for message in history] == [root["id"]]
    assert history[0]["thread"]["reply_count"] == 1
    assert [file["name"] for file in history[0]["files"]] == ["chart.png"]
    thread = (await http.get(f"/api/messages/{root['id']}/thread", headers=bob.headers)).json()
    (listed,) = thread
    assert (await http.get(listed["files"][0]["url"])).content == b"the numbers"
    followed = (await http.get("/api/threads", headers=bob.headers)).json()
    assert [file["name"] for file in followed[0]["root"]["files"]] == ["chart.png"]

    assert (await http.delete(f"/api/messages/{reply['id']}", headers=alice.headers)).status_code == 204
    assert (await http.get(notes["url"])).status_code == 404
    assert (await http.get(chart["url"])).status_code == 200


async def test_a_search_result_carries_its_files(http: httpx.AsyncClient, make_user) -> None:
    alice, bob = await make_user(), await make_user()
    report = await uploaded(http, alice, b"quarterly figures", "report.txt")
    sent = await http.post(
        "/api/messages",
        headers=alice.headers,
        json={"recipient_id": bob.id, "content": "the quarterly report", "file_ids": [report["id"]]},
    )
    assert sent.status_code == 201, sent.text
    found = (await http.get("/api/search", headers=bob.headers, params={"q": "quarterly"})).json()
    (result,) = found["results"]
    assert (await http.get(result["message"]["files"][0]["url"])).content == b"quarterly figures"
