"""The `directory` scenario: `GET /api/users?q=` against 100,000 accounts, beside the unfiltered list.

The accounts are written straight into a fresh SQLite file (users and their directory keys, folded by
the server's own functions) before the server starts: 100,000 sign-ups through the API would take
most of an hour of password hashing and measure nothing this scenario is about. One viewer signs up
through the API for a real token. Requests are sent one at a time, so each latency is one request's
time on the server plus the loopback, not time spent queueing behind other requests.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp

from bench.load import Timer
from bench.server import ServerProcess, backend_environment, fresh_sqlite_url, migrate
from confab.domain.accounts.directory import NAME, NICKNAME, name_keys, nickname_key

FIRST_NAMES = [
    "Ada",
    "Alice",
    "Amélie",
    "Ana",
    "Anders",
    "Aoife",
    "Beatriz",
    "Björn",
    "Bob",
    "Camille",
    "Charlie",
    "Chloé",
    "Dagmar",
    "Diego",
    "Élodie",
    "Emil",
    "Eszter",
    "Fatima",
    "François",
    "Frédéric",
    "Grace",
    "Hamid",
    "Håkon",
    "Inès",
    "Ingrid",
    "Irène",
    "Jan",
    "Jérôme",
    "José",
    "Józef",
    "Julia",
    "Kai",
    "Karin",
    "Łukasz",
    "Léa",
    "Lucía",
    "Maëlle",
    "Malgorzata",
    "Marek",
    "Mateo",
    "María",
    "Mei",
    "Mikael",
    "Noémie",
    "Nuno",
    "Olga",
    "Oskar",
    "Paweł",
    "Pilar",
    "Rafael",
    "René",
    "Sara",
    "Søren",
    "Stéphane",
    "Sven",
    "Tomás",
    "Ulla",
    "Víctor",
    "Wojciech",
    "Yannick",
    "Zoë",
    "Zoltán",
]
LAST_NAMES = [
    "Álvarez",
    "Andersen",
    "Bernard",
    "Blanc",
    "Brown",
    "Castro",
    "Chen",
    "Costa",
    "Dąbrowski",
    "Díaz",
    "Dubois",
    "Dupont",
    "Eriksson",
    "Fernández",
    "Fischer",
    "García",
    "Gómez",
    "Haugen",
    "Hernández",
    "Ivanova",
    "Jensen",
    "Johansson",
    "Kowalski",
    "Kovács",
    "Larsen",
    "Laurent",
    "Lefèvre",
    "López",
    "Martín",
    "Martínez",
    "Meyer",
    "Moreau",
    "Müller",
    "Nagy",
    "Nielsen",
    "Novák",
    "O'Brien",
    "Pérez",
    "Petit",
    "Quintana",
    "Richter",
    "Rodríguez",
    "Roux",
    "Sánchez",
    "Schmidt",
    "Schneider",
    "Silva",
    "Smith",
    "Søndergaard",
    "Szabó",
    "Thomas",
    "Torres",
    "Vargas",
    "Wagner",
    "Weiß",
    "Wiśniewski",
    "Zieliński",
]


@dataclass
class Person:
    nickname: str
    name: str


def people(count: int, seed: int = 7) -> list[Person]:
    """`count` people with realistic, accented names; nicknames are ASCII and unique."""
    chooser = random.Random(seed)
    result = []
    for index in range(count):
        first, last = chooser.choice(FIRST_NAMES), chooser.choice(LAST_NAMES)
        name = f"{first} {last}" if chooser.random() < 0.8 else f"{first} {chooser.choice(FIRST_NAMES)} {last}"
        ascii_first = nickname_key(first).encode("ascii", "ignore").decode()
        ascii_last = nickname_key(last).encode("ascii", "ignore").decode()
        nickname = f"{ascii_first}{ascii_last[:1]}{index}" if index % 2 else f"{ascii_first}.{ascii_last}{index}"
        result.append(Person(nickname=nickname[:32], name=name))
    return result


def seed_accounts(database: Path, population: list[Person]) -> None:
    """Insert the accounts and their directory keys in one transaction, as sign-up would have stored them."""
    created_at = time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime())
    connection = sqlite3.connect(database)
    try:
        with connection:
            first_id = (connection.execute("SELECT coalesce(max(id), 0) + 1 FROM users").fetchone())[0]
            connection.executemany(
                "INSERT INTO users (id, name, email, nickname, password_hash, created_at, token_generation) "
                "VALUES (?, ?, ?, ?, 'not-a-hash', ?, 0)",
                (
                    (
                        first_id + offset,
                        person.name,
                        f"{person.nickname}@directory.example",
                        person.nickname,
                        created_at,
                    )
                    for offset, person in enumerate(population)
                ),
            )
            keys = []
            for offset, person in enumerate(population):
                keys.append((NICKNAME, nickname_key(person.nickname), first_id + offset))
                keys.extend((NAME, key, first_id + offset) for key in name_keys(person.name))
            connection.executemany("INSERT INTO directory_keys (kind, key, user_id) VALUES (?, ?, ?)", keys)
        connection.execute("ANALYZE")
    finally:
        connection.close()


def search_queries(population: list[Person], count: int, seed: int = 11) -> list[str]:
    """What people type into a search box: the first 1 to 6 letters of a nickname, a first name or a last
    name (accents as typed, or not), one letter at a time as search-as-you-type sends them."""
    chooser = random.Random(seed)
    queries = []
    while len(queries) < count:
        person = chooser.choice(population)
        word = chooser.choice([person.nickname, *person.name.split()])
        if chooser.random() < 0.5:
            word = nickname_key(word)
        typed = word[: chooser.randint(1, 6)]
        queries.append(typed)
    return queries


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))], 2)


async def timed_gets(
    http: aiohttp.ClientSession, base_url: str, headers: dict[str, str], paths: list[str], server_pid: int
) -> dict[str, Any]:
    """GET each path in turn; latency percentiles, bytes per answer and the server's CPU per request."""
    latencies, sizes = [], []
    timer = Timer(server_pid)
    for path in paths:
        started = time.perf_counter()
        async with http.get(base_url + path, headers=headers) as response:
            body = await response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {path} answered {response.status}: {body[:200]!r}")
        latencies.append((time.perf_counter() - started) * 1000)
        sizes.append(len(body))
    cpu = timer.report(len(paths))
    return {
        "requests": len(paths),
        "latency_ms": {
            "p50": percentile(latencies, 0.50),
            "p95": percentile(latencies, 0.95),
            "p99": percentile(latencies, 0.99),
            "max": round(max(latencies), 2),
        },
        "server_cpu_ms_per_request": cpu.get("server_cpu_ms_per_message"),
        "mean_response_kb": round(statistics.fmean(sizes) / 1024, 1),
    }


