"""Database plumbing: the engine configuration, the declarative base and the Alembic migrations."""
