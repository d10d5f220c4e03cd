"""The search query language, parsed into what to match and where to look.

`deploy "release notes" -staging from:bob in:general after:2026-11-01 has:link`: plain words must
all match (by prefix: `deploy` finds `deployment`), a quoted phrase matches its words in order and
whole, `-word` excludes, and operators narrow. Words are folded like the people directory's keys
(case and accents ignored), and split where the index splits them: `deploy-notes` is the phrase
"deploy notes". Anything that looks like an operator but is not one is refused rather than
searched as text, so a typo such as `form:bob` is never silently a word; quote it to search the text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from confab.domain.accounts.directory import fold

OPERATORS = ("from", "with", "in", "before", "after", "has")
MAX_TERMS = 20
MAX_QUERY_LENGTH = 500

WORD = re.compile(r"[^\W_]+")
# A token: optional minus, optional `name:`, then a quoted string or a run of non-spaces.
_TOKEN = re.compile(r'(-?)(?:([A-Za-z]+):)?("(?:[^"]*)"?|\S*)')
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class QueryError(ValueError):
    """The query cannot be searched; the message names the part that is wrong."""


@dataclass(frozen=True)
class Term:
    """Folded words to find: one unquoted word is matched by prefix; a phrase (or a quoted word) whole,
    its words in order."""

    words: tuple[str, ...]
    by_prefix: bool


@dataclass
class SearchQuery:
    """A parsed query: the text terms to find and to exclude, and the operators' narrowing."""

    terms: list[Term] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    peers: list[str] = field(default_factory=list)
    room_names: list[str] = field(default_factory=list)
    room_ids: list[int] = field(default_factory=list)
    before: datetime | None = None
    after: datetime | None = None
    has_link: bool = False

    @property
    def conversations_named(self) -> bool:
        return bool(self.peers or self.room_names or self.room_ids)


def without_accents(text: str) -> str:
    """Lower case without accents: what SQLite's `unicode61 remove_diacritics 2` tokenizer does to words.

    Lighter than the directory's `fold` (which also turns `ß` into `ss`, as PostgreSQL's `unaccent` does):
    the index on each database decides, so each is given the query in its own folding (see `index`).
    """
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def folded_words(text: str) -> tuple[str, ...]:
    return tuple(WORD.findall(without_accents(text)))


def _day(operator: str, value: str) -> date:
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{operator}:{value} is not a date: write {operator}:YYYY-MM-DD") from None


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def parse(text: str) -> SearchQuery:
    """Parse `text`, raising `QueryError` naming the first wrong part."""
    if not text.strip():
        raise QueryError("the query is empty: give words to find or an operator such as from:nickname")
    query = SearchQuery()
    criteria = 0
    for match in _TOKEN.finditer(text):
        negated, operator, value = match.group(1) == "-", match.group(2), match.group(3)
        quoted = value.startswith('"')
        if quoted:
            value = value.strip('"')
        if operator is not None:
            name = operator.lower()
            if name not in OPERATORS:
                if value.startswith("//"):  # a link such as https://example.com is text, not an operator
                    _add_text(query, negated, f"{operator}:{value}")
                    criteria += 1
                    continue
                raise QueryError(f"unknown operator {operator}: (known: {', '.join(o + ':' for o in OPERATORS)})")
            if negated:
                raise QueryError(f"{operator}: cannot be negated")
            if not value:
                raise QueryError(f"{operator}: needs a value")
            _add_operator(query, name, value)
            criteria += 1
            continue
        if value in ("", "-"):
            continue
        _add_text(query, negated, value, phrase=quoted)
        criteria += 1
    if criteria == 0:
        raise QueryError("the query is empty: give words to find or an operator such as from:nickname")
    if len(query.terms) + len(query.excluded) > MAX_TERMS:
        raise QueryError(f"too many words: at most {MAX_TERMS}")
    return query


def _add_text(query: SearchQuery, negated: bool, value: str, *, phrase: bool = False) -> None:
    words = folded_words(value)
    if not words:
        raise QueryError(f"{value!r} has no letters or digits to search for")
    term = Term(words, by_prefix=not phrase and len(words) == 1)
    (query.excluded if negated else query.terms).append(term)


def _add_operator(query: SearchQuery, name: str, value: str) -> None:
    if name == "from":
        query.authors.append(value.removeprefix("@"))
    elif name == "with":
        query.peers.append(value.removeprefix("@"))
    elif name == "in":
        if value.startswith("#"):
            if not value[1:].isdigit() or not 1 <= int(value[1:]) <= 2**63 - 1:
                raise QueryError(f"in:{value} is not a room id: write in:#<id> or in:room-name")
            query.room_ids.append(int(value[1:]))
        else:
            query.room_names.append(value)
    elif name == "before":
        bound = _midnight(_day("before", value))
        query.before = bound if query.before is None else min(query.before, bound)
    elif name == "after":
        bound = _midnight(_day("after", value)) + timedelta(days=1)
        query.after = bound if query.after is None else max(query.after, bound)
    elif value.lower() == "link":
        query.has_link = True
    else:
        raise QueryError(f"unknown has:{value} (known: has:link)")


def highlights(content: str, query: SearchQuery) -> list[list[int]]:
    """[start, end) character offsets into `content` of the words the query's terms matched, in order."""
    words = [(found.start(), found.end(), fold(found.group())) for found in WORD.finditer(content)]
    spans: list[tuple[int, int]] = []
    for term in query.terms:
        parts = [fold(part) for part in term.words]
        if term.by_prefix:
            spans.extend((start, end) for start, end, word in words if word.startswith(parts[0]))
            continue
        length = len(parts)
        for index in range(len(words) - length + 1):
            if all(words[index + offset][2] == part for offset, part in enumerate(parts)):
                spans.append((words[index][0], words[index + length - 1][1]))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged
