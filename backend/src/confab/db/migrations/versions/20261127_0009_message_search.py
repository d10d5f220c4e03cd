"""Message search: a full-text index over message content, kept in step by the database itself.

`GET /api/search` must find a message by its words among a million, with case and accents ignored
(`cafe` finds `Café`) and words found by prefix (`deploy` finds `deployment`); a `LIKE '%word%'`
scan reads every row. The index is maintained by the database in the same transaction as the write,
so an edit is found by its new words at once and a deleted message (its content erased to "") by none.

SQLite: an FTS5 table over `messages.content` (external content, so the text is stored once) with the
`unicode61 remove_diacritics 2` tokenizer (folds case and accents), kept in step by triggers. Prefix
indexes for 2 to 6 characters make `the*` one doclist read newest first and stopped after a page,
instead of a merge of every word starting so (the, then, there, they, ...) before the first row. Batch
migrations that copy `messages` drop these triggers: such a migration must create them again
(`create_sqlite_index` below) and rebuild.

PostgreSQL: a stored generated `tsvector` column over the content folded by `unaccent` and `lower`
(the `simple` configuration: no stemming, no stop words, so every word and its prefixes are found),
with a GIN index updated at each write (`fastupdate = off`). `unaccent` ships with PostgreSQL
(contrib) and is a trusted extension.
ASCII punctuation becomes spaces first, so `example.com/deploy-notes` is the words `example`, `com`,
`deploy`, `notes` on both databases (PostgreSQL's parser would otherwise keep hosts and paths whole).

The migration builds the index for existing messages; `confab reindex` rebuilds it on demand.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What `translate()` turns into spaces before PostgreSQL's parser sees the text (one space each).
_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


def create_sqlite_index() -> list[str]:
    """The FTS5 table and the triggers that keep it in step with `messages`."""
    return [
        "CREATE VIRTUAL TABLE message_search USING fts5(content, content='messages', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3 4 5 6')",
        "CREATE TRIGGER message_search_insert AFTER INSERT ON messages BEGIN "
        "INSERT INTO message_search(rowid, content) VALUES (new.id, new.content); END",
        "CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN "
        "INSERT INTO message_search(message_search, rowid, content) VALUES ('delete', old.id, old.content); END",
        "CREATE TRIGGER message_search_update AFTER UPDATE OF content ON messages BEGIN "
        "INSERT INTO message_search(message_search, rowid, content) VALUES ('delete', old.id, old.content); "
        "INSERT INTO message_search(rowid, content) VALUES (new.id, new.content); END",
        "INSERT INTO message_search(message_search) VALUES ('rebuild')",
    ]


def _postgresql_statements() -> list[str]:
    punctuation = _PUNCTUATION.replace("'", "''")
    spaces = " " * len(_PUNCTUATION)
    return [
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        # unaccent() is only STABLE (its dictionary could change); pinned to one dictionary it is
        # immutable in practice, which a generated column requires.
        "CREATE FUNCTION confab_search_text(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS "
        f"$$ SELECT translate(lower(public.unaccent('public.unaccent'::regdictionary, $1)), "
        f"'{punctuation}', '{spaces}') $$",
        "ALTER TABLE messages ADD COLUMN search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, confab_search_text(content))) STORED",
        # Without fastupdate: a pending list (up to 4 MB between vacuums) is read linearly by every search.
        "CREATE INDEX ix_messages_search_vector ON messages USING gin (search_vector) WITH (fastupdate = off)",
    ]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    statements = _postgresql_statements() if dialect == "postgresql" else create_sqlite_index()
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_messages_search_vector")
        op.execute("ALTER TABLE messages DROP COLUMN search_vector")
        op.execute("DROP FUNCTION confab_search_text(text)")
    else:
        for trigger in ("message_search_insert", "message_search_delete", "message_search_update"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE message_search")
