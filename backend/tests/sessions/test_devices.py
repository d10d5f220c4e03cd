"""Device labels: browser and system from ua-parser, the CLI by its product token, else 'Unknown device'."""

from __future__ import annotations

import pytest

from confab.client.api import USER_AGENT
from confab.domain.sessions.devices import device_label
from tests.sessions.conftest import CHROME_ON_WINDOWS, FIREFOX_ON_ANDROID

SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
FIREFOX_ON_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.mark.parametrize(
    ("user_agent", "label"),
    [
        (CHROME_ON_WINDOWS, "Chrome on Windows"),
        (FIREFOX_ON_ANDROID, "Firefox on Android"),
        (SAFARI_ON_IPHONE, "Safari on iOS"),
        (FIREFOX_ON_LINUX, "Firefox on Linux"),
        (USER_AGENT, "confab CLI"),
        ("python-httpx/0.28.1", "Unknown device"),
        ("", "Unknown device"),
        ("<script>alert(1)</script>", "Unknown device"),
    ],
)
def test_device_labels(user_agent, label):
    assert device_label(user_agent) == label
