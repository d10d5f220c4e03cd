"""How the client prints things: one line per message, person or room, readable and grep-able."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any


def say(line: str = "") -> None:
    """A line of results on stdout, flushed so pipes and `tail` readers see it at once."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def note(line: str) -> None:
    """Progress and diagnostics on stderr, so stdout stays clean for scripts."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def print_json(value: Any) -> None:
    say(json.dumps(value, indent=2, ensure_ascii=False))


def local_time(iso_date: str) -> str:
    """The server's UTC timestamp in the local time zone, to the second."""
    try:
        moment = datetime.fromisoformat(iso_date.replace("Z", "+00:00"))
    except ValueError:
        return iso_date
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def message_line(message: dict[str, Any], room_names: dict[int, str] | None = None, *, changed: bool = False) -> str:
    """`2026-11-25 10:00:00 #12 alice -> bob: hi` for a DM, `... #14 [general] alice: hi` in a room.

    An edited message ends with `(edited)`, a deleted one reads `(deleted)`, attached files follow as
    `[files: a.png, notes.txt]`, reactions as `[👍 2, 🎉 1]`, a thread's root ends with `(3 replies)` and a
    reply names its thread (`bob in thread #12`); `changed` marks a line that reports a change to a message
    shown before.
    """
    author = message["author"]["nickname"]
    if message.get("room_id") is not None:
        room = (room_names or {}).get(message["room_id"], f"room {message['room_id']}")
        where = f"[{room}] {author}"
    else:
        recipient = message.get("recipient") or {}
        where = f"{author} -> {recipient.get('nickname', '?')}"
    if message.get("thread_id"):
        where += f" in thread #{message['thread_id']}"
    if message.get("deleted"):
        text = "(deleted)"
    else:
        text = message["content"] + (" (edited)" if message.get("edited_at") else "")
    files = message.get("files") or []
    if files:
        text = " ".join(part for part in (text, "[files: " + ", ".join(file["name"] for file in files) + "]") if part)
    reactions = message.get("reactions") or []
    if reactions:
        text += "  [" + ", ".join(f"{reaction['emoji']} {reaction['count']}" for reaction in reactions) + "]"
    thread = message.get("thread")
    if thread:
        replies = thread["reply_count"]
        text += f"  ({replies} {'reply' if replies == 1 else 'replies'})"
    marker = " changed" if changed else ""
    return f"{local_time(message['date'])} #{message['id']}{marker} {where}: {text}"


def marked(result: dict[str, Any], *, bold: bool) -> dict[str, Any]:
    """A search result's message, its matched words in ANSI bold when `bold` (a terminal), else as it is."""
    message = result["message"]
    if not bold:
        return message
    content = message["content"]
    pieces, position = [], 0
    for start, end in result["highlights"]:
        pieces += [content[position:start], "\033[1m", content[start:end], "\033[0m"]
        position = end
    return {**message, "content": "".join([*pieces, content[position:]])}


def person_line(person: dict[str, Any]) -> str:
    state = "online " if person.get("online") else "offline"
    unread = f"  {person['unread']} unread" if person.get("unread") else ""
    return f"{person['nickname']:<20} {state}  {person['name']}{unread}"


def room_line(room: dict[str, Any]) -> str:
    members = ", ".join(member["nickname"] for member in room["members"])
    unread = f", {room['unread']} unread" if room.get("unread") else ""
    if room.get("mentions_unread"):
        unread += f", {room['mentions_unread']} mentioning me"
    if room.get("notification_level", "all") != "all":
        unread += f", notifications: {room['notification_level']}"
    line = f"#{room['id']} {room['name']} ({members}{unread})"
    last = room.get("last_message")
    if last:
        line += f"  last: {last['author']['nickname']}: {last['content']}"
    return line


def session_line(session: dict[str, Any]) -> str:
    """`q3Zk8wYvJ2nT5bLx  Chrome on Windows  from 203.0.113.7  since ...  last used ...  (this one)`."""
    line = (
        f"{session['id']}  {session['device']}  from {session['client_address']}  "
        f"since {local_time(session['created_at'])}  last used {local_time(session['last_used_at'])}"
    )
    return line + "  (this one)" if session.get("current") else line
