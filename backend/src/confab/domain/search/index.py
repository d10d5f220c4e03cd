"""The full-text index on each database: how a parsed query becomes a match condition, and a rebuild.

The index itself is created by migration 0007 and kept in step by the database (SQLite triggers on an
FTS5 table, a PostgreSQL generated `tsvector` column), so every write path, the bench's bulk insert
included, leaves it current. Terms reach the match expression only as runs of letters and digits
(see `confab.domain.search.query.WORD`), quoted, so no user text is ever read as query syntax.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Exists, Select, TextClause, bindparam, column, literal_column, select, table, text
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.accounts.directory import fold
from confab.domain.messages.models import MessageModel
from confab.domain.search.query import WORD, Term


def described_by_the_models(name: str | None, type_: str, _parent_names: object) -> bool:
    """For Alembic's `include_name`: the FTS5 table and its shadow tables are made by migration 0007, not
    described by the models, so schema comparisons leave them alone."""
    return not (type_ == "table" and name is not None and name.startswith("message_search"))


# The FTS5 table (SQLite); its rowid is the message id.
message_search = table("message_search", column("rowid"))
SEARCH_VECTOR = literal_column("messages.search_vector")


def fts5_expression(terms: list[Term], excluded: list[Term] | None = None) -> str:
    """`"deploy"* AND "release notes"`: one word by prefix, several as an exact phrase; with `excluded`,
    `(...) NOT ("staging"* OR ...)`, which FTS5 answers by skipping through the excluded words' lists."""
    found = " AND ".join(_fts5_term(term) for term in terms)
    if not excluded:
        return found
    return f"({found}) NOT ({_fts5_any(excluded)})"


def _fts5_any(terms: list[Term]) -> str:
    return " OR ".join(_fts5_term(term) for term in terms)


def _fts5_term(term: Term) -> str:
    return '"' + " ".join(term.words) + '"' + ("*" if term.by_prefix else "")


def tsquery_expression(terms: list[Term]) -> str:
    """`'deploy':* & ('release' <-> 'notes')`: the same meaning as `fts5_expression` for PostgreSQL, whose
    index folds like `unaccent` (`ß` is `ss`), as the directory's `fold` does."""
    parts = []
    for term in terms:
        words = ["".join(WORD.findall(fold(word))) for word in term.words]
        if term.by_prefix:
            parts.append(f"'{words[0]}':*")
        else:
            parts.append("(" + " <-> ".join(f"'{word}'" for word in words) + ")")
    return " & ".join(parts)


def excluding(dialect: str, terms: list[Term], name: str) -> ColumnElement[bool]:
    """Messages whose content has none of the terms (a query with no words to find: `-lunch from:bob`)."""
    if dialect == "postgresql":
        return ~SEARCH_VECTOR.op("@@")(_tsquery(name, " | ".join(f"({tsquery_expression([t])})" for t in terms)))
    return MessageModel.id.not_in(select(message_search.c.rowid).where(_fts5_match(name, _fts5_any(terms))))


# Checking one message against the FTS5 index costs about 30 microseconds (the expression is parsed and every
# segment of the index sought again for each row): a walk of this many messages stays under 10 ms of CPU.
CHECKED_ONE_BY_ONE = 300
# Counting the messages a reader can read among a named person's or conversation's reads each of them (about
# 2 microseconds): past this many, named messages are not counted, and the index drives.
NAMED_COUNTED = 3000


def matching(
    dialect: str, statement: Select[tuple[int]], terms: list[Term], excluded: list[Term], *, check_each_row: bool
) -> Select[tuple[int]]:
    """`statement` (ids of messages, newest first) narrowed to messages whose content has every term and
    none of the `excluded` ones.

    On SQLite the FTS5 table drives the join in descending rowid order, so a first page of a common word
    stops after enough readable matches instead of collecting every match first. With `check_each_row`
    (the other conditions leave at most `CHECKED_ONE_BY_ONE` messages: one person's, in the rooms I share
    with them), those messages are walked instead and each is checked against the index: a common word
    would otherwise be followed through the whole index, most of it other people's messages.
    PostgreSQL's planner makes that choice itself.
    """
    if dialect == "postgresql":
        statement = statement.where(SEARCH_VECTOR.op("@@")(_tsquery("search_terms", tsquery_expression(terms))))
        return statement.where(excluding(dialect, excluded, "excluded_terms")) if excluded else statement
    if check_each_row:
        # Excluded words checked apart, only on the messages that have the others: a `NOT` in the expression
        # checked for one row costs FTS5 about four times as much.
        statement = statement.where(_this_message_matches("search_terms", fts5_expression(terms)))
        if excluded:
            statement = statement.where(~_this_message_matches("excluded_terms", _fts5_any(excluded)))
        return statement
    return (
        statement.join(message_search, message_search.c.rowid == MessageModel.id)
        .where(_fts5_match("search_terms", fts5_expression(terms, excluded)))
        .order_by(None)
        .order_by(message_search.c.rowid.desc())
    )


def _this_message_matches(name: str, expression: str) -> Exists:
    """The FTS5 index checked for the one message of the enclosing statement's row."""
    return (
        select(message_search.c.rowid)
        .where(message_search.c.rowid == MessageModel.id, _fts5_match(name, expression))
        .exists()
    )


def _tsquery(name: str, expression: str) -> TextClause:
    return text(f"to_tsquery('simple', :{name})").bindparams(bindparam(name, expression))


def _fts5_match(name: str, expression: str) -> TextClause:
    return text(f"message_search MATCH :{name}").bindparams(bindparam(name, expression))


async def rebuild(session: AsyncSession) -> None:
    """Rebuild the index from the messages as stored (`confab reindex`)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("REINDEX INDEX ix_messages_search_vector"))
    else:
        await session.execute(text("INSERT INTO message_search(message_search) VALUES ('rebuild')"))
    await session.commit()
