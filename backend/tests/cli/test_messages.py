"""`confab send/history/users/rooms` against a live server, checked through the API as well."""

from __future__ import annotations

import json

from tests.support.accounts import unique_nickname
from tests.support.rooms import create_room


async def test_send_a_direct_message_by_nickname_and_read_it_back(confab, log_in_as, make_user, server, http):
    alice, bob = await make_user(), await make_user()
    await log_in_as(alice)

    sent = await confab("send", "--url", server.url, "--to", bob.nickname, "trois", "petits", "chats")
    assert sent.exit_code == 0, sent.stderr
    assert sent.stdout.startswith("sent #")
    bobs = (await http.get("/api/messages", headers=bob.headers, params={"with": alice.id})).json()
    assert [message["content"] for message in bobs] == ["trois petits chats"]

    history = await confab("history", "--url", server.url, "--with", bob.nickname)
    assert history.exit_code == 0, history.stderr
    assert history.lines[-1].endswith(f"{alice.nickname} -> {bob.nickname}: trois petits chats")
    assert f"#{bobs[0]['id']} " in history.lines[-1]

    as_json = await confab("history", "--url", server.url, "--with", bob.nickname, "--json", "--limit", "1")
    assert json.loads(as_json.stdout) == bobs


async def test_a_repeated_client_id_is_sent_once(confab, log_in_as, make_user, server, http):
    alice, bob = await make_user(), await make_user()
    await log_in_as(alice)
    first = await confab("send", "--url", server.url, "--to", bob.nickname, "--client-id", "cli-test-once", "hello")
    again = await confab("send", "--url", server.url, "--to", bob.nickname, "--client-id", "cli-test-once", "hello")
    assert first.stdout.startswith("sent #")
    assert again.stdout.startswith("already sent")
    assert len((await http.get("/api/messages", headers=bob.headers)).json()) == 1


async def test_users_lists_people_with_presence_and_unread(confab, log_in_as, make_user, server, http):
    alice, bob = await make_user(), await make_user()
    await http.post("/api/messages", headers=bob.headers, json={"recipient_id": alice.id, "content": "unread one"})
    await log_in_as(alice)
    users = await confab("users", "--url", server.url)
    assert users.exit_code == 0, users.stderr
    bob_line = next(line for line in users.lines if line.startswith(bob.nickname))
    assert "1 unread" in bob_line
    listed = json.loads((await confab("users", "--url", server.url, "--json")).stdout)
    assert {person["nickname"] for person in listed} >= {alice.nickname, bob.nickname}


async def test_users_search_pages_and_conversations(confab, log_in_as, make_user, server, http):
    tag = "cliz" + unique_nickname("")[:8].translate(str.maketrans("0123456789abcdef", "ghijklmnopqrstvw"))
    first, second = await make_user(nickname=tag + "a"), await make_user(name=f"Zoé {tag.capitalize()}")
    await http.post("/api/messages", headers=second.headers, json={"recipient_id": first.id, "content": "hi"})
    await log_in_as(first)
    found = await confab("users", "--url", server.url, "--search", tag.upper())
    assert found.exit_code == 0, found.stderr
    assert [line.split()[0] for line in found.lines] == [first.nickname, second.nickname]
    page = await confab("users", "--url", server.url, "--search", tag, "--limit", "1")
    assert [line.split()[0] for line in page.lines] == [first.nickname]
    cursor = page.stderr.split("--cursor ", 1)[1].strip()
    rest = await confab("users", "--url", server.url, "--search", tag, "--limit", "1", "--cursor", cursor)
    assert [line.split()[0] for line in rest.lines] == [second.nickname]
    assert "more:" not in rest.stderr
    mine = await confab("users", "--url", server.url, "--conversations", "--json")
    assert [person["nickname"] for person in json.loads(mine.stdout)] == [second.nickname]
    nobody = await confab("users", "--url", server.url, "--search", tag + "nobody")
    assert nobody.exit_code == 0 and nobody.lines == [] and "nobody found" in nobody.stderr
    refused = await confab("users", "--url", server.url, "--search", tag, "--limit", "0")
    assert refused.exit_code == 1 and "limit" in refused.stderr


async def test_rooms_post_and_history_by_room_name(confab, log_in_as, make_user, server, http):
    alice, bob = await make_user(), await make_user()
    room_name = f"room-{alice.nickname}"
    room = await create_room(http, bob, name=room_name, members=[alice])
    await log_in_as(alice)

    posted = await confab("send", "--url", server.url, "--room", room_name, "hello", "room")
    assert posted.exit_code == 0, posted.stderr
    rooms = await confab("rooms", "--url", server.url)
    line = next(line for line in rooms.lines if line.startswith(f"#{room['id']} {room_name} ("))
    assert bob.nickname in line
    assert line.endswith(f"last: {alice.nickname}: hello room")

    history = await confab("history", "--url", server.url, "--room", room_name)
    assert history.lines[-1].endswith(f"[{room_name}] {alice.nickname}: hello room")
    by_id = await confab("history", "--url", server.url, "--room", str(room["id"]), "--json")
    assert [message["content"] for message in json.loads(by_id.stdout)] == ["hello room"]


