"""The `search` scenario: `GET /api/search` over a million messages, beside `LIKE '%word%'`, and what the
index costs a send.

Messages are written straight into a fresh database, a SQLite file or, with `--search-postgres-url`,
a PostgreSQL database (the index is maintained as for any insert):
a million sends through the API would take hours and measure nothing this scenario is about. 1,000
users (one of them the viewer, signed up through the API for a real token) are spread over 200 rooms
of about 50 members; 85% of the messages go to rooms, 15% are DMs. Words follow a Zipf distribution
over a vocabulary of common English words and a long tail of rarer made-up ones, as chat text does;
2% of messages carry a link and 0.5% the phrase "release notes". Every query is asked as the viewer,
one request at a time. The `LIKE '%word%'` baseline runs the same visibility rule and page in SQL
directly (no HTTP, so it is if anything flattered). The send cost is REST DMs from 8 senders on a
fresh database with the index, then on one whose triggers and FTS table were dropped.

Seeding a million messages takes 10 to 20 minutes; with `--search-keep DIR` the seeded database (a
file in DIR, or a PostgreSQL database named after the message count) and what the queries need to know
about it are kept, and a later run with the same DIR and count measures on it again after applying any
newer migration (the queries only read).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

import aiohttp
import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from bench.directory import percentile, timed_gets
from bench.load import Timer
from bench.server import ServerProcess, backend_environment, fresh_sqlite_url, migrate
from confab.domain.search.query import parse
from confab.domain.search.service import SearchService

if TYPE_CHECKING:
    from confab.domain.files.links import FileLinks

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


@dataclass
class Corpus:
    """The seeded rows (users after the viewer, rooms, memberships; messages as a generator) and what the
    queries need to know about them."""

    users: list[tuple[Any, ...]]
    rooms: list[tuple[Any, ...]]
    members: list[tuple[Any, ...]]
    messages: Iterator[tuple[Any, ...]]
    facts: dict[str, Any]


def corpus(viewer_id: int, first_id: int, messages: int, chooser: random.Random) -> Corpus:
    words = vocabulary()
    weights = zipf_weights(len(words))
    epoch = datetime(2025, 11, 1, tzinfo=UTC)
    user_ids = [viewer_id, *range(first_id, first_id + USERS - 1)]
    users = [(uid, f"User {uid}", f"s{uid}@search.example", f"s{uid}", "not-a-hash", epoch, 0) for uid in user_ids[1:]]
    rooms = [(room, f"room-{room}", user_ids[room % USERS], epoch) for room in range(1, ROOMS + 1)]
    members_of: dict[int, list[int]] = {room: [] for room in range(1, ROOMS + 1)}
    for uid in user_ids:
        for room in chooser.sample(range(1, ROOMS + 1), ROOMS_PER_USER):
            members_of[room].append(uid)
    members = [(room, uid, epoch, 0) for room, uids in members_of.items() for uid in uids]
    step = timedelta(days=365) / messages

    def rows() -> Iterator[tuple[Any, ...]]:
        for number in range(1, messages + 1):
            text = chooser.choices(words, cum_weights=weights, k=chooser.randint(3, 18))
            if chooser.random() < PHRASE_SHARE:
                text.insert(chooser.randrange(len(text) + 1), PHRASE)
            if chooser.random() < LINK_SHARE:
                text.append(f"https://example.com/{chooser.choice(words)}")
            content = " ".join(text).capitalize()
            date = epoch + number * step
            if chooser.random() < 0.85:
                room = chooser.randrange(1, ROOMS + 1)
                yield (number, content, date, chooser.choice(members_of[room]), None, room, number, number, False)
            else:
                author, recipient = chooser.sample(user_ids, 2)
                yield (number, content, date, author, recipient, None, number, number, False)

    viewer_rooms = [room for room, uids in members_of.items() if viewer_id in uids]
    colleague = next(uid for uid in members_of[viewer_rooms[0]] if uid != viewer_id)
    facts = {
        "rare_word": words[len(words) - 50],
        "common_word": words[0],
        "two_words": f"{words[40]} {words[60]}",
        "from_word": words[45],
        "colleague": f"s{colleague}",
        "viewer_rooms": viewer_rooms,
    }
    return Corpus(users, rooms, members, rows(), facts)


USER_COLUMNS = ("id", "name", "email", "nickname", "password_hash", "created_at", "token_generation")
ROOM_COLUMNS = ("id", "name", "owner_id", "created_at")
MEMBER_COLUMNS = ("room_id", "user_id", "joined_at", "last_read_id")
MESSAGE_COLUMNS = (
    "id",
    "content",
    "created_at",
    "author_id",
    "recipient_id",
    "room_id",
    "seq",
    "created_seq",
    "deleted",
)
LIKE_PAGE = (
    "SELECT id FROM messages WHERE NOT deleted AND content LIKE {word} AND (room_id IN (SELECT room_id FROM "
    "room_members WHERE user_id = {viewer}) OR (room_id IS NULL AND (author_id = {viewer} OR recipient_id = "
    "{viewer}))) ORDER BY id DESC LIMIT 21"
)


def _sqlite_value(value: Any) -> Any:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value


def seed_sqlite(database: Path, viewer_id: int, messages: int, chooser: random.Random) -> dict[str, Any]:
    """Everything in one transaction (the FTS triggers fire per message); returns the corpus's facts."""
    started = time.perf_counter()
    connection = sqlite3.connect(database)
    try:
        with connection:
            first_id = connection.execute("SELECT max(id) + 1 FROM users").fetchone()[0]
            seeded = corpus(viewer_id, first_id, messages, chooser)
            for table, columns, rows in (
                ("users", USER_COLUMNS, seeded.users),
                ("rooms", ROOM_COLUMNS, seeded.rooms),
                ("room_members", MEMBER_COLUMNS, seeded.members),
                ("messages", MESSAGE_COLUMNS, seeded.messages),
            ):
                marks = ", ".join("?" for _ in columns)
                connection.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608 (our own names)
                    (tuple(_sqlite_value(value) for value in row) for row in rows),
                )
        connection.execute("ANALYZE")
    finally:
        connection.close()
    return {
        **seeded.facts,
        "seed_seconds": round(time.perf_counter() - started, 1),
        "database_mb": round(database.stat().st_size / 2**20, 1),
    }


