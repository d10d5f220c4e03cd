"""Signed, expiring download links: an `<img src>` cannot send a bearer token, so the URL itself is the proof.

A link is `/api/files/{id}/{variant}?expires=<unix time>&signature=<HMAC-SHA256>` over the id, the variant
and the expiry, keyed by a key derived from `SECRET_KEY`. Only someone who may read a message carrying the
file is given a link (messages and uploads carry fresh ones); anyone holding a link may use it until it
expires, as with any capability URL.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Literal

from confab.errors import Forbidden

Variant = Literal["content", "thumbnail"]


class FileLinks:
    def __init__(self, secret_key: str, lifetime_seconds: int) -> None:
        self.key = hashlib.sha256(b"confab file links\x00" + secret_key.encode()).digest()
        self.lifetime_seconds = lifetime_seconds

    def _signature(self, file_id: int, variant: Variant, expires: int) -> str:
        return hmac.new(self.key, f"{file_id}:{variant}:{expires}".encode(), hashlib.sha256).hexdigest()

    def url(self, file_id: int, variant: Variant) -> str:
        expires = int(time.time()) + self.lifetime_seconds
        return (
            f"/api/files/{file_id}/{variant}?expires={expires}&signature={self._signature(file_id, variant, expires)}"
        )

    def check(self, file_id: int, variant: Variant, expires: int, signature: str) -> None:
        """Raise 403 unless the signature is ours for this file and variant and has not expired."""
        if not hmac.compare_digest(self._signature(file_id, variant, expires), signature):
            raise Forbidden("this file link is not valid")
        if expires < time.time():
            raise Forbidden("this file link has expired; reload the conversation for a fresh one")
