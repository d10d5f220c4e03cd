"""Login does not reveal which nicknames exist: same answer, and the same password-hashing work."""

from __future__ import annotations

import pytest


@pytest.fixture
def verifications(server, monkeypatch):
    """Count the argon2 verifications the server performs."""
    passwords = server.app.state.passwords
    calls: list[str] = []

    class CountingHasher:
        def __init__(self, real):
            self.real = real

        def hash(self, password: str) -> str:
            return self.real.hash(password)

        def verify(self, hash_: str, password: str) -> bool:
            calls.append(hash_)
            return self.real.verify(hash_, password)

    monkeypatch.setattr(passwords, "_hasher", CountingHasher(passwords._hasher))
    return calls


async def test_unknown_nickname_costs_one_verification_like_a_wrong_password(http, make_user, verifications):
    alice = await make_user()
    verifications.clear()
    wrong = await http.post("/api/auth/token", json={"nickname": alice.nickname, "password": "wrong-password"})
    unknown = await http.post(
        "/api/auth/token", json={"nickname": "no-such-" + alice.nickname, "password": "whatever1"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert len(verifications) == 2
    assert all(hash_.startswith("$argon2") for hash_ in verifications)