async def seed_postgres(dsn: str, viewer_id: int, messages: int, chooser: random.Random) -> dict[str, Any]:
    """COPY in batches (the generated tsvector and its GIN index are maintained as for any insert)."""
    started = time.perf_counter()
    connection = await asyncpg.connect(dsn)
    try:
        first_id = await connection.fetchval("SELECT max(id) + 1 FROM users")
        seeded = corpus(viewer_id, first_id, messages, chooser)
        await connection.copy_records_to_table("users", records=seeded.users, columns=USER_COLUMNS)
        await connection.copy_records_to_table("rooms", records=seeded.rooms, columns=ROOM_COLUMNS)
        await connection.copy_records_to_table("room_members", records=seeded.members, columns=MEMBER_COLUMNS)
        while batch := list(itertools.islice(seeded.messages, 50000)):
            await connection.copy_records_to_table("messages", records=batch, columns=MESSAGE_COLUMNS)
        for table in ("users", "rooms", "messages"):  # the ids were given explicitly: move the identities past them
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"  # noqa: S608
            )
        await connection.execute("ANALYZE")
        size = await connection.fetchval("SELECT pg_database_size(current_database())")
    finally:
        await connection.close()
    return {
        **seeded.facts,
        "seed_seconds": round(time.perf_counter() - started, 1),
        "database_mb": round(size / 2**20, 1),
    }


