"""How the people directory matches text: search keys folded from nicknames and names, and page cursors.

A name is searchable from each of its words on: "José Díaz" is stored as the keys "jose diaz" and
"diaz", so `jose`, `jose d` and `di` all find it with one prefix range on an index. Keys and queries
are folded the same way (accents stripped, case folded, punctuation as one space), so `JOSE` and
`josé` find it too.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from typing import Annotated, Literal

import msgspec

from confab.schemas import MAX_ID

# Letters that carry their accent in the letter itself rather than as a separate combining mark.
_UNDECOMPOSABLE = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "\u0131": "i", "æ": "ae", "œ": "oe", "þ": "th"}  # \u0131: dotless i
)
_NOT_A_WORD = re.compile(r"[\W_]+")
MAX_KEY_LENGTH = 200

NICKNAME = 0
NAME = 1


def fold(text: str) -> str:
    """`text` casefolded, with accents and compatibility forms (ligatures, full-width letters) undone."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(character for character in decomposed if not unicodedata.combining(character))
    return unicodedata.normalize("NFC", bare.translate(_UNDECOMPOSABLE))


def nickname_key(text: str) -> str:
    return fold(text).strip()[:MAX_KEY_LENGTH]


def name_key(text: str) -> str:
    """The folded words of `text` joined by single spaces: punctuation and runs of spaces do not count."""
    return " ".join(word for word in _NOT_A_WORD.split(fold(text)) if word)[:MAX_KEY_LENGTH]


def name_keys(name: str) -> list[str]:
    """The name from each of its words on, so any word start is a prefix of one key."""
    words = name_key(name).split(" ")
    return [" ".join(words[start:]) for start in range(len(words)) if words[start]]


def prefix_end(prefix: str) -> str | None:
    """The smallest text greater than every text starting with `prefix` (code point order), None if none is."""
    following = ord(prefix[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:  # surrogates cannot be stored; the next character is U+E000
        following = 0xE000
    if following > 0x10FFFF:
        return None
    return prefix[:-1] + chr(following)


# A cursor comes back from clients: its values are checked like any other input before they reach SQL.
CursorId = Annotated[int, msgspec.Meta(ge=0, le=MAX_ID)]
CursorText = Annotated[str, msgspec.Meta(max_length=MAX_KEY_LENGTH, pattern=r"^[^\x00]*$")]


class DirectoryCursor(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    """Where a page of the directory ended. `mode` is the listing it belongs to; a search continues after
    (`kind`, `key`, `user_id`), a conversation list before `message_id`, the whole list after `user_id`."""

    mode: Literal["all", "search", "conversations"]
    user_id: CursorId = 0
    kind: Literal[0, 1] = NICKNAME
    key: CursorText = ""
    query: CursorText = ""
    message_id: CursorId = 0


class BadCursor(ValueError):
    """The text is not a cursor this server gave out."""


def encode_cursor(cursor: DirectoryCursor) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(cursor)).decode().rstrip("=")


def decode_cursor(text: str) -> DirectoryCursor:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return msgspec.json.decode(raw, type=DirectoryCursor)
    except (binascii.Error, ValueError, msgspec.DecodeError) as error:
        raise BadCursor(text) from error
