"""Device labels for the session list ("Firefox on Android", "confab CLI") from a User-Agent header.

Browsers and systems are recognised by ua-parser (the maintained uap-core rules), not by regexes of our
own, which would go stale with every browser release.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from litestar.connection import ASGIConnection
from ua_parser import parse

# The `confab` command-line client announces itself as `confab-cli/<version>` (client/api.py).
CLI_PRODUCT = "confab-cli/"
UNKNOWN_DEVICE = "Unknown device"
_MOBILE = re.compile(r"\s*\bMobile\b\s*")


@lru_cache(maxsize=1024)
def device_label(user_agent: str) -> str:
    """ "<browser> on <system>" when ua-parser knows them; "Unknown device" when it knows neither."""
    if user_agent.startswith(CLI_PRODUCT):
        return "confab CLI"
    parsed = parse(user_agent)
    # "Firefox Mobile" and "Mobile Safari" are Firefox and Safari; the system already says it is a phone.
    browser = _MOBILE.sub(" ", parsed.user_agent.family).strip() if parsed.user_agent else ""
    system = parsed.os.family if parsed.os else ""
    if browser and system:
        return f"{browser} on {system}"
    if browser:
        return browser
    if system:
        return f"Unknown browser on {system}"
    return UNKNOWN_DEVICE


def user_agent_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The User-Agent header as sent (stored with the session, so a newer parser relabels old sessions)."""
    return connection.headers.get("user-agent", "")
