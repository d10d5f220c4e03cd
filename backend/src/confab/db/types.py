"""Values shared by the models."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Timestamps are always timezone-aware UTC (the API renders them with a `Z`)."""
    return datetime.now(UTC)
