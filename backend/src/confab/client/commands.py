"""The client subcommands of `confab`; each takes the parsed arguments and returns an exit code."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from pathlib import Path

from confab.client import credentials
from confab.client.api import Api, resolve_url
from confab.client.credentials import Login
from confab.client.errors import OK, NotLoggedIn, Unreachable, UsageError
from confab.client.output import (
    marked,
    message_line,
    note,
    person_line,
    print_json,
    room_line,
    say,
    session_line,
)


def read_password(arguments: argparse.Namespace) -> str:
    """`--password`, else one line of stdin with `--password-stdin`, else a prompt on the terminal."""
    if arguments.password is not None:
        return arguments.password
    if arguments.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UsageError("no password: give --password-stdin (or --password) when not on a terminal")
    return getpass.getpass(f"password for {arguments.nickname}: ")


def logged_in_api(arguments: argparse.Namespace) -> Api:
    """An API client carrying the token stored for this server, or `NotLoggedIn`."""
    url = resolve_url(arguments.url)
    return Api(url, token=stored_login(url).token)


def stored_login(url: str) -> Login:
    login = credentials.load(url)
    if login is None:
        raise NotLoggedIn(f"not logged in to {url}: run 'confab login <nickname>' first")
    return login


def _log_in_and_store(api: Api, nickname: str, password: str) -> dict:
    granted = api.log_in(nickname, password)
    user = granted["user"]
    path = credentials.save(
        api.url, Login(token=granted["access_token"], nickname=user["nickname"], user_id=user["id"])
    )
    note(f"token stored in {path}")
    return user


def sign_up(arguments: argparse.Namespace) -> int:
    """Create an account, then log in with it."""
    password = read_password(arguments)
    with Api(resolve_url(arguments.url)) as api:
        user = api.sign_up(arguments.name or arguments.nickname, arguments.email, arguments.nickname, password)
        say(f"signed up as {user['nickname']} (id {user['id']}) on {api.url}")
        _log_in_and_store(api, arguments.nickname, password)
    return OK


def log_in(arguments: argparse.Namespace) -> int:
    password = read_password(arguments)
    with Api(resolve_url(arguments.url)) as api:
        user = _log_in_and_store(api, arguments.nickname, password)
        say(f"logged in as {user['nickname']} (id {user['id']}) on {api.url}")
    return OK


def log_out(arguments: argparse.Namespace) -> int:
    """End this session on the server, then forget its token (even when the server cannot be told).

    `--others` ends every other session of the account and stays logged in; `--all` ends them and then
    this one. Both need the server: when it cannot be told, nothing is forgotten and the command fails.
    """
    url = resolve_url(arguments.url)
    if arguments.others or arguments.all:
        with logged_in_api(arguments) as api:
            api.log_out_elsewhere()
        say(f"ended every other session on {url}")
        if arguments.others:
            return OK
    login = credentials.load(url)
    if login is None:
        say(f"was not logged in to {url}")
        return OK
    try:
        with Api(url, token=login.token) as api:
            api.log_out()
    except (Unreachable, NotLoggedIn) as error:
        note(f"the server was not told ({error.message}); forgetting the token anyway")
    credentials.forget(url)
    say(f"logged out of {url}")
    return OK


def list_sessions(arguments: argparse.Namespace) -> int:
    """Every login of this account whose token still works; `(this one)` marks the stored token's."""
    with logged_in_api(arguments) as api:
        sessions = api.sessions()
    if arguments.json:
        print_json(sessions)
        return OK
    for session in sessions:
        say(session_line(session))
    return OK


def end_session(arguments: argparse.Namespace) -> int:
    with logged_in_api(arguments) as api:
        api.end_session(arguments.session_id)
    say(f"ended session {arguments.session_id}")
    return OK


def who_am_i(arguments: argparse.Namespace) -> int:
    with logged_in_api(arguments) as api:
        me = api.me()
        if arguments.json:
            print_json(me)
        else:
            say(f"{me['nickname']} ({me['name']}, {me['email']}, id {me['id']}) on {api.url}")
    return OK


