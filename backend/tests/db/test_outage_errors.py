"""An outage answers 503 whichever layer raised it, including advanced-alchemy's repositories, which rewrap
SQLAlchemy's errors as their own (a sign-up's INSERT runs through one)."""

from __future__ import annotations

from typing import Any

from advanced_alchemy.exceptions import wrap_sqlalchemy_exception
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy.exc import DBAPIError, IntegrityError

from tests.support.accounts import PASSWORD, unique_nickname


def sign_up_form(nickname: str) -> dict[str, str]:
    return {"name": "Bob", "email": f"{nickname}@example.com", "nickname": nickname, "password": PASSWORD}


async def test_a_sign_up_whose_insert_loses_its_connection_inside_the_repository_answers_503(http, monkeypatch):
    async def lost_mid_statement(*_arguments: Any, **_keywords: Any) -> None:
        lost = ConnectionResetError(104, "Connection reset by peer")
        with wrap_sqlalchemy_exception():  # what the repository does around every statement
            raise DBAPIError("INSERT INTO users ...", {}, lost, connection_invalidated=False)

    monkeypatch.setattr(SQLAlchemyAsyncRepository, "add", lost_mid_statement)
    nickname = unique_nickname("bob")
    answer = await http.post("/api/users", json=sign_up_form(nickname))
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "2"


async def test_a_repository_error_that_is_no_outage_keeps_advanced_alchemys_answer(http, monkeypatch):
    """A constraint the sign-up does not name (not the nickname's, not the email's) is still a 409."""

    async def refused_by_a_constraint(*_arguments: Any, **_keywords: Any) -> None:
        with wrap_sqlalchemy_exception():
            raise IntegrityError("INSERT INTO users ...", {}, Exception("violates check constraint ck_users_x"))

    monkeypatch.setattr(SQLAlchemyAsyncRepository, "add", refused_by_a_constraint)
    answer = await http.post("/api/users", json=sign_up_form(unique_nickname("bob")))
    assert answer.status_code == 409, answer.text
