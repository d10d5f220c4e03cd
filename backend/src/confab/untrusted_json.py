"""The checks every JSON text from a client passes, REST body and socket payload alike, before it is read."""

from __future__ import annotations

import json
import math
from typing import Any, NoReturn


class UnreadableJSON(ValueError):
    """JSON that a reader could take more than one way, or that no reader should try to follow."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for key, _value in pairs:
        if key in seen:
            raise UnreadableJSON(f"the key {key!r} appears twice in one JSON object")
        seen.add(key)
    return dict(pairs)


def _representable_number(text: str) -> float:
    """A float that means what its text says: no overflow to infinity, no underflow of a non-zero to 0."""
    value = float(text)
    mantissa = text.lower().partition("e")[0]
    if math.isinf(value) or (value == 0 and any(digit in mantissa for digit in "123456789")):
        raise UnreadableJSON(f"the number {text[:24]} is out of range")
    return value


def _not_json(constant: str) -> NoReturn:
    raise UnreadableJSON(f"{constant} is not a JSON number")


def refuse_ambiguous_json(data: str | bytes) -> None:
    """Raise `UnreadableJSON` for what decoders disagree on or cannot follow: bytes that are not UTF-8, an
    object with a duplicate key (first or last wins?), a number beyond a float's range (infinity, or 0 for
    a tiny non-zero), NaN or Infinity, or nesting past the interpreter's recursion limit. Malformed JSON
    passes: the caller's decoder reports it with its position.
    """
    try:
        text = data.decode() if isinstance(data, bytes) else data
    except UnicodeDecodeError as error:
        raise UnreadableJSON(f"the JSON is not valid UTF-8 (byte {error.start})") from error
    try:
        json.loads(text, object_pairs_hook=_unique_keys, parse_float=_representable_number, parse_constant=_not_json)
    except RecursionError as error:
        raise UnreadableJSON("the JSON is nested too deeply") from error
    except UnreadableJSON:
        raise
    except ValueError:
        pass
