"""No request body or socket payload gets a 5xx or writes anything, whatever its bytes.

Every POST/PUT/PATCH operation with a body in the published contract (so a route added later is fuzzed
without anyone listing it) gets its documented example, with real ids filled in, corrupted byte by byte:
invalid and overlong UTF-8, NUL, lone surrogates, byte order marks, huge numbers, deep nesting,
duplicate keys, truncation, other content types. Each must be a 4xx `ErrorBody` that blames the body
(400, 413 or 415), and the caller's world must be unchanged afterwards. The client events (`send`,
`typing`, and names the server does not know) get the same corruptions over a raw Socket.IO connection:
each must be acked with a 4xx, and the socket must stay usable.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import msgspec
import pytest

from tests.support.accounts import Account
from tests.support.rooms import create_room, post_to_room

BODY_METHODS = ("post", "put", "patch")
BODY_REFUSALS = {400, 413, 415}
MARK = "\x01corrupt here\x01"

# Raw bytes put in the middle of each string value, inside its quotes.
BAD_TEXT = {
    "invalid UTF-8": b"\xff\xfe",
    "overlong '/'": b"\xc0\xaf",
    "overlong NUL": b"\xc0\x80",
    "three-byte overlong": b"\xe0\x80\xaf",
    "surrogate encoded in UTF-8": b"\xed\xa0\x80",
    "beyond U+10FFFF": b"\xf4\x90\x80\x80",
    "cut-off sequence": b"\xe2\x82",
    "raw NUL": b"\x00",
    "escaped NUL": b"\\u0000",
    "raw newline": b"\n",
    "lone high surrogate": b"\\ud800",
    "lone low surrogate": b"\\udc00",
    "surrogates reversed": b"\\udc00\\ud800",
    "unknown escape": b"\\x41",
}
# Raw JSON that replaces one value.
DEEP_VALUES = {
    # Deep enough for a recursive walk to hit the recursion limit, shallow enough for the C decoders.
    "array 600 deep": b"[" * 600 + b"]" * 600,
    "deep array": b"[" * 5000 + b"]" * 5000,
    "deep object": b'{"a":' * 3000 + b"1" + b"}" * 3000,
}
# Raw JSON that replaces one number.
BAD_NUMBERS = {
    "huge exponent": b"1e999999",
    "tiny exponent": b"1e-999999",
    "400 digits": b"9" * 400,
    "-400 digits": b"-" + b"9" * 400,
    "2**63": str(2**63).encode(),
    "NaN": b"NaN",
    "Infinity": b"-Infinity",
    "hexadecimal": b"0x10",
    "leading zeros": b"007",
}
OTHER_CONTENT_TYPES = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
    "application/json; charset=utf-16",
]


def encoded(body: dict[str, Any], key: str | None = None, raw: bytes = b"") -> bytes:
    """`body` as JSON, with the value of `key` replaced by `raw` bytes."""
    if key is None:
        return json.dumps(body).encode()
    return json.dumps({**body, key: MARK}).encode().replace(json.dumps(MARK).encode(), raw)


def duplicated(body: dict[str, Any], key: str, first: Any, last: Any) -> bytes:
    text = json.dumps(body)
    return (
        ("{" + json.dumps(key) + ": " + json.dumps(first) + ", " + text[1:])
        .replace(json.dumps(key) + ": " + json.dumps(body[key]), json.dumps(key) + ": " + json.dumps(last), 1)
        .encode()
    )


def corruptions(body: dict[str, Any]) -> Iterator[tuple[str, bytes, str]]:
    """(label, bytes, content type) for every corruption of a valid `body`."""
    json_type = "application/json"
    valid = encoded(body)
    text_keys = [key for key, value in body.items() if isinstance(value, str)]
    first_key = next(iter(body))
    number_key = next((key for key, value in body.items() if type(value) is int), first_key)
    for key in text_keys:
        half = len(body[key]) // 2
        for label, fragment in BAD_TEXT.items():
            inside = (
                json.dumps(body[key][:half])[1:-1].encode() + fragment + json.dumps(body[key][half:])[1:-1].encode()
            )
            yield f"{key}: {label}", encoded(body, key, b'"' + inside + b'"'), json_type
    for label, raw in DEEP_VALUES.items():
        yield f"{first_key}: {label}", encoded(body, first_key, raw), json_type
    for label, raw in BAD_NUMBERS.items():
        yield f"{number_key}: {label}", encoded(body, number_key, raw), json_type
    yield "duplicate key, same value", duplicated(body, first_key, body[first_key], body[first_key]), json_type
    yield "duplicate key, wrong value first", duplicated(body, first_key, [], body[first_key]), json_type
    yield "duplicate key in the key itself", valid.replace(b"{", b'{"\xff": 1, "\xff": 2, ', 1), json_type
    yield "UTF-8 byte order mark", b"\xef\xbb\xbf" + valid, json_type
    yield "UTF-16 with byte order mark", json.dumps(body).encode("utf-16"), json_type
    yield "UTF-32", json.dumps(body).encode("utf-32-le"), json_type
    yield "deep nesting", b"[" * 20000 + b"]" * 20000, json_type
    yield "truncated by half", valid[: len(valid) // 2], json_type
    yield "truncated by one byte", valid[:-1], json_type
    yield "trailing garbage", valid + b"\x00", json_type
    yield "two documents", valid + valid, json_type
    for label, raw in {"empty": b"", "null": b"null", "array": b"[]", "string": b'"x"', "number": b"1"}.items():
        yield f"body is {label}", raw, json_type
    for content_type in OTHER_CONTENT_TYPES:
        yield f"valid body as {content_type}", valid, content_type


async def state_of(http, *accounts: Account) -> list[Any]:
    """Everything the accounts can see: their profile, people and unread counts, rooms, every message."""
    seen: list[Any] = []
    for account in accounts:
        headers = account.headers
        me = await http.get("/api/me", headers=headers)
        people = (await http.get("/api/users", headers=headers)).json()
        rooms = (await http.get("/api/rooms", headers=headers)).json()
        history = [(await http.get("/api/messages", headers=headers, params={"limit": 200})).json()]
        for room in rooms:
            history.append((await http.get(f"/api/rooms/{room['id']}/messages", headers=headers)).json())
        seen += [me.status_code, me.json(), [(p["id"], p["nickname"], p["unread"]) for p in people], rooms, history]
    return seen


def problem_with(response_status: int, body: bytes, allowed: set[int]) -> str | None:
    """What is wrong with an answer to a corrupted request, or None."""
    if response_status not in allowed:
        return f"answered {response_status}: {body[:200]!r}"
    try:
        error = json.loads(body)
    except ValueError:
        return f"{response_status} without a JSON body: {body[:200]!r}"
    if error.get("status_code") != response_status or not isinstance(error.get("detail"), str):
        return f"{response_status} body is not an ErrorBody: {error}"
    return None


@pytest.fixture
async def world(http, make_user) -> dict[str, Any]:
    """A fuzzer with a DM conversation and a room, each with one unread message from its peer."""
    fuzzer, peer, outsider = await make_user(), await make_user(), await make_user()
    room = await create_room(http, fuzzer, "fuzzed", members=[peer])
    dm = await http.post("/api/messages", headers=peer.headers, json={"recipient_id": fuzzer.id, "content": "hi"})
    assert dm.status_code == 201
    room_message = await post_to_room(http, peer, room["id"], "hello room")
    return {
        "fuzzer": fuzzer,
        "peer": peer,
        "path": {"room_id": room["id"], "user_id": peer.id, "peer_id": peer.id, "message_id": dm.json()["id"]},
        # Real values for the examples' fields, so each example is a request that would succeed.
        "body": {
            "recipient_id": peer.id,
            "user_id": outsider.id,
            "member_ids": [peer.id],
            "nickname": fuzzer.nickname,
            "password": fuzzer.password,
            "current_password": fuzzer.password,
            "last_read_id": room_message["id"],
            "room_id": room["id"],
        },
    }


def example_body(operation: dict[str, Any], real_values: dict[str, Any]) -> dict[str, Any]:
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    example = schema["examples"][0]
    return {key: real_values.get(key, value) for key, value in example.items()}


def handler_data_type(app, path: str, method: str) -> Any:
    route = next(route for route in app.routes if route.path_format == path)
    return route.route_handler_map[method.upper()][0].parsed_fn_signature.parameters["data"].annotation


async def test_no_corrupted_body_gets_a_5xx_or_writes_anything(http, server, world):
    fuzzer = world["fuzzer"]
    document = (await http.get("/schema/openapi.json")).json()
    operations = [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in BODY_METHODS and "application/json" in operation.get("requestBody", {}).get("content", {})
    ]
    assert len(operations) >= 9
    before = await state_of(http, fuzzer, world["peer"])
    failures: list[str] = []
    sent = 0
    for path, method, operation in operations:
        names = [parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "path"]
        missing = [name for name in names if name not in world["path"]]
        assert not missing, f"{method.upper()} {path}: give the fuzzer a real id for {missing}"
        url = path.format(**world["path"])
        body = example_body(operation, world["body"])
        # The uncorrupted body is valid, so each refusal below is the corruption's doing.
        msgspec.json.decode(json.dumps(body), type=handler_data_type(server.app, path, method), strict=True)
        for label, content, content_type in corruptions(body):
            headers = {**fuzzer.headers, "Content-Type": content_type}
            response = await http.request(method.upper(), url, headers=headers, content=content)
            sent += 1
            problem = problem_with(response.status_code, response.content, BODY_REFUSALS)
            if problem:
                failures.append(f"{method.upper()} {path} [{label}]: {problem}")
    assert not failures, "\n".join(failures)
    assert sent >= 50 * len(operations)
    assert await state_of(http, fuzzer, world["peer"]) == before


MULTIPART_HEAD = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'
# Broken multipart framing: each must be refused with a 4xx ErrorBody, never a 5xx, and store nothing.
BAD_MULTIPART = {
    "no boundary parameter": (b"whatever", "multipart/form-data"),
    "not multipart": (MULTIPART_HEAD + b"hi\r\n--b--\r\n", "text/plain"),
    "form-urlencoded": (b"file=hi", "application/x-www-form-urlencoded"),
    "empty body": (b"", "multipart/form-data; boundary=b"),
    "only garbage": (b"\xff\xfe\x00" * 100, "multipart/form-data; boundary=b"),
    "cut off in the headers": (b"--b\r\nContent-Disposition: form-da", "multipart/form-data; boundary=b"),
    "cut off in the file": (MULTIPART_HEAD + b"half", "multipart/form-data; boundary=b"),
    "no closing boundary": (MULTIPART_HEAD + b"hi\r\n", "multipart/form-data; boundary=b"),
    "other boundary": (MULTIPART_HEAD + b"hi\r\n--b--\r\n", "multipart/form-data; boundary=zz"),
    "huge part header": (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="' + b"a" * 10_000 + b'"\r\n\r\nhi\r\n--b--\r\n',
        "multipart/form-data; boundary=b",
    ),
    "too many part headers": (
        b"--b\r\n"
        + b"X-A: b\r\n" * 50
        + b'Content-Disposition: form-data; name="file"; filename="a"\r\n\r\nhi\r\n--b--\r\n',
        "multipart/form-data; boundary=b",
    ),
    "field without filename": (
        b'--b\r\nContent-Disposition: form-data; name="file"\r\n\r\nhi\r\n--b--\r\n',
        "multipart/form-data; boundary=b",
    ),
    "empty file": (MULTIPART_HEAD + b"\r\n--b--\r\n", "multipart/form-data; boundary=b"),
    "JSON instead": (b'{"file": "hi"}', "application/json"),
}


async def test_no_corrupted_upload_gets_a_5xx_or_stores_anything(http, world):
    """The multipart routes (found in the contract, like the JSON ones) refuse broken framing cleanly."""
    fuzzer = world["fuzzer"]
    document = (await http.get("/schema/openapi.json")).json()
    paths = [
        path
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in BODY_METHODS and "multipart/form-data" in operation.get("requestBody", {}).get("content", {})
    ]
    assert paths == ["/api/files"]
    failures = []
    for path in paths:
        for label, (content, content_type) in BAD_MULTIPART.items():
            headers = {**fuzzer.headers, "Content-Type": content_type}
            response = await http.post(path, headers=headers, content=content)
            problem = problem_with(response.status_code, response.content, BODY_REFUSALS)
            if problem:
                failures.append(f"POST {path} [{label}]: {problem}")
    assert not failures, "\n".join(failures)
    after = await http.post(
        "/api/messages", headers=fuzzer.headers, json={"recipient_id": world["peer"].id, "file_ids": [1]}
    )
    assert after.status_code == 404  # the fuzzer owns no file: nothing was stored


class RawSocket:
    """A Socket.IO connection spoken by hand, so payloads can be any bytes a client could put on the wire."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.next_id = 0

    async def open(self, token: str) -> None:
        self.ws = await self.session.ws_connect(self.url)
        assert (await self.ws.receive_str()).startswith("0")
        await self.ws.send_str("40" + json.dumps({"token": token}))
        await self.frame_starting("40")

    async def frame_starting(self, prefix: str, timeout: float = 5) -> str:
        async with asyncio.timeout(timeout):
            while True:
                message = await self.ws.receive()
                if message.type != aiohttp.WSMsgType.TEXT:
                    raise ConnectionError(f"the server sent {message.type.name}: {message.data!r}")
                if message.data == "2":
                    await self.ws.send_str("3")
                elif message.data.startswith(prefix):
                    return message.data

    async def call(self, arguments: bytes, attachment: bytes | None = None) -> Any:
        """Send the event array `arguments` (raw JSON) with an ack id, and return the ack's payload."""
        self.next_id += 1
        if attachment is None:
            await self.ws.send_str(f"42{self.next_id}" + arguments.decode())
        else:
            await self.ws.send_str(f"451-{self.next_id}" + arguments.decode())
            await self.ws.send_bytes(attachment)
        ack = await self.frame_starting(f"43{self.next_id}[")
        return json.loads(ack[len(f"43{self.next_id}") :])[0]


