"""`confab serve`: the refusals that protect a multi-worker deployment, and what its logs may contain."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys

from confab.logging import RedactQuerySecrets, json_formatter, redact_query
from tests.support.serving import backend_environment


def test_several_workers_without_redis_are_refused_with_the_reason(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "confab.cli", "serve", "--workers", "2"],
        cwd=tmp_path,
        env=backend_environment(SECRET_KEY="test-secret", DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/c.db"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result
    assert "REDIS_URL" in result.stderr
    assert "would never reach the sockets connected to another" in result.stderr


def test_an_unmigrated_database_is_refused_before_any_worker_starts(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "confab.cli", "serve", "--workers", "1", "--port", "1"],
        cwd=tmp_path,
        env=backend_environment(SECRET_KEY="test-secret", DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/c.db"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result
    assert "confab migrate" in result.stderr


def test_credentials_in_query_strings_are_masked() -> None:
    assert redact_query("/x?token=abc&after=5") == "/x?token=[redacted]&after=5"
    assert (
        redact_query("/socket.io/?EIO=4&transport=polling&sid=Zx9")
        == "/socket.io/?EIO=4&transport=polling&sid=[redacted]"
    )
    assert redact_query("/x?ACCESS_TOKEN=abc") == "/x?ACCESS_TOKEN=[redacted]"
    assert redact_query("/x?notoken=1&paid=2") == "/x?notoken=1&paid=2"


def test_access_log_lines_are_json_with_their_fields() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(RedactQuerySecrets())
    logger = logging.getLogger("uvicorn.access")
    logger.addHandler(handler)
    propagate, level = logger.propagate, logger.level
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        logger.info('%s - "%s %s HTTP/%s" %d', "10.0.0.1:5000", "GET", "/api/x?token=abc", "1.1", 200)
    finally:
        logger.removeHandler(handler)
        logger.propagate, logger.level = propagate, level
    line = json.loads(stream.getvalue())
    assert line["level"] == "INFO"
    assert line["path"] == "/api/x?token=[redacted]"
    assert line["status"] == 200
    assert "abc" not in stream.getvalue()
