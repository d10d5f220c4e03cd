"""Settings: environment variables win over .env, and a development secret is generated once and kept."""

from __future__ import annotations

import logging
import stat

from confab.settings import Settings


def test_without_secret_key_one_is_generated_kept_and_announced(tmp_path, monkeypatch, caplog):
    monkeypatch.chdir(tmp_path)
    with caplog.at_level(logging.WARNING, logger="confab.settings"):
        first = Settings.from_env({})
    secret_file = tmp_path / ".confab-secret"
    assert len(first.secret_key) >= 32
    assert secret_file.read_text().strip() == first.secret_key
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert "SECRET_KEY is not set" in caplog.text
    assert Settings.from_env({}).secret_key == first.secret_key  # tokens survive a restart


def test_environment_wins_over_dotenv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("SECRET_KEY=from-dotenv\nDATABASE_URL=sqlite+aiosqlite:///dotenv.db\n")
    settings = Settings.from_env({"SECRET_KEY": "from-environment"})
    assert settings.secret_key == "from-environment"
    assert settings.database_url == "sqlite+aiosqlite:///dotenv.db"
    assert not (tmp_path / ".confab-secret").exists()


def test_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({"SECRET_KEY": "x"})
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.token_lifetime_seconds == 7 * 24 * 3600
    assert settings.redis_url is None
    assert settings.rate_limits is True
    assert Settings.from_env({"SECRET_KEY": "x", "RATE_LIMITS": "off"}).rate_limits is False