@contextlib.asynccontextmanager
async def raw_socket(url: str, token: str) -> AsyncIterator[RawSocket]:
    async with aiohttp.ClientSession() as session:
        socket = RawSocket(session, url)
        await socket.open(token)
        try:
            yield socket
        finally:
            await socket.ws.close()


def event(name: str, payload: bytes) -> bytes:
    return b"[" + json.dumps(name).encode() + b"," + payload + b"]"


async def test_no_corrupted_socket_event_gets_a_5xx_or_writes_anything(http, server, world):
    fuzzer, peer, ids = world["fuzzer"], world["peer"], world["path"]
    payloads = {
        "send": [{"recipient_id": peer.id, "content": "hi"}, {"room_id": ids["room_id"], "content": "hi"}],
        "typing": [{"recipient_id": peer.id}, {"room_id": ids["room_id"]}],
        "no such event": [{"recipient_id": peer.id, "content": "hi"}],
    }
    before = await state_of(http, fuzzer, peer)
    failures: list[str] = []

    acks: list[Any] = []

    def check(name: str, label: str, ack: Any) -> None:
        acks.append(ack)
        if not (isinstance(ack, dict) and ack.get("ok") is False and 400 <= ack.get("status", 0) < 500):
            failures.append(f"{name} [{label}]: acked {ack!r}")
        elif not isinstance(ack.get("detail"), str):
            failures.append(f"{name} [{label}]: no detail in {ack!r}")

    async with raw_socket(server.url, fuzzer.token) as socket:
        for name, bodies in payloads.items():
            for body in bodies:
                for label, content, content_type in corruptions(body):
                    if content_type != "application/json":
                        continue
                    try:
                        text_frame = event(name, content).decode()
                    except UnicodeDecodeError:
                        # Not text, so it cannot be a text frame: it goes as a binary attachment instead.
                        placeholder = event(name, b'{"_placeholder": true, "num": 0}')
                        check(name, label, await socket.call(placeholder, attachment=content))
                        continue
                    check(name, label, await socket.call(text_frame.encode()))
            check(name, "two payloads", await socket.call(event(name, b"{}, {}")))
            check(name, "no payload", await socket.call(json.dumps([name]).encode()))
        for label, arguments in {
            "not an array": b'{"send": {}}',
            "empty array": b"[]",
            "number as event name": b"[5, {}]",
            "array as event name": b'[["send"], {}]',
            "truncated": b'["send", {"recipient_id": 1',
            "event name with a lone surrogate": b'["\\ud800", {}]',
            "duplicate keys in the event": b'["send", {"content": "a", "content": "a", "recipient_id": 1}]',
            "the unreadable-payload event by name": b'["unreadable payload", "spoofed"]',
        }.items():
            check("event array", label, await socket.call(arguments))
        await socket.ws.send_bytes(b"\xff\xfe garbage without a packet")
        still_there = await socket.call(event("typing", json.dumps({"recipient_id": peer.id}).encode()))
        assert still_there == {"ok": True}, "the socket no longer works after the fuzzing"
    assert not failures, "\n".join(failures)
    assert len(acks) >= 30 * sum(len(bodies) for bodies in payloads.values())
    assert await state_of(http, fuzzer, peer) == before


