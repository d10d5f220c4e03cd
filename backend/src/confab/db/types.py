"""Column types shared by the models."""

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Integer

# 64-bit ids everywhere; SQLite only autoincrements a column declared INTEGER.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utc_now() -> datetime:
    return datetime.now(UTC)
