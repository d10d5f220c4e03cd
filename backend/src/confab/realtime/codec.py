"""A `json` module for python-socketio backed by msgspec, so Structs are encoded directly and fast."""

from __future__ import annotations

from typing import Any

import msgspec

from confab.untrusted_json import UnreadableJSON, refuse_ambiguous_json

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


def dumps(obj: Any, **_options: Any) -> str:
    return _encoder.encode(obj).decode()


def loads(data: str | bytes, **_options: Any) -> Any:
    """Decode a client's JSON; any refusal is a `ValueError`, which is what python-socketio expects."""
    try:
        value = _decoder.decode(data)
    except msgspec.DecodeError as error:
        raise ValueError(str(error)) from error
    except RecursionError as error:
        raise UnreadableJSON("the JSON is nested too deeply") from error
    refuse_ambiguous_json(data)
    return value