async def test_a_polling_post_that_is_not_utf8_is_a_400_and_the_session_lives_on(http, server, world):
    """Long-polling carries packets in HTTP bodies, where any bytes fit; Engine.IO refuses them itself."""
    fuzzer, peer = world["fuzzer"], world["peer"]
    before = await state_of(http, fuzzer, peer)
    opened = await http.get("/socket.io/", params={"EIO": "4", "transport": "polling"})
    session = {"EIO": "4", "transport": "polling", "sid": json.loads(opened.text[1:])["sid"]}
    assert (
        await http.post("/socket.io/", params=session, content="40" + json.dumps({"token": fuzzer.token}))
    ).is_success
    assert (await http.get("/socket.io/", params=session)).text.startswith("40")
    garbage = b'421["send",{"recipient_id":' + str(peer.id).encode() + b',"content":"\xff\xfe"}]'
    refused = await http.post("/socket.io/", params=session, content=garbage)
    assert refused.status_code == 400, refused.text
    assert refused.json()["status_code"] == 400 and "UTF-8" in refused.json()["detail"]
    typing = json.dumps(["typing", {"recipient_id": peer.id}])
    assert (await http.post("/socket.io/", params=session, content="422" + typing)).is_success
    assert "432[" in (await http.get("/socket.io/", params=session)).text
    assert await state_of(http, fuzzer, peer) == before