def profile_lines(me: dict) -> list[str]:
    return [
        f"{me['nickname']} ({me['name']}, {me['email']}, id {me['id']})",
        f"status: {me['status'] or '(none)'}",
        f"avatar: {'yes' if me['avatar_url'] else 'none'}",
    ]


def profile(arguments: argparse.Namespace) -> int:
    """Show my profile, or change the name, status, email (asks for the password) or avatar first."""
    changes = {
        key: value
        for key, value in (("name", arguments.name), ("status", arguments.status), ("email", arguments.email))
        if value is not None
    }
    if arguments.avatar and arguments.no_avatar:
        raise UsageError("give --avatar or --no-avatar, not both")
    with logged_in_api(arguments) as api:
        if arguments.email is not None:
            arguments.nickname = stored_login(api.url).nickname
            changes["current_password"] = read_password(arguments)
        me = api.update_profile(changes) if changes else api.me()
        if arguments.avatar:
            me = api.set_avatar(api.upload(Path(arguments.avatar))["id"])
        elif arguments.no_avatar:
            api.remove_avatar()
            me = api.me()
        if arguments.json:
            print_json(me)
        else:
            for line in profile_lines(me):
                say(line)
    return OK


def close_account(arguments: argparse.Namespace) -> int:
    """Close the account for good (the password confirms it), then forget its token."""
    url = resolve_url(arguments.url)
    login = stored_login(url)
    arguments.nickname = login.nickname
    password = read_password(arguments)
    with Api(url, token=login.token) as api:
        api.close_account(password)
    credentials.forget(url)
    say(f'closed the account {login.nickname} on {url}; its messages stay, under "Deleted user"')
    return OK


def list_users(arguments: argparse.Namespace) -> int:
    """Everybody, or one page of a search (`--search`) or of my conversations (`--conversations`)."""
    with logged_in_api(arguments) as api:
        people, next_cursor = api.users(
            arguments.search, arguments.limit, arguments.cursor, conversations=arguments.conversations
        )
    if arguments.json:
        print_json(people)
    else:
        if not people and (arguments.search or arguments.conversations):
            note("nobody found")
        for person in people:
            say(person_line(person))
    if next_cursor:
        note(f"more: add --cursor {next_cursor}")
    return OK


def list_rooms(arguments: argparse.Namespace) -> int:
    with logged_in_api(arguments) as api:
        rooms = api.rooms()
    if arguments.json:
        print_json(rooms)
        return OK
    if not rooms:
        note("you are in no room yet")
    for room in rooms:
        say(room_line(room))
    return OK


def send(arguments: argparse.Namespace) -> int:
    """Send a DM (`--to nickname`) or post to a room (`--room name`), as a reply in a thread with `--thread`;
    `-` as the text reads stdin. Each `--file` is uploaded first, then attached to the message."""
    content = " ".join(arguments.content)
    if content == "-":
        content = sys.stdin.read().rstrip("\n")
    paths = [Path(path) for path in arguments.file]
    if not content and not paths:
        raise UsageError("give the text, or --file PATH, or both")
    for path in paths:
        if not path.is_file():
            raise UsageError(f"no file at {path}")
    with logged_in_api(arguments) as api:
        target = api.user_named(arguments.to) if arguments.to else None
        room = None if target else api.room_named(arguments.room)
        file_ids = []
        for path in paths:
            file_ids.append(api.upload(path)["id"])
            note(f"uploaded {path.name}")
        if target is not None:
            response = api.send_direct(target["id"], content or None, arguments.client_id, file_ids, arguments.thread)
            where = target["nickname"]
        else:
            assert room is not None
            response = api.send_to_room(room["id"], content or None, arguments.client_id, file_ids, arguments.thread)
            where = f"room {room['name']}"
    message = response.json()
    verb = "sent" if response.status_code == 201 else "already sent (same --client-id)"
    in_thread = f" in thread #{message['thread_id']}" if message.get("thread_id") else ""
    say(f"{verb} #{message['id']} to {where}{in_thread}")
    return OK


