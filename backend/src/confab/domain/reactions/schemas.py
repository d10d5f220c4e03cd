"""Reaction bodies, and what counts as one emoji."""

from __future__ import annotations

from typing import Annotated

import emoji
import msgspec

from confab.errors import BadRequest
from confab.schemas import Id, Schema

# More distinct emoji than this on one message is refused: a reaction bar is not a drawing surface.
MAX_DISTINCT_EMOJI = 20


class Reaction(Schema):
    """One emoji on a message: how many people used it, and who (in the order they reacted)."""

    emoji: Annotated[str, msgspec.Meta(description="One emoji (a single grapheme cluster).", examples=["👍"])]
    count: Annotated[int, msgspec.Meta(ge=1)]
    user_ids: list[Id]


def require_one_emoji(text: str) -> str:
    """The text when it is exactly one emoji (ZWJ sequences, flags, skin tones included), else a 400."""
    if not emoji.is_emoji(text):
        raise BadRequest(f"emoji: must be exactly one emoji, not {text[:16]!r}")
    return text