async def test_a_socket_payload_nested_thousands_deep_is_a_400_ack_and_the_socket_stays(server, http, world):
    fuzzer, peer = world["fuzzer"], world["peer"]
    async with raw_socket(server.url, fuzzer.token) as socket:
        for depth in (600, 3000, 30000):
            nested = b"[" * depth + b"]" * depth
            ack = await socket.call(event("send", b'{"recipient_id": %d, "content": %s}' % (peer.id, nested)))
            assert ack["ok"] is False and ack["status"] == 400, (depth, ack)
        sent = await socket.call(event("send", json.dumps({"recipient_id": peer.id, "content": "still here"}).encode()))
        assert sent["ok"] is True
    history = (await http.get("/api/messages", headers=fuzzer.headers, params={"with": peer.id})).json()
    assert [message["content"] for message in history] == ["hi", "still here"]


async def test_a_duplicate_key_is_a_400_that_names_it_on_rest_and_sockets(server, http, world):
    fuzzer, peer = world["fuzzer"], world["peer"]
    body = b'{"recipient_id": %d, "content": "first", "content": "second"}' % peer.id
    headers = {**fuzzer.headers, "Content-Type": "application/json"}
    response = await http.post("/api/messages", headers=headers, content=body)
    assert response.status_code == 400
    assert response.json()["detail"] == "the key 'content' appears twice in one JSON object"
    async with raw_socket(server.url, fuzzer.token) as socket:
        ack = await socket.call(event("send", body))
    assert ack == {
        "ok": False,
        "status": 400,
        "detail": "unreadable payload: the key 'content' appears twice in one JSON object",
    }
    history = (await http.get("/api/messages", headers=fuzzer.headers, params={"with": peer.id})).json()
    assert [message["content"] for message in history] == ["hi"]