def edit(arguments: argparse.Namespace) -> int:
    """Replace the text of one of your messages; `-` as the text reads stdin."""
    content = " ".join(arguments.content)
    if content == "-":
        content = sys.stdin.read().rstrip("\n")
    with logged_in_api(arguments) as api:
        message = api.edit(arguments.id, content)
    say(f"edited #{message['id']}")
    return OK


def delete(arguments: argparse.Namespace) -> int:
    """Delete one of your messages (or, as a room's owner, one in your room); it stays as a tombstone."""
    with logged_in_api(arguments) as api:
        api.delete_message(arguments.id)
    say(f"deleted #{arguments.id}")
    return OK


def react(arguments: argparse.Namespace) -> int:
    """Put an emoji on a message, or take yours back with `--remove`; prints the message's reactions now."""
    with logged_in_api(arguments) as api:
        message = api.react(arguments.id, arguments.emoji, remove=arguments.remove)
    if arguments.json:
        print_json(message)
        return OK
    verb = "took back" if arguments.remove else "reacted"
    counts = ", ".join(f"{reaction['emoji']} {reaction['count']}" for reaction in message["reactions"]) or "none"
    say(f"{verb} {arguments.emoji} on #{message['id']}; reactions now: {counts}")
    return OK


def history(arguments: argparse.Namespace) -> int:
    """A page of messages, oldest first: all my DMs, the DMs with one person, one room's, or one thread's replies."""
    query = {"limit": arguments.limit, "before": arguments.before, "after": arguments.after}
    room_names: dict[int, str] = {}
    with logged_in_api(arguments) as api:
        if arguments.thread:
            messages = api.get(f"/api/messages/{arguments.thread}/thread", **query)
        elif arguments.room:
            room = api.room_named(arguments.room)
            room_names[room["id"]] = room["name"]
            messages = api.get(f"/api/rooms/{room['id']}/messages", **query)
        else:
            if arguments.peer:
                query["with"] = api.user_named(arguments.peer)["id"]
            messages = api.get("/api/messages", **query)
    if arguments.json:
        print_json(messages)
        return OK
    for message in messages:
        say(message_line(message, room_names))
    return OK


def search(arguments: argparse.Namespace) -> int:
    """One page of search results, newest first, as history lines; on a terminal the matched words are bold."""
    with logged_in_api(arguments) as api:
        page = api.get("/api/search", q=arguments.query, limit=arguments.limit, before=arguments.before)
        rooms = {room["id"]: room["name"] for room in api.rooms()} if not arguments.json else {}
    if arguments.json:
        print_json(page)
    else:
        if not page["results"]:
            note("nothing found")
        bold = sys.stdout.isatty()
        for result in page["results"]:
            say(message_line(marked(result, bold=bold), rooms))
    if page["next"] is not None:
        note(f"more: add --before {page['next']}")
    return OK


def mentions(arguments: argparse.Namespace) -> int:
    """The messages that mention me, newest first, a page at a time, as history lines."""
    with logged_in_api(arguments) as api:
        messages = api.get("/api/mentions", limit=arguments.limit, before=arguments.before)
        rooms = {room["id"]: room["name"] for room in api.rooms()} if messages and not arguments.json else {}
    if arguments.json:
        print_json(messages)
    else:
        if not messages:
            note("nobody mentioned you")
        for message in messages:
            say(message_line(message, rooms))
    if len(messages) == arguments.limit:
        note(f"more: add --before {messages[-1]['id']}")
    return OK


def tail(arguments: argparse.Namespace) -> int:
    """Print messages live until Ctrl-C, reconnecting and catching up after any interruption."""
    from confab.client.tail import follow

    url = resolve_url(arguments.url)
    login = stored_login(url)
    with Api(url, token=login.token) as api:
        return asyncio.run(follow(api, login.token, login.nickname, arguments.since))
