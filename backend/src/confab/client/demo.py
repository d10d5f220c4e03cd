"""`confab demo`: the tutorial's alice, bob and charlie, their messages and a room, through the public API.

Safe to run again: it logs in first and signs up only who cannot (sign-ups are rate limited per
address, logins much less), every demo message has a fixed `client_id` so the server returns the
original instead of storing a copy, and the room "general" is reused when alice already has one.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import UTC, datetime

from confab.client.api import Api, resolve_url
from confab.client.errors import OK, ClientError, ServerRefused, Unreachable
from confab.client.output import say


@dataclass(frozen=True)
class DemoUser:
    nickname: str
    name: str
    password: str

    @property
    def email(self) -> str:
        return f"{self.nickname}@example.com"


ALICE = DemoUser("alice", "Alice", "wonderland")
BOB = DemoUser("bob", "Bob", "bob-the-builder")
CHARLIE = DemoUser("charlie", "Charlie", "chocolate-factory")
DEMO_USERS = (ALICE, BOB, CHARLIE)

# (client_id, author, recipient, content): the tutorial's `create-messages`.
DIRECT_MESSAGES = (
    ("demo-dm-1", ALICE, BOB, "trois petits chats"),
    ("demo-dm-2", BOB, ALICE, "chapeau de paille"),
    ("demo-dm-3", BOB, CHARLIE, "not visible by 1"),
)
ROOM_NAME = "general"
ROOM_MESSAGES = (
    ("demo-room-1", ALICE, "Welcome to #general, everybody!"),
    ("demo-room-2", BOB, "Hi all. Anyone tried confab tail yet?"),
    ("demo-room-3", CHARLIE, "Yes: run just demo-message and watch alice's window."),
)


def _reachable_api(arguments: argparse.Namespace) -> Api:
    url = resolve_url(arguments.url)
    api = Api(url)
    try:
        api.version()
    except Unreachable as error:
        api.close()
        raise Unreachable(
            f"no confab server answers at {url}: start one with 'just dev' (or give --url / CONFAB_URL)"
        ) from error
    return api


def _log_in_or_sign_up(url: str, user: DemoUser, existed: list[str], created: list[str]) -> Api:
    """A client logged in as `user`, who is signed up first when the login is refused."""
    api = Api(url)
    try:
        api.log_in(user.nickname, user.password)
    except ServerRefused as error:
        if error.status_code != 401:
            api.close()
            raise
    else:
        existed.append(f"user {user.nickname}")
        return api
    try:
        api.sign_up(user.name, user.email, user.nickname, user.password)
    except ServerRefused as error:
        api.close()
        if error.status_code == 409:
            raise ClientError(
                f"a user {user.nickname!r} exists on {url} with another password: the demo cannot use it"
            ) from error
        raise
    created.append(f"user {user.nickname}")
    api.log_in(user.nickname, user.password)
    return api


def _log_in(url: str, user: DemoUser, when_refused: str) -> Api:
    """A client logged in as a demo user; a refused login becomes `when_refused`."""
    api = Api(url)
    try:
        api.log_in(user.nickname, user.password)
    except ServerRefused as error:
        api.close()
        if error.status_code == 401:
            raise ClientError(when_refused) from error
        raise
    return api


def fill(arguments: argparse.Namespace) -> int:
    """Create whatever part of the demo data is missing and say what already existed."""
    created: list[str] = []
    existed: list[str] = []
    with _reachable_api(arguments) as api:
        url = api.url
    sessions: dict[str, Api] = {}
    try:
        for user in DEMO_USERS:
            sessions[user.nickname] = _log_in_or_sign_up(url, user, existed, created)
        ids = {nickname: session.me()["id"] for nickname, session in sessions.items()}
        for client_id, author, recipient, content in DIRECT_MESSAGES:
            response = sessions[author.nickname].send_direct(ids[recipient.nickname], content, client_id)
            label = f"message {author.nickname} -> {recipient.nickname} {content!r}"
            (created if response.status_code == 201 else existed).append(label)

        alice = sessions[ALICE.nickname]
        room = next((room for room in alice.rooms() if room["name"] == ROOM_NAME), None)
        if room is None:
            room = alice.create_room(ROOM_NAME, [ids[BOB.nickname], ids[CHARLIE.nickname]])
            created.append(f"room {ROOM_NAME} with alice, bob and charlie")
        else:
            existed.append(f"room {ROOM_NAME}")
            members = {member["id"] for member in room["members"]}
            for user in (BOB, CHARLIE):
                if ids[user.nickname] not in members:
                    alice.add_member(room["id"], ids[user.nickname])
                    created.append(f"{user.nickname} in room {ROOM_NAME}")
        for client_id, author, content in ROOM_MESSAGES:
            response = sessions[author.nickname].send_to_room(room["id"], content, client_id)
            label = f"message in {ROOM_NAME} from {author.nickname} {content!r}"
            (created if response.status_code == 201 else existed).append(label)
    finally:
        for session in sessions.values():
            session.close()

    _report(url, created, existed)
    return OK


def _report(url: str, created: list[str], existed: list[str]) -> None:
    for item in created:
        say(f"created: {item}")
    for item in existed:
        say(f"already exists: {item}")
    if not created:
        say("Nothing to do: the demo data was already there.")
    say("")
    say(f"Demo accounts on {url} (nickname / password):")
    for user in DEMO_USERS:
        say(f"  {user.nickname:<8} {user.password}")
    say("Next: log in as alice in one browser window and bob in another (the web app of 'just dev',")
    say("http://127.0.0.1:5173), or watch alice's messages in a terminal:")
    say("  just confab login alice && just confab tail")
    say("then 'just demo-message' makes charlie write to alice: watch it arrive.")


def send_message(arguments: argparse.Namespace) -> int:
    """One new message from charlie to alice, different every time (the tutorial's `message-to-alice`)."""
    with _reachable_api(arguments) as api:
        url = api.url
    charlie = _log_in(url, CHARLIE, f"charlie cannot log in on {url}: run 'just demo' first")
    with charlie:
        alice = charlie.user_named(ALICE.nickname)
        content = " ".join(arguments.content) or f"Hello alice, it is {datetime.now(UTC):%H:%M:%S} UTC"
        message = charlie.send_direct(alice["id"], content).json()
    say(f"charlie -> alice #{message['id']}: {message['content']}")
    return OK