async def run_directory(
    workdir: Path, accounts: int, searches: int, baseline_requests: int, app: str, uvicorn_args: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Seed, serve, and measure; returns the scenario's parameters and figures."""
    database_url = fresh_sqlite_url(workdir, "directory.db")
    environment = backend_environment(database_url)
    migrate(database_url, environment)
    population = people(accounts)
    started = time.perf_counter()
    seed_accounts(Path(database_url.split("///", 1)[1]), population)
    seed_seconds = round(time.perf_counter() - started, 1)
    server = await ServerProcess(app, environment, uvicorn_args).start("/db/alive")
    try:
        async with aiohttp.ClientSession() as http:
            viewer = {"name": "Viewer", "email": "viewer@directory.example", "nickname": "directory-viewer"}
            password = "directory-viewer-password"
            async with http.post(server.url + "/api/users", json={**viewer, "password": password}) as response:
                assert response.status == 201, await response.text()
            async with http.post(
                server.url + "/api/auth/token", json={"nickname": viewer["nickname"], "password": password}
            ) as response:
                token = (await response.json())["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            queries = search_queries(population, searches)
            paths = [f"/api/users?q={quote(query, safe='')}" for query in queries]
            await timed_gets(http, server.url, headers, paths[: max(1, len(paths) // 10)], server.pid)  # warm up
            search = await timed_gets(http, server.url, headers, paths, server.pid)
            everybody = await timed_gets(http, server.url, headers, ["/api/users"] * baseline_requests, server.pid)
            floor = await timed_gets(http, server.url, headers, ["/api/me"] * len(paths), server.pid)
    finally:
        server.stop()
    figures = {
        "search": search,
        "unfiltered_baseline": everybody,
        # What any authenticated request costs (token, revocation check, JSON): the part that is not search.
        "me_floor": floor,
        "search_p99_over_baseline_p50": round(search["latency_ms"]["p99"] / everybody["latency_ms"]["p50"], 4),
        "search_cpu_over_baseline_cpu": (
            round(search["server_cpu_ms_per_request"] / everybody["server_cpu_ms_per_request"], 4)
            if search["server_cpu_ms_per_request"] and everybody["server_cpu_ms_per_request"]
            else None
        ),
        "seed_seconds": seed_seconds,
    }
    parameters = {"accounts": accounts + 1, "searches": searches, "baseline_requests": baseline_requests, "page": 50}
    return parameters, figures
