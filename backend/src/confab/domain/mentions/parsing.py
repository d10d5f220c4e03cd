"""Finding `@nickname` and `@room` in a message's text.

A mention is `@` followed by a nickname's characters, standing alone: not inside a word (`x@bob`), not
part of an email address (`bob@example.com`, `@bob@example.com`) or a path (`example.com/@bob`), and
not followed by more word characters (`@bob-é`). Nicknames compare regardless of case. Punctuation that
ends a sentence is not part of the nickname unless a nickname with it exists: `@bob.` names `bob.` if
there is such a user, else `bob`. `@room` (any case) always means everyone in the conversation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Possessive (`++`): the nickname is taken whole or not at all, so a longer word never yields a shorter name.
MENTION = re.compile(r"(?<![\w.@/-])@([A-Za-z0-9_.-]++)(?![\w@])")
ROOM_KEYWORD = "room"
# More distinct names than this in one message are not looked at: `@room` reaches everyone anyway.
MAX_NAMES = 50
TRAILING_PUNCTUATION = "._-"


@dataclass(frozen=True)
class Mentioned:
    """What a text names: folded nicknames, each with its fallback without trailing punctuation, and `@room`."""

    names: tuple[tuple[str, str], ...]
    room: bool

    def __bool__(self) -> bool:
        return self.room or bool(self.names)

    def resolve(self, nicknames: dict[str, int]) -> set[int]:
        """The ids among `nicknames` (folded nickname -> id, the possible readers) that the text names."""
        found: set[int] = set()
        for whole, trimmed in self.names:
            user_id = nicknames.get(whole, nicknames.get(trimmed))
            if user_id is not None:
                found.add(user_id)
        return found


NOTHING = Mentioned(names=(), room=False)


def find_mentions(content: str) -> Mentioned:
    """The names and the `@room` that `content` mentions (nothing for text without `@`, cheaply)."""
    if "@" not in content:
        return NOTHING
    names: dict[str, str] = {}
    room = False
    for match in MENTION.finditer(content):
        whole = match.group(1).lower()
        trimmed = whole.rstrip(TRAILING_PUNCTUATION)
        if trimmed == ROOM_KEYWORD:
            room = True
        elif whole not in names and len(names) < MAX_NAMES:
            names[whole] = trimmed
    return Mentioned(names=tuple(names.items()), room=room)
