"""Property tests: each msgspec field rule accepts exactly what its documented rule (restated here in plain
Python, independently of the regex) accepts, and the published patterns mean the same in every regex dialect."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confab.domain.accounts.schemas import UserCreate
from confab.domain.messages.schemas import MessageCreate
from confab.domain.rooms.schemas import RoomCreate

WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
CONTROL = "".join(map(chr, range(0x20))) + "\x7f"
# Characters that sit on the edges of the rules, mixed with arbitrary text so both sides get exercised.
EDGY = string.ascii_letters + string.digits + "_.-@ " + WHITESPACE + CONTROL + "éß€\u200b\ufeff😀"
_text = st.one_of(st.text(alphabet=EDGY, max_size=70), st.text(max_size=70))
# A final newline too: Python's `$` matches just before one, which once let "alice\n" pass as a nickname.
texts = st.one_of(_text, _text.map(lambda value: value + "\n"))
examples = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def is_blank(value: str) -> bool:
    return all(character.isspace() for character in value)


def nickname_rule(value: str) -> bool:
    """2 to 32 letters, digits, '_', '.' or '-'."""
    allowed = set(string.ascii_letters + string.digits + "_.-")
    return 2 <= len(value) <= 32 and set(value) <= allowed


def email_rule(value: str) -> bool:
    """3 to 254 characters: something, one '@', a domain with a dot inside it; no whitespace or control
    characters anywhere."""
    local, at, domain = value.partition("@")
    return (
        3 <= len(value) <= 254
        and bool(at)
        and bool(local)
        and "@" not in domain
        and "." in domain[1:-1]
        and not any(character.isspace() or character in CONTROL for character in value)
    )


def display_name_rule(value: str, longest: int = 100) -> bool:
    """1 to `longest` characters, not blank, no control characters."""
    return 1 <= len(value) <= longest and not is_blank(value) and not any(c in CONTROL for c in value)


def content_rule(value: str) -> bool:
    """1 to 4000 characters, not blank, no NUL."""
    return 1 <= len(value) <= 4000 and not is_blank(value) and "\x00" not in value


def client_id_rule(value: str) -> bool:
    """8 to 64 letters, digits, '_' or '-'."""
    return 8 <= len(value) <= 64 and set(value) <= set(string.ascii_letters + string.digits + "_-")


def accepts(schema: type[msgspec.Struct], **fields: object) -> bool:
    try:
        msgspec.convert(fields, schema)
    except msgspec.ValidationError:
        return False
    return True


def user(**fields: str) -> dict[str, str]:
    return {"name": "Alice", "email": "alice@example.com", "nickname": "alice", "password": "wonderland", **fields}


@examples
@given(texts)
def test_nickname(value: str) -> None:
    assert accepts(UserCreate, **user(nickname=value)) == nickname_rule(value)


@examples
@given(st.one_of(texts, st.builds(lambda a, b, c: f"{a}@{b}.{c}", texts, texts, texts)))
def test_email(value: str) -> None:
    assert accepts(UserCreate, **user(email=value)) == email_rule(value)


@examples
@given(st.one_of(texts, st.text(min_size=95, max_size=105)))
def test_display_name(value: str) -> None:
    assert accepts(UserCreate, **user(name=value)) == display_name_rule(value)


@examples
@given(st.one_of(texts, st.text(min_size=75, max_size=85)))
def test_room_name(value: str) -> None:
    assert accepts(RoomCreate, name=value) == display_name_rule(value, longest=80)


@examples
@given(st.one_of(texts, st.text(alphabet=EDGY, min_size=3990, max_size=4010)))
def test_content(value: str) -> None:
    assert accepts(MessageCreate, recipient_id=1, content=value) == content_rule(value)


@examples
@given(st.one_of(texts, st.text(alphabet=string.ascii_letters + "_-" + WHITESPACE, min_size=6, max_size=66)))
def test_client_id(value: str) -> None:
    assert accepts(MessageCreate, recipient_id=1, content="hi", client_id=value) == client_id_rule(value)


# Classes whose meaning differs between Python's `re` (the server) and ECMAScript (openapi.json's dialect):
# Python's \s also matches \x1c-\x1f and \x85, \w and \d match non-ASCII letters and digits.
DIALECT_DEPENDENT = re.compile(r"\\[sSwWdDbB]")


def published_patterns(document: object) -> list[str]:
    found: list[str] = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "pattern" and isinstance(value, str):
                found.append(value)
            else:
                found.extend(published_patterns(value))
    elif isinstance(document, list):
        for item in document:
            found.extend(published_patterns(item))
    return found


def test_published_patterns_mean_the_same_in_every_dialect(project_root: Path) -> None:
    patterns = published_patterns(json.loads((project_root / "openapi.json").read_text()))
    assert patterns, "openapi.json publishes no patterns at all"
    assert [pattern for pattern in patterns if DIALECT_DEPENDENT.search(pattern)] == []


@pytest.mark.parametrize(
    ("rule", "value", "expected"),
    [
        (email_rule, "a\x1c@example.com", False),
        (display_name_rule, "\u3000\u2003", False),
        (content_rule, " \n\t", False),
        (content_rule, "<img src=x onerror=alert(1)>", True),
        (nickname_rule, "ali.ce-_9", True),
        (nickname_rule, "alice\n", False),
    ],
)
def test_the_restated_rules_themselves(rule: Callable[[str], bool], value: str, expected: bool) -> None:
    assert rule(value) is expected
