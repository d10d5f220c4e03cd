"""A `json` module for python-socketio backed by msgspec, so Structs are encoded directly and fast."""

from typing import Any

import msgspec

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


def dumps(obj: Any, **_options: Any) -> str:
    return _encoder.encode(obj).decode()


def loads(data: str | bytes, **_options: Any) -> Any:
    try:
        return _decoder.decode(data)
    except msgspec.DecodeError as error:  # python-socketio expects the stdlib's ValueError
        raise ValueError(str(error)) from error
