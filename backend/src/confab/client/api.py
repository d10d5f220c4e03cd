"""A small synchronous client for confab's public HTTP API, turning failures into `ClientError`s."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from confab import __version__
from confab.client.errors import NotLoggedIn, ServerRefused, Unreachable

DEFAULT_URL = "http://127.0.0.1:8000"
# How the server labels this client's sessions ("confab CLI" in `confab sessions`).
USER_AGENT = f"confab-cli/{__version__}"


def resolve_url(explicit: str | None) -> str:
    """`--url`, else `CONFAB_URL`, else the address `just dev` serves on; without a trailing slash."""
    url = explicit or os.environ.get("CONFAB_URL") or DEFAULT_URL
    if "://" not in url:
        url = "http://" + url
    return url.rstrip("/")


def error_detail(response: httpx.Response) -> str:
    """The server's `detail`, or the status line when the body is not confab's error shape."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return body["detail"]
    return f"HTTP {response.status_code} {response.reason_phrase}".strip()


def _message_body(
    content: str | None, client_id: str | None, file_ids: list[int] | None, thread_id: int | None
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if content:
        body["content"] = content
    if client_id:
        body["client_id"] = client_id
    if file_ids:
        body["file_ids"] = file_ids
    if thread_id is not None:
        body["thread_id"] = thread_id
    return body


class Api:
    """One server, optionally one bearer token. Every method returns the decoded JSON body."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 15) -> None:
        self.url = url
        self.token = token
        self._http = httpx.Client(base_url=url, timeout=timeout, headers={"User-Agent": USER_AGENT})

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def request(self, method: str, path: str, **options: Any) -> httpx.Response:
        """Send one request; raise `Unreachable` when nobody answers and `ServerRefused` on an error status."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = self._http.request(method, path, headers=headers, **options)
        except httpx.TransportError as error:
            raise Unreachable(f"cannot reach a confab server at {self.url} ({error.__class__.__name__})") from error
        if response.status_code == 401 and self.token:
            raise NotLoggedIn(f"{error_detail(response)}: log in again with 'confab login'")
        if response.status_code >= 400:
            raise ServerRefused(response.status_code, error_detail(response))
        return response

    def get(self, path: str, **params: Any) -> Any:
        query = {key: value for key, value in params.items() if value is not None}
        return self.request("GET", path, params=query).json()

    def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return self.request("POST", path, json=body)

    def edit(self, message_id: int, content: str) -> dict[str, Any]:
        return self.request("PATCH", f"/api/messages/{message_id}", json={"content": content}).json()

    def delete_message(self, message_id: int) -> None:
        self.request("DELETE", f"/api/messages/{message_id}")

    def react(self, message_id: int, emoji: str, *, remove: bool = False) -> dict[str, Any]:
        """Add (or with `remove`, take back) the caller's `emoji` on a message; the path carries it URL-encoded."""
        path = f"/api/messages/{message_id}/reactions/{quote(emoji, safe='')}"
        return self.request("DELETE" if remove else "PUT", path).json()

    def version(self) -> str:
        return self.get("/api/version")["version"]

    def sign_up(self, name: str, email: str, nickname: str, password: str) -> dict[str, Any]:
        body = {"name": name, "email": email, "nickname": nickname, "password": password}
        return self.post("/api/users", body).json()

    def log_in(self, nickname: str, password: str) -> dict[str, Any]:
        """Exchange credentials for a token; this client uses the token from now on."""
        granted = self.post("/api/auth/token", {"nickname": nickname, "password": password}).json()
        self.token = granted["access_token"]
        return granted

    def sessions(self) -> list[dict[str, Any]]:
        return self.get("/api/me/sessions")

    def end_session(self, session_id: str) -> None:
        self.request("DELETE", f"/api/me/sessions/{quote(session_id, safe='')}")

    def log_out(self) -> None:
        self.request("POST", "/api/auth/logout")

    def log_out_elsewhere(self) -> None:
        self.request("POST", "/api/auth/logout-all")

    def me(self) -> dict[str, Any]:
        return self.get("/api/me")

    def update_profile(self, changes: dict[str, Any]) -> dict[str, Any]:
        return self.request("PATCH", "/api/me", json=changes).json()

    def set_avatar(self, file_id: int) -> dict[str, Any]:
        return self.request("PUT", "/api/me/avatar", json={"file_id": file_id}).json()

    def remove_avatar(self) -> None:
        self.request("DELETE", "/api/me/avatar")

    def close_account(self, password: str) -> None:
        self.request("DELETE", "/api/me", json={"password": password})

    def users(
        self,
        search: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        conversations: bool = False,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the directory (everybody when no option is given) and the next page's cursor, if any."""
        query = {"q": search, "limit": limit, "cursor": cursor, "conversations": "true" if conversations else None}
        response = self.request(
            "GET", "/api/users", params={key: value for key, value in query.items() if value is not None}
        )
        return response.json(), response.headers.get("X-Next-Cursor")

    def rooms(self) -> list[dict[str, Any]]:
        return self.get("/api/rooms")

    def user_named(self, nickname: str) -> dict[str, Any]:
        """The person with this nickname (any case), or `ServerRefused` 404. An exact nickname is the
        directory's best match, so the first result of a search is enough."""
        people, _ = self.users(search=nickname, limit=1)
        if people and people[0]["nickname"].lower() == nickname.lower():
            return people[0]
        raise ServerRefused(404, f"no user with nickname {nickname!r}")

    def room_named(self, name: str) -> dict[str, Any]:
        """One of the caller's rooms by exact name, else by id; an ambiguous name is refused."""
        rooms = self.rooms()
        matches = [room for room in rooms if room["name"] == name]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            ids = ", ".join(str(room["id"]) for room in matches)
            raise ServerRefused(409, f"you are in several rooms named {name!r} (ids {ids}): give the id instead")
        for room in rooms:
            if str(room["id"]) == name:
                return room
        raise ServerRefused(404, f"you are not in a room named {name!r}")

    def send_direct(
        self,
        recipient_id: int,
        content: str | None,
        client_id: str | None = None,
        file_ids: list[int] | None = None,
        thread_id: int | None = None,
    ) -> httpx.Response:
        body = _message_body(content, client_id, file_ids, thread_id)
        return self.post("/api/messages", {"recipient_id": recipient_id, **body})

    def send_to_room(
        self,
        room_id: int,
        content: str | None,
        client_id: str | None = None,
        file_ids: list[int] | None = None,
        thread_id: int | None = None,
    ) -> httpx.Response:
        return self.post(f"/api/rooms/{room_id}/messages", _message_body(content, client_id, file_ids, thread_id))

    def upload(self, path: Path) -> dict[str, Any]:
        """Upload one file (httpx streams it from disk); no overall timeout, since large files take a while."""
        with path.open("rb") as stream:
            return self.request(
                "POST", "/api/files", files={"file": (path.name, stream)}, timeout=httpx.Timeout(60, read=None)
            ).json()

    def create_room(self, name: str, member_ids: list[int]) -> dict[str, Any]:
        return self.post("/api/rooms", {"name": name, "member_ids": member_ids}).json()

    def add_member(self, room_id: int, user_id: int) -> dict[str, Any]:
        return self.post(f"/api/rooms/{room_id}/members", {"user_id": user_id}).json()