def _summary(latencies: list[float]) -> dict[str, float]:
    return {"p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99), "max": round(max(latencies), 2)}


def sql_latencies_sqlite(database: Path, statement: str, parameters: tuple[Any, ...], repeats: int) -> dict[str, float]:
    """`statement` run `repeats` times in SQL directly (no HTTP, no ORM)."""
    connection = sqlite3.connect(database)
    latencies = []
    try:
        for _ in range(repeats):
            started = time.perf_counter()
            connection.execute(statement, parameters).fetchall()
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        connection.close()
    return _summary(latencies)


async def sql_latencies_postgres(
    dsn: str, statement: str, parameters: tuple[Any, ...], repeats: int
) -> dict[str, float]:
    connection = await asyncpg.connect(dsn)
    latencies = []
    try:
        for _ in range(repeats):
            started = time.perf_counter()
            await connection.fetch(statement, *parameters)
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        await connection.close()
    return _summary(latencies)


async def index_statement(database_url: str, viewer_id: int, query: str) -> str:
    """The statement `GET /api/search` runs to find a first page of `query`'s matches, as SQL text, so that it
    can be timed beside `LIKE` in the same way (the rest of a request is the same whichever finds the ids)."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with AsyncSession(engine) as session:
            statement = await SearchService(session, cast("FileLinks", None)).matching_ids(
                viewer_id, parse(query), before=None
            )
        return str(statement.limit(21).compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    finally:
        await engine.dispose()


async def sign_up(http: aiohttp.ClientSession, url: str, nickname: str) -> tuple[int, dict[str, str]]:
    body = {"name": nickname, "email": f"{nickname}@search.example", "nickname": nickname, "password": "search-bench"}
    async with http.post(url + "/api/users", json=body) as response:
        assert response.status == 201, await response.text()
        user_id = (await response.json())["id"]
    return user_id, await log_in(http, url, nickname)


async def log_in(http: aiohttp.ClientSession, url: str, nickname: str) -> dict[str, str]:
    async with http.post(url + "/api/auth/token", json={"nickname": nickname, "password": "search-bench"}) as response:
        assert response.status == 200, await response.text()
        token = (await response.json())["access_token"]
    return {"Authorization": f"Bearer {token}"}


class BenchDatabase:
    """A fresh database for one measurement: a SQLite file in `workdir`, or a PostgreSQL database created
    on `postgres_url`'s server (dropped by `drop`). With `keep`, a seeded database named `kept_name`
    that outlives the run: in the `keep` folder, or on the PostgreSQL server, with its facts beside it."""

    def __init__(
        self,
        workdir: Path,
        name: str,
        postgres_url: str | None,
        keep: Path | None = None,
        kept_name: str | None = None,
    ) -> None:
        self.postgres = postgres_url is not None
        self.facts_path = keep / f"{kept_name}-{'postgresql' if self.postgres else 'sqlite'}.json" if keep else None
        if postgres_url is None:
            self.url = fresh_sqlite_url(keep or workdir, f"{kept_name if keep else name}.db")
            self.path = Path(self.url.split("///", 1)[1])
        else:
            server = make_url(postgres_url)
            self.admin_dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
            self.name = f"confab_bench_{kept_name}" if keep else f"confab_bench_{name}_{uuid.uuid4().hex[:8]}"
            self.url = server.set(database=self.name).render_as_string(hide_password=False)
            self.dsn = make_url(self.url).set(drivername="postgresql").render_as_string(hide_password=False)

    def kept_facts(self) -> dict[str, Any] | None:
        """The facts of a kept database seeded by an earlier run (None: it must be seeded)."""
        if self.facts_path is None or not self.facts_path.exists():
            return None
        return json.loads(self.facts_path.read_text())

    def keep_facts(self, facts: dict[str, Any]) -> None:
        if self.facts_path is not None:
            self.facts_path.write_text(json.dumps(facts))

    async def create(self) -> None:
        if self.facts_path is not None:
            if self.kept_facts() is not None:
                return
            await self.drop(kept_too=True)  # a seeding that did not finish
        if self.postgres:
            await self._admin(f'CREATE DATABASE "{self.name}"')

    async def drop(self, *, kept_too: bool = False) -> None:
        if self.facts_path is not None and not kept_too:
            return
        if self.postgres:
            await self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        elif self.facts_path is not None:
            self.path.unlink(missing_ok=True)

    async def _admin(self, statement: str) -> None:
        connection = await asyncpg.connect(self.admin_dsn)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    async def drop_search_index(self) -> None:
        """What the schema was before migration 0007, for the send-cost baseline."""
        if self.postgres:
            connection = await asyncpg.connect(self.dsn)
            try:
                await connection.execute("DROP INDEX ix_messages_search_vector")
                await connection.execute("ALTER TABLE messages DROP COLUMN search_vector")
            finally:
                await connection.close()
            return
        connection = sqlite3.connect(self.path)
        with connection:
            for trigger in ("message_search_insert", "message_search_delete", "message_search_update"):
                connection.execute(f"DROP TRIGGER {trigger}")
            connection.execute("DROP TABLE message_search")
        connection.close()

    async def seed(self, viewer_id: int, messages: int, chooser: random.Random) -> dict[str, Any]:
        if self.postgres:
            return await seed_postgres(self.dsn, viewer_id, messages, chooser)
        return seed_sqlite(self.path, viewer_id, messages, chooser)

    async def like(self, viewer_id: int, word: str, repeats: int) -> dict[str, float]:
        """The first page of `LIKE '%word%'` over what the viewer may read, in SQL directly."""
        if self.postgres:
            statement = LIKE_PAGE.format(word="$1", viewer="$2")
            return await sql_latencies_postgres(self.dsn, statement, (f"%{word}%", viewer_id), repeats)
        statement = LIKE_PAGE.format(word="?", viewer="?")
        return sql_latencies_sqlite(self.path, statement, (f"%{word}%", viewer_id, viewer_id, viewer_id), repeats)

    async def indexed(self, viewer_id: int, query: str, repeats: int) -> dict[str, float]:
        """The search's own statement for the same first page, in SQL directly, as `like` runs its own."""
        statement = await index_statement(self.url, viewer_id, query)
        if self.postgres:
            return await sql_latencies_postgres(self.dsn, statement, (), repeats)
        return sql_latencies_sqlite(self.path, statement, (), repeats)


async def send_cost(
    workdir: Path, name: str, postgres_url: str | None, with_index: bool, sends: int, app: str, uvicorn_args: list[str]
) -> float:
    """Server CPU milliseconds per REST DM, 8 senders, on a fresh database with or without the index."""
    database = BenchDatabase(workdir, name, postgres_url)
    await database.create()
    try:
        environment = backend_environment(database.url)
        migrate(database.url, environment)
        if not with_index:
            await database.drop_search_index()
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
    finally:
        await database.drop()


async def run_search(
    workdir: Path,
    messages: int,
    requests: int,
    like_repeats: int,
    sends: int,
    app: str,
    uvicorn_args: list[str],
    postgres_url: str | None = None,
    keep: Path | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Seed (or, with `keep`, reuse an earlier run's seeded database), serve and measure on SQLite, or on
    PostgreSQL when `postgres_url` names a server."""
    database = BenchDatabase(workdir, "search", postgres_url, keep, f"search-{messages}")
    await database.create()
    try:
        environment = backend_environment(database.url)
        migrate(database.url, environment)
        server = await ServerProcess(app, environment, uvicorn_args).start("/db/alive")
        try:
            async with aiohttp.ClientSession() as http:
                facts = database.kept_facts()
                if facts is None:
                    viewer_id, headers = await sign_up(http, server.url, "search-viewer")
                    facts = {**await database.seed(viewer_id, messages, random.Random(13)), "viewer_id": viewer_id}
                    database.keep_facts(facts)
                    reused = False
                else:
                    viewer_id, headers = facts["viewer_id"], await log_in(http, server.url, "search-viewer")
                    reused = True
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
                    warm = [path] * max(1, requests // 10)
                    await timed_gets(http, server.url, headers, warm, server.pid)
                    figures[label] = await timed_gets(http, server.url, headers, [path] * requests, server.pid)
        finally:
            server.stop()
        for label in ("rare_word", "common_word"):
            like = await database.like(viewer_id, queries[label], like_repeats)
            indexed = await database.indexed(viewer_id, queries[label], like_repeats)
            figures[f"like_{label}_ms"] = like
            figures[f"index_sql_{label}_ms"] = indexed
            # the same query both ways in SQL (the target's measure), and LIKE in SQL against a whole request
            figures[f"like_over_index_sql_p50_{label}"] = round(like["p50"] / indexed["p50"], 1)
            figures[f"like_over_index_p50_{label}"] = round(like["p50"] / figures[label]["latency_ms"]["p50"], 1)
    finally:
        await database.drop()
    with_index = await send_cost(workdir, "sendidx", postgres_url, True, sends, app, uvicorn_args)
    without_index = await send_cost(workdir, "sendplain", postgres_url, False, sends, app, uvicorn_args)
    figures["send_cpu_ms_per_message"] = {"with_index": with_index, "without_index": without_index}
    figures["send_cpu_with_over_without"] = round(with_index / without_index, 3) if without_index else None
    figures["seed_seconds"] = facts["seed_seconds"]
    figures["seeded_by_an_earlier_run"] = reused
    figures["database_mb"] = facts["database_mb"]
    parameters = {
        "messages": messages,
        "users": USERS,
        "rooms": ROOMS,
        "viewer_rooms": len(facts["viewer_rooms"]),
        "requests_per_query": requests,
        "page": 20,
        "database": "postgresql" if postgres_url else "sqlite",
        "sends": sends,
    }
    return parameters, figures
