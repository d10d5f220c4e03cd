"""Example bodies for the sessions routes in openapi.json: alice on her laptop and her phone, and the CLI."""

from datetime import UTC, datetime

from litestar.openapi.spec import Example

from confab.domain.sessions.schemas import Session

SESSIONS = Example(
    summary="Alice's sessions, as her laptop sees them",
    value=[
        Session(
            id="q3Zk8wYvJ2nT5bLx",
            device="Chrome on Windows",
            client_address="203.0.113.7",
            created_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
            last_used_at=datetime(2026, 11, 27, 16, 58, tzinfo=UTC),
            current=True,
        ),
        Session(
            id="Hc1uV0pRmA7sWq9e",
            device="Firefox on Android",
            client_address="198.51.100.23",
            created_at=datetime(2026, 11, 24, 18, 30, tzinfo=UTC),
            last_used_at=datetime(2026, 11, 26, 21, 12, tzinfo=UTC),
            current=False,
        ),
        Session(
            id="t8JxN2bQe5LkZy4o",
            device="confab CLI",
            client_address="203.0.113.7",
            created_at=datetime(2026, 11, 27, 8, 15, tzinfo=UTC),
            last_used_at=datetime(2026, 11, 27, 8, 16, tzinfo=UTC),
            current=False,
        ),
    ],
)
