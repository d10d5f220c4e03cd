"""Runtime configuration, read once from environment variables (real variables win over `.env`)."""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

logger = logging.getLogger("confab.settings")

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./confab.db"
DEFAULT_SECRET_FILE = ".confab-secret"


def _read_dotenv(path: Path) -> dict[str, str]:
    """Parse a minimal `KEY=value` file; real environment variables take precedence over it."""
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for raw_line in path.read_text().splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def _flag(value: str) -> bool:
    return value.strip().lower() not in {"", "0", "false", "no", "off"}


def _load_or_create_secret(path: Path) -> str:
    """Development fallback: one random secret kept in a git-ignored file so tokens survive restarts."""
    if path.is_file():
        return path.read_text().strip()
    secret = secrets.token_urlsafe(48)
    path.write_text(secret + "\n")
    path.chmod(0o600)
    logger.warning("SECRET_KEY is not set: generated one and stored it in %s (development only)", path)
    return secret


@dataclass(frozen=True)
class Settings:
    """Everything confab can be configured with; see README "Configuration" for each variable."""

    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = ""
    token_lifetime_seconds: int = 7 * 24 * 3600
    redis_url: str | None = None
    redis_prefix: str = "confab"
    presence_ttl_seconds: float = 60.0
    cors_origins: tuple[str, ...] = ()
    database_pool_size: int = 10
    database_max_overflow: int = 10
    database_pool_timeout: float = 30.0
    database_echo: bool = False
    password_hash_profile: str = "RFC_9106_LOW_MEMORY"
    rate_limits: bool = True
    rate_limit_signup: str = "10/hour"
    rate_limit_login: str = "20/minute"
    rate_limit_login_failures: str = "10/hour"
    rate_limit_send: str = "120/minute"
    rate_limit_typing: str = "1/second"
    max_body_bytes: int = 64 * 1024
    shutdown_grace_seconds: float = 10.0
    log_json: bool = False
    upload_dir: str = "uploads"
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    aws_access_key_id: str | None = None
    aws_secret_access_key: str | None = None
    max_upload_bytes: int = 25 * 1024 * 1024
    upload_quota_bytes: int = 1024 * 1024 * 1024
    file_url_lifetime_seconds: int = 3600
    orphan_file_lifetime_seconds: int = 24 * 3600
    orphan_sweep_interval_seconds: float = 600.0

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from `.env` (if present) overlaid with the process environment."""
        values = _read_dotenv(Path(".env"))
        values.update(environ if environ is not None else os.environ)
        secret_key = values.get("SECRET_KEY") or _load_or_create_secret(
            Path(values.get("SECRET_KEY_FILE", DEFAULT_SECRET_FILE))
        )
        origins = tuple(o.strip() for o in values.get("CORS_ORIGINS", "").split(",") if o.strip())
        return cls(
            database_url=values.get("DATABASE_URL", DEFAULT_DATABASE_URL),
            secret_key=secret_key,
            token_lifetime_seconds=int(values.get("TOKEN_LIFETIME_SECONDS", 7 * 24 * 3600)),
            redis_url=values.get("REDIS_URL") or None,
            redis_prefix=values.get("REDIS_PREFIX", "confab"),
            presence_ttl_seconds=float(values.get("PRESENCE_TTL_SECONDS", 60)),
            cors_origins=origins,
            database_pool_size=int(values.get("DATABASE_POOL_SIZE", 10)),
            database_max_overflow=int(values.get("DATABASE_MAX_OVERFLOW", 10)),
            database_pool_timeout=float(values.get("DATABASE_POOL_TIMEOUT", 30)),
            database_echo=_flag(values.get("DATABASE_ECHO", "")),
            password_hash_profile=values.get("PASSWORD_HASH_PROFILE", "RFC_9106_LOW_MEMORY"),
            rate_limits=_flag(values.get("RATE_LIMITS", "on")),
            rate_limit_signup=values.get("RATE_LIMIT_SIGNUP", "10/hour"),
            rate_limit_login=values.get("RATE_LIMIT_LOGIN", "20/minute"),
            rate_limit_login_failures=values.get("RATE_LIMIT_LOGIN_FAILURES", "10/hour"),
            rate_limit_send=values.get("RATE_LIMIT_SEND", "120/minute"),
            rate_limit_typing=values.get("RATE_LIMIT_TYPING", "1/second"),
            max_body_bytes=int(values.get("MAX_BODY_BYTES", 64 * 1024)),
            shutdown_grace_seconds=float(values.get("SHUTDOWN_GRACE_SECONDS", 10)),
            log_json=_flag(values.get("LOG_JSON", "")),
            upload_dir=values.get("UPLOAD_DIR", "uploads"),
            s3_bucket=values.get("S3_BUCKET") or None,
            s3_endpoint_url=values.get("S3_ENDPOINT_URL") or None,
            s3_region=values.get("AWS_REGION") or values.get("AWS_DEFAULT_REGION") or "us-east-1",
            aws_access_key_id=values.get("AWS_ACCESS_KEY_ID") or None,
            aws_secret_access_key=values.get("AWS_SECRET_ACCESS_KEY") or None,
            max_upload_bytes=int(values.get("MAX_UPLOAD_BYTES", 25 * 1024 * 1024)),
            upload_quota_bytes=int(values.get("UPLOAD_QUOTA_BYTES", 1024 * 1024 * 1024)),
            file_url_lifetime_seconds=int(values.get("FILE_URL_LIFETIME_SECONDS", 3600)),
            orphan_sweep_interval_seconds=float(values.get("ORPHAN_SWEEP_INTERVAL_SECONDS", 600)),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, loaded on first use."""
    return Settings.from_env()
