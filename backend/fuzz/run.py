"""`just fuzz`: schemathesis against the committed openapi.json and a real server on a fresh database.

Starts `uvicorn confab.asgi:app` on a free port with a new SQLite database, signs up the fuzzer and a
peer, opens a room and sends a DM (so the ids in fuzz/schemathesis.toml exist), then runs schemathesis
with the fuzzer's token. Exits with schemathesis's status; on failure the server log is printed too,
since a 5xx's traceback is there.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

BACKEND = Path(__file__).resolve().parents[1]
CONTRACT = BACKEND.parent / "openapi.json"
CONFIG = BACKEND / "fuzz" / "schemathesis.toml"
PASSWORD = "fuzzing password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_ready(client: httpx.Client, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited early:\n{log_path.read_text(errors='replace')}")
        try:
            if client.get("/db/alive").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    sys.exit(f"the server did not answer within 60 s:\n{log_path.read_text(errors='replace')}")


def log_in(client: httpx.Client, nickname: str) -> str:
    response = client.post("/api/auth/token", json={"nickname": nickname, "password": PASSWORD})
    response.raise_for_status()
    return response.json()["access_token"]


def seed(client: httpx.Client) -> dict[str, str]:
    """Create the ids the config names (users 1 and 2, room 1, a DM) and four spare users; return the tokens."""
    for nickname in ("fuzzer", "peer", "leaver", "changer", "ender", "closer"):
        body = {
            "name": nickname.title(),
            "email": f"{nickname}@example.com",
            "nickname": nickname,
            "password": PASSWORD,
        }
        client.post("/api/users", json=body).raise_for_status()
    token = log_in(client, "fuzzer")
    headers = {"Authorization": f"Bearer {token}"}
    room = client.post("/api/rooms", headers=headers, json={"name": "fuzz", "member_ids": [2]})
    room.raise_for_status()
    message = client.post("/api/messages", headers=headers, json={"recipient_id": 2, "content": "hello"})
    message.raise_for_status()
    ids = (message.json()["author"]["id"], room.json()["id"], message.json()["recipient"]["id"], message.json()["id"])
    if ids != (1, 1, 2, 1):
        sys.exit(f"expected fresh ids (user 1, room 1, peer 2, message 1), got {ids}: is the database really new?")
    return {
        "CONFAB_FUZZ_TOKEN": token,
        "CONFAB_FUZZ_LOGOUT_TOKEN": log_in(client, "leaver"),
        "CONFAB_FUZZ_PASSWORD_TOKEN": log_in(client, "changer"),
        "CONFAB_FUZZ_SESSION_TOKEN": log_in(client, "ender"),
        "CONFAB_FUZZ_CLOSE_TOKEN": log_in(client, "closer"),
    }


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="confab-fuzz-") as scratch:
        port = free_port()
        log_path = Path(scratch) / "server.log"
        environment = {
            **os.environ,
            "DATABASE_URL": f"sqlite+aiosqlite:///{scratch}/confab.db",
            "SECRET_KEY": "fuzz-" + os.urandom(16).hex(),
            "PASSWORD_HASH_PROFILE": "CHEAPEST",
            "RATE_LIMITS": "off",
        }
        confab = str(Path(sys.executable).with_name("confab"))
        subprocess.run([confab, "migrate"], env=environment, check=True, cwd=scratch, capture_output=True)
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "confab.asgi:app", "--host", "127.0.0.1", "--port", str(port)],
                env=environment,
                cwd=scratch,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                wait_until_ready(client, server, log_path)
                tokens = seed(client)
            command = [
                str(Path(sys.executable).with_name("schemathesis")),
                "--config-file",
                str(CONFIG),
                "run",
                str(CONTRACT),
                "--url",
                f"http://127.0.0.1:{port}",
                "--no-color",
                *sys.argv[1:],
            ]
            result = subprocess.run(command, env={**environment, **tokens}, check=False)
        finally:
            server.terminate()
            server.wait(timeout=30)
        if result.returncode != 0:
            print("--- server log (tracebacks of any 5xx are here) ---")
            print(log_path.read_text(errors="replace")[-20000:])
        return result.returncode


if __name__ == "__main__":
    sys.exit(main())
