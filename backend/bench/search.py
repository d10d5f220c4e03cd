"""The `search` scenario: `GET /api/search` over a million messages, beside `LIKE '%word%'`, and what the
index costs a send.

Messages are written straight into a fresh SQLite file (the index triggers fire as for any insert):
a million sends through the API would take hours and measure nothing this scenario is about. 1,000
users (one of them the viewer, signed up through the API for a real token) are spread over 200 rooms
of about 50 members; 85% of the messages go to rooms, 15% are DMs. Words follow a Zipf distribution
over a vocabulary of common English words and a long tail of rarer made-up ones, as chat text does;
2% of messages carry a link and 0.5% the phrase "release notes". Every query is asked as the viewer,
one request at a time. The `LIKE '%word%'` baseline runs the same visibility rule and page in SQL
directly (no HTTP, so it is if anything flattered). The send cost is REST DMs from 8 senders on a
fresh database with the index, then on one whose triggers and FTS table were dropped.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import sqlite3
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp

from bench.directory import percentile, timed_gets
from bench.load import Timer
from bench.server import ServerProcess, backend_environment, fresh_sqlite_url, migrate

USERS = 1000
ROOMS = 200
ROOMS_PER_USER = 10
COMMON_WORDS = [
    "the",
    "to",
    "and",
    "a",
    "i",
    "you",
    "it",
    "is",
    "that",
    "of",
    "in",
    "for",
    "on",
    "we",
    "this",
    "be",
    "have",
    "are",
    "with",
    "just",
    "but",
    "so",
    "not",
    "can",
    "do",
    "was",
    "what",
    "at",
    "if",
    "all",
    "my",
    "me",
    "will",
    "get",
    "your",
    "about",
    "up",
    "like",
    "one",
    "out",
    "there",
    "know",
    "no",
    "they",
    "think",
    "time",
    "good",
    "now",
    "going",
    "would",
    "should",
    "today",
    "how",
    "go",
    "meeting",
    "deploy",
    "review",
    "build",
    "test",
    "release",
    "fix",
    "issue",
    "team",
    "work",
    "code",
    "yes",
    "ok",
    "thanks",
    "lunch",
    "tomorrow",
    "please",
    "check",
    "branch",
    "merge",
    "server",
    "update",
    "call",
    "morning",
    "week",
    "need",
    "back",
    "see",
    "also",
    "new",
    "more",
    "some",
    "when",
    "then",
    "here",
    "well",
    "still",
    "sure",
    "done",
    "really",
    "any",
    "could",
    "right",
]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "ta",
    "sel",
    "vor",
    "bin",
    "dex",
    "qua",
    "zen",
    "tor",
    "pli",
    "gar",
    "mun",
    "ost",
    "fey",
    "lud",
]
TAIL_WORDS = 20000
LINK_SHARE = 0.02
PHRASE_SHARE = 0.005
PHRASE = "release notes"


def vocabulary(seed: int = 3) -> list[str]:
    """Common words first, then made-up rarer words; rank order is frequency order."""
    chooser = random.Random(seed)
    tail: set[str] = set()
    while len(tail) < TAIL_WORDS:
        word = "".join(chooser.choice(SYLLABLES) for _ in range(chooser.randint(2, 4)))
        if word not in COMMON_WORDS:
            tail.add(word)
    return COMMON_WORDS + sorted(tail)


def zipf_weights(count: int, exponent: float = 1.07) -> list[float]:
    return list(itertools.accumulate(1 / (rank**exponent) for rank in range(1, count + 1)))


def seed(database: Path, viewer_id: int, messages: int, chooser: random.Random) -> dict[str, Any]:
    """Users, rooms, memberships and `messages` messages, in one transaction; returns what the queries need."""
    words = vocabulary()
    weights = zipf_weights(len(words))
    connection = sqlite3.connect(database)
    started = time.perf_counter()
    try:
        with connection:
            first_id = connection.execute("SELECT max(id) + 1 FROM users").fetchone()[0]
            user_ids = [viewer_id, *range(first_id, first_id + USERS - 1)]
            connection.executemany(
                "INSERT INTO users (id, name, email, nickname, password_hash, created_at, token_generation) "
                "VALUES (?, ?, ?, ?, 'not-a-hash', '2025-11-01 00:00:00.000000', 0)",
                ((uid, f"User {uid}", f"s{uid}@search.example", f"s{uid}") for uid in user_ids[1:]),
            )
            connection.executemany(
                "INSERT INTO rooms (id, name, owner_id, created_at) VALUES (?, ?, ?, '2025-11-01 00:00:00.000000')",
                ((room, f"room-{room}", user_ids[room % USERS]) for room in range(1, ROOMS + 1)),
            )
            members: dict[int, list[int]] = {room: [] for room in range(1, ROOMS + 1)}
            for uid in user_ids:
                for room in chooser.sample(range(1, ROOMS + 1), ROOMS_PER_USER):
                    members[room].append(uid)
            connection.executemany(
                "INSERT INTO room_members (room_id, user_id, joined_at, last_read_id) "
                "VALUES (?, ?, '2025-11-01 00:00:00.000000', 0)",
                ((room, uid) for room, uids in members.items() for uid in uids),
            )
            start_seconds = time.time() - 365 * 86400
            step = 365 * 86400 / messages

            def rows():
                for number in range(1, messages + 1):
                    text = chooser.choices(words, cum_weights=weights, k=chooser.randint(3, 18))
                    if chooser.random() < PHRASE_SHARE:
                        text.insert(chooser.randrange(len(text) + 1), PHRASE)
                    if chooser.random() < LINK_SHARE:
                        text.append(f"https://example.com/{chooser.choice(words)}")
                    content = " ".join(text).capitalize()
                    date = time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime(start_seconds + number * step))
                    if chooser.random() < 0.85:
                        room = chooser.randrange(1, ROOMS + 1)
                        yield (number, content, date, chooser.choice(members[room]), None, room)
                    else:
                        author, recipient = chooser.sample(user_ids, 2)
                        yield (number, content, date, author, recipient, None)

            connection.executemany(
                "INSERT INTO messages (id, content, created_at, author_id, recipient_id, room_id, seq, created_seq, "
                "deleted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?1, ?1, 0)",
                rows(),
            )
        connection.execute("ANALYZE")
        viewer_rooms = [room for room, uids in members.items() if viewer_id in uids]
        colleague = next(uid for uid in members[viewer_rooms[0]] if uid != viewer_id)
    finally:
        connection.close()
    return {
        "seed_seconds": round(time.perf_counter() - started, 1),
        "rare_word": words[len(words) - 50],
        "common_word": words[0],
        "two_words": f"{words[40]} {words[60]}",
        "from_word": words[45],
        "colleague": f"s{colleague}",
        "viewer_rooms": viewer_rooms,
        "database_mb": round(database.stat().st_size / 2**20, 1),
    }


def like_latencies(database: Path, viewer_id: int, word: str, repeats: int) -> dict[str, float]:
    """The first page of `LIKE '%word%'` over what the viewer may read, in SQL directly."""
    connection = sqlite3.connect(database)
    statement = (
        "SELECT id FROM messages WHERE deleted = 0 AND content LIKE ? AND (room_id IN (SELECT room_id FROM "
        "room_members WHERE user_id = ?) OR (room_id IS NULL AND (author_id = ? OR recipient_id = ?))) "
        "ORDER BY id DESC LIMIT 21"
    )
    latencies = []
    try:
        for _ in range(repeats):
            started = time.perf_counter()
            connection.execute(statement, (f"%{word}%", viewer_id, viewer_id, viewer_id)).fetchall()
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        connection.close()
    return {"p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99), "max": round(max(latencies), 2)}


async def sign_up(http: aiohttp.ClientSession, url: str, nickname: str) -> tuple[int, dict[str, str]]:
    body = {"name": nickname, "email": f"{nickname}@search.example", "nickname": nickname, "password": "search-bench"}
    async with http.post(url + "/api/users", json=body) as response:
        assert response.status == 201, await response.text()
        user_id = (await response.json())["id"]
    async with http.post(url + "/api/auth/token", json={"nickname": nickname, "password": "search-bench"}) as response:
        token = (await response.json())["access_token"]
    return user_id, {"Authorization": f"Bearer {token}"}


async def send_cost(workdir: Path, name: str, with_index: bool, sends: int, app: str, uvicorn_args: list[str]) -> float:
    """Server CPU milliseconds per REST DM, 8 senders, on a fresh database with or without the index."""
    database_url = fresh_sqlite_url(workdir, f"{name}.db")
    environment = backend_environment(database_url)
    migrate(database_url, environment)
    if not with_index:
        connection = sqlite3.connect(database_url.split("///", 1)[1])
        with connection:
            for trigger in ("message_search_insert", "message_search_delete", "message_search_update"):
                connection.execute(f"DROP TRIGGER {trigger}")
            connection.execute("DROP TABLE message_search")
        connection.close()
    server = await ServerProcess(app, environment, uvicorn_args).start("/db/alive")
    chooser = random.Random(5)
    words = vocabulary()
    weights = zipf_weights(len(words))
    try:
        async with aiohttp.ClientSession() as http:
            senders = [await sign_up(http, server.url, f"{name}{index}") for index in range(9)]

            async def sender(index: int, count: int) -> None:
                _, headers = senders[index]
                recipient_id = senders[8][0]
                for _ in range(count):
                    content = " ".join(chooser.choices(words, cum_weights=weights, k=chooser.randint(3, 18)))
                    body = {"recipient_id": recipient_id, "content": content}
                    async with http.post(server.url + "/api/messages", json=body, headers=headers) as response:
                        assert response.status == 201, await response.text()

            await asyncio.gather(*(sender(index, sends // 20) for index in range(8)))  # warm up
            timer = Timer(server.pid)
            await asyncio.gather(*(sender(index, sends // 8) for index in range(8)))
            return timer.report(sends // 8 * 8)["server_cpu_ms_per_message"]
    finally:
        server.stop()


async def run_search(
    workdir: Path, messages: int, requests: int, like_repeats: int, sends: int, app: str, uvicorn_args: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Seed, serve and measure; returns the scenario's parameters and figures."""
    database_url = fresh_sqlite_url(workdir, "search.db")
    database = Path(database_url.split("///", 1)[1])
    environment = backend_environment(database_url)
    migrate(database_url, environment)
    server = await ServerProcess(app, environment, uvicorn_args).start("/db/alive")
    try:
        async with aiohttp.ClientSession() as http:
            viewer_id, headers = await sign_up(http, server.url, "search-viewer")
            facts = seed(database, viewer_id, messages, random.Random(13))
            queries = {
                "rare_word": facts["rare_word"],
                "common_word": facts["common_word"],
                "phrase": f'"{PHRASE}"',
                "from_and_word": f"from:{facts['colleague']} {facts['from_word']}",
                "two_words": facts["two_words"],
            }
            figures: dict[str, Any] = {"queries": queries}
            for label, query in queries.items():
                path = f"/api/search?q={quote(query, safe='')}&limit=20"
                await timed_gets(http, server.url, headers, [path] * max(1, requests // 10), server.pid)  # warm up
                figures[label] = await timed_gets(http, server.url, headers, [path] * requests, server.pid)
    finally:
        server.stop()
    for label in ("rare_word", "common_word"):
        like = like_latencies(database, viewer_id, queries[label], like_repeats)
        figures[f"like_{label}_ms"] = like
        figures[f"like_over_index_p50_{label}"] = round(like["p50"] / figures[label]["latency_ms"]["p50"], 1)
    with_index = await send_cost(workdir, "sendidx", True, sends, app, uvicorn_args)
    without_index = await send_cost(workdir, "sendplain", False, sends, app, uvicorn_args)
    figures["send_cpu_ms_per_message"] = {"with_index": with_index, "without_index": without_index}
    figures["send_cpu_with_over_without"] = round(with_index / without_index, 3) if without_index else None
    figures["seed_seconds"] = facts["seed_seconds"]
    figures["database_mb"] = facts["database_mb"]
    parameters = {
        "messages": messages,
        "users": USERS,
        "rooms": ROOMS,
        "viewer_rooms": len(facts["viewer_rooms"]),
        "requests_per_query": requests,
        "page": 20,
        "database": "sqlite",
        "sends": sends,
    }
    return parameters, figures