async def test_unknown_people_and_rooms_and_refused_sends_exit_1_with_one_line(confab, log_in_as, make_user, server):
    alice, carol = await make_user(), await make_user()
    await log_in_as(alice)
    nobody = await confab("send", "--url", server.url, "--to", "nobody-at-all", "hi")
    assert (nobody.exit_code, nobody.stderr) == (1, "confab: no user with nickname 'nobody-at-all'\n")
    no_room = await confab("history", "--url", server.url, "--room", "not-a-room-of-mine")
    assert no_room.exit_code == 1
    assert no_room.stderr == "confab: you are not in a room named 'not-a-room-of-mine'\n"
    blank = await confab("send", "--url", server.url, "--to", carol.nickname, "   ")
    assert blank.exit_code == 1
    assert blank.stderr.startswith("confab: content:")
    assert len(blank.stderr.splitlines()) == 1


async def test_a_room_name_shared_by_two_rooms_is_refused_with_their_ids(confab, log_in_as, make_user, server, http):
    alice = await make_user()
    first = await create_room(http, alice, name="twins")
    second = await create_room(http, alice, name="twins")
    await log_in_as(alice)
    ambiguous = await confab("send", "--url", server.url, "--room", "twins", "which one?")
    assert ambiguous.exit_code == 1
    assert ambiguous.stderr.startswith("confab: you are in several rooms named 'twins' (ids ")
    assert ambiguous.stderr.endswith("): give the id instead\n")
    assert f"{first['id']}, {second['id']}" in ambiguous.stderr or f"{second['id']}, {first['id']}" in ambiguous.stderr
    by_id = await confab("send", "--url", server.url, "--room", str(second["id"]), "this one")
    assert by_id.exit_code == 0, by_id.stderr


async def test_reply_in_a_thread_and_read_the_thread(confab, log_in_as, make_user, server, http):
    alice, bob = await make_user(), await make_user()
    room_name = f"room-{alice.nickname}"
    room = await create_room(http, bob, name=room_name, members=[alice])
    root = (
        await http.post(f"/api/rooms/{room['id']}/messages", headers=bob.headers, json={"content": "lunch?"})
    ).json()
    await log_in_as(alice)

    replied = await confab("send", "--url", server.url, "--room", room_name, "--thread", str(root["id"]), "yes")
    assert replied.exit_code == 0, replied.stderr
    assert replied.stdout.strip().endswith(f"to room {room_name} in thread #{root['id']}")

    room_history = await confab("history", "--url", server.url, "--room", room_name)
    assert room_history.lines == [room_history.lines[0]]
    assert room_history.lines[0].endswith(f"[{room_name}] {bob.nickname}: lunch?  (1 reply)")
    thread = await confab("history", "--url", server.url, "--thread", str(root["id"]))
    assert thread.exit_code == 0, thread.stderr
    assert thread.lines[-1].endswith(f"[room {room['id']}] {alice.nickname} in thread #{root['id']}: yes")
    as_json = await confab("history", "--url", server.url, "--thread", str(root["id"]), "--json")
    assert [message["content"] for message in json.loads(as_json.stdout)] == ["yes"]

    elsewhere = await confab("send", "--url", server.url, "--to", bob.nickname, "--thread", str(root["id"]), "no")
    assert elsewhere.exit_code == 1
    assert "thread_id: that message is in another conversation" in elsewhere.stderr


async def test_send_attaches_files(confab, log_in_as, make_user, server, http, tmp_path):
    alice, bob = await make_user(), await make_user()
    await log_in_as(alice)
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"line one\nline two\n")
    sent = await confab("send", "--url", server.url, "--to", bob.nickname, "--file", str(notes), "see", "attached")
    assert sent.exit_code == 0, sent.stderr
    assert "uploaded notes.txt" in sent.stderr
    only_file = await confab("send", "--url", server.url, "--to", bob.nickname, "--file", str(notes))
    assert only_file.exit_code == 0, only_file.stderr
    received = (await http.get("/api/messages", headers=bob.headers)).json()
    assert [(message["content"], [file["name"] for file in message["files"]]) for message in received] == [
        ("see attached", ["notes.txt"]),
        ("", ["notes.txt"]),
    ]
    assert (await http.get(received[0]["files"][0]["url"])).content == b"line one\nline two\n"
    history = await confab("history", "--url", server.url, "--with", bob.nickname)
    assert history.lines[-2].endswith(": see attached [files: notes.txt]")
    assert history.lines[-1].endswith(": [files: notes.txt]")

    missing = await confab("send", "--url", server.url, "--to", bob.nickname, "--file", str(tmp_path / "nope"))
    assert missing.exit_code == 2
    nothing = await confab("send", "--url", server.url, "--to", bob.nickname)
    assert nothing.exit_code == 2


async def test_reply_in_a_thread_with_a_file(confab, log_in_as, make_user, server, http, tmp_path):
    alice, bob = await make_user(), await make_user()
    root = (
        await http.post("/api/messages", headers=bob.headers, json={"recipient_id": alice.id, "content": "agenda?"})
    ).json()
    await log_in_as(alice)
    agenda = tmp_path / "agenda.txt"
    agenda.write_bytes(b"1. lunch\n")
    replied = await confab(
        "send", "--url", server.url, "--to", bob.nickname, "--thread", str(root["id"]), "--file", str(agenda), "here"
    )
    assert replied.exit_code == 0, replied.stderr
    assert replied.stdout.strip().endswith(f"in thread #{root['id']}")
    thread = await confab("history", "--url", server.url, "--thread", str(root["id"]))
    assert thread.lines[-1].endswith(f"-> {bob.nickname} in thread #{root['id']}: here [files: agenda.txt]")
