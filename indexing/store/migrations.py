"""Numbered schema migrations. Each runs in one transaction and is recorded; never edit one that has run.

To change the schema, append a new (number, name, sql) entry.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

import aiosqlite
import numpy as np

from ..errors import MigrationError
from .transactions import atomic, now_iso

log = logging.getLogger(__name__)

MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "threads, passages, embeddings, full-text index", """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE threads (
            id TEXT PRIMARY KEY,
            scope TEXT NOT NULL,
            identity_key TEXT NOT NULL,
            title TEXT NOT NULL,
            url TEXT,
            source TEXT,
            source_file TEXT,
            published TEXT,
            content_hash TEXT NOT NULL,
            body_json TEXT NOT NULL,
            paragraph_count INTEGER NOT NULL,
            comment_count INTEGER NOT NULL,
            indexed_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (scope, identity_key)
        );
        CREATE INDEX threads_scope ON threads (scope);
        CREATE TABLE passages (
            id INTEGER PRIMARY KEY,
            thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('title', 'paragraph', 'comment')),
            position INTEGER NOT NULL,
            chunk INTEGER NOT NULL DEFAULT 0,
            text TEXT NOT NULL,
            start_char INTEGER NOT NULL,
            end_char INTEGER NOT NULL,
            author TEXT,
            comment_id TEXT,
            parent_id TEXT,
            content_hash TEXT NOT NULL
        );
        CREATE INDEX passages_thread ON passages (thread_id, kind, position, chunk);
        CREATE INDEX passages_hash ON passages (content_hash);
        CREATE INDEX passages_author ON passages (author);
        CREATE TABLE embeddings (
            content_hash TEXT PRIMARY KEY,
            vector BLOB NOT NULL
        );
        CREATE VIRTUAL TABLE passages_fts USING fts5 (
            text, content='passages', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER passages_ai AFTER INSERT ON passages BEGIN
            INSERT INTO passages_fts (rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER passages_ad AFTER DELETE ON passages BEGIN
            INSERT INTO passages_fts (passages_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END;
        CREATE TRIGGER passages_au AFTER UPDATE OF text ON passages BEGIN
            INSERT INTO passages_fts (passages_fts, rowid, text) VALUES ('delete', old.id, old.text);
            INSERT INTO passages_fts (rowid, text) VALUES (new.id, new.text);
        END;
    """),
    (2, "who-said-what statements", """
        CREATE TABLE statements (
            id INTEGER PRIMARY KEY,
            thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            passage_id INTEGER NOT NULL REFERENCES passages (id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            speaker TEXT NOT NULL,
            speaker_mention TEXT NOT NULL,
            cue TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('article', 'comment')),
            start_char INTEGER NOT NULL,
            end_char INTEGER NOT NULL,
            content_start INTEGER NOT NULL,
            content_end INTEGER NOT NULL,
            verbatim INTEGER NOT NULL
        );
        CREATE INDEX statements_thread ON statements (thread_id, seq);
        CREATE INDEX statements_passage ON statements (passage_id);
        CREATE INDEX statements_speaker ON statements (speaker COLLATE NOCASE);
    """),
    (3, "summary cache and digests", """
        CREATE TABLE summary_cache (
            thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            content_hash TEXT NOT NULL,
            length TEXT NOT NULL,
            mode TEXT NOT NULL,
            body_json TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (thread_id, content_hash, length, mode)
        );
        CREATE TABLE digests (
            id INTEGER PRIMARY KEY,
            thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            scope TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            comment_keys TEXT NOT NULL,
            new_comment_count INTEGER NOT NULL,
            is_delta INTEGER NOT NULL,
            text TEXT NOT NULL,
            body_json TEXT NOT NULL,
            created_at TEXT NOT NULL,
            posted_at TEXT,
            channel_id TEXT,
            message_id TEXT,
            message_url TEXT
        );
        CREATE INDEX digests_thread ON digests (thread_id, scope, id);
    """),
    (4, "discord guild settings and posted digests", """
        CREATE TABLE guild_settings (
            guild_id TEXT PRIMARY KEY,
            digest_channel_id TEXT,
            upload_channel_id TEXT,
            watch_dir TEXT,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE digest_posts (
            id INTEGER PRIMARY KEY,
            scope TEXT NOT NULL,
            thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            content_hash TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            message_id TEXT NOT NULL,
            jump_url TEXT NOT NULL,
            posted_at TEXT NOT NULL
        );
        CREATE INDEX digest_posts_thread ON digest_posts (thread_id, content_hash);
    """),
    (5, "passage log for the saved dense index", """
        CREATE TABLE passage_log (
            version INTEGER PRIMARY KEY AUTOINCREMENT,
            passage_id INTEGER NOT NULL,
            added INTEGER NOT NULL
        );
        CREATE TRIGGER passages_log_ai AFTER INSERT ON passages BEGIN
            INSERT INTO passage_log (passage_id, added) VALUES (new.id, 1);
        END;
        CREATE TRIGGER passages_log_ad AFTER DELETE ON passages BEGIN
            INSERT INTO passage_log (passage_id, added) VALUES (old.id, 0);
        END;
        INSERT OR IGNORE INTO meta (key, value) VALUES ('instance_id', lower(hex(randomblob(16))));
    """),
    (6, "drop digest_posts (the digests table records where each digest was posted)", """
        DROP INDEX IF EXISTS digest_posts_thread;
        DROP TABLE IF EXISTS digest_posts;
    """),
    (7, "followed threads: polled for new comments until they expire", """
        CREATE TABLE follows (
            id INTEGER PRIMARY KEY,
            scope TEXT NOT NULL,
            url TEXT NOT NULL,
            thread_id TEXT REFERENCES threads (id) ON DELETE CASCADE,
            channel_id TEXT,
            hours REAL NOT NULL DEFAULT 24,
            threshold INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            next_check_at TEXT NOT NULL,
            interval_seconds REAL NOT NULL,
            last_comment_count INTEGER,
            UNIQUE (scope, url)
        );
        CREATE INDEX follows_due ON follows (next_check_at);
    """),
    # Passage ids were MAX(id) + 1, so forgetting the newest thread handed its ids to the next one, and a
    # second process still holding the old id in its dense index (with the old scope) served the new
    # passage under it. The mark is the highest id ever handed out; ids start above it (the passage log
    # remembers ids already removed, as far back as it was not pruned).
    (8, "passage ids are never reused: the highest id ever handed out", """
        INSERT OR REPLACE INTO meta (key, value) VALUES ('passage_id_high', CAST(MAX(
            COALESCE((SELECT MAX(id) FROM passages), 0),
            COALESCE((SELECT MAX(passage_id) FROM passage_log), 0)) AS TEXT));
    """),
    # The server's own conversation (issue 14): which Discord channels are kept, and each member's
    # message kept from them (the source of truth of a thread's server comments: re-indexing the
    # site's thread keeps them, deleting a message deletes its row and then its passages).
    (9, "server conversations: kept channels and their messages; discussion-thread settings", """
        CREATE TABLE conversation_channels (
            scope TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('discussion', 'listen')),
            created_at TEXT NOT NULL,
            PRIMARY KEY (scope, channel_id)
        );
        CREATE INDEX conversation_channels_thread ON conversation_channels (thread_id);
        CREATE TABLE server_messages (
            scope TEXT NOT NULL,
            message_id TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            author_id TEXT NOT NULL,
            author TEXT NOT NULL,
            text TEXT NOT NULL,
            posted TEXT NOT NULL,
            url TEXT NOT NULL,
            parent_id TEXT,
            PRIMARY KEY (scope, message_id)
        );
        CREATE INDEX server_messages_thread ON server_messages (thread_id);
        CREATE INDEX server_messages_author ON server_messages (scope, author_id);
        ALTER TABLE guild_settings ADD COLUMN discussion_threads INTEGER;
        ALTER TABLE guild_settings ADD COLUMN discussion_archive_minutes INTEGER;
    """),
    (10, "guild setting: a chart on digests and summaries", """
        ALTER TABLE guild_settings ADD COLUMN charts INTEGER;
    """),
    # Several bot processes may make the same digest (two shards, a worker): the one that claims it
    # posts it; a claim lapses at claim_expires_at, so a poster that crashed holds nothing for long.
    (11, "digest posting claims: who is posting a digest, until when", """
        ALTER TABLE digests ADD COLUMN claimed_by TEXT;
        ALTER TABLE digests ADD COLUMN claim_expires_at TEXT;
    """),
    # A float32 BLOB of 1,536 bytes took 2,053 bytes on disk (two to a 4 KiB page) and the saved dense
    # index holds float16 codes anyway: the rows now hold float16 too (half-precision vectors searched
    # the same, the index is built from them exactly). A new table packs five rows to a page; the old
    # one's pages go to the free list, returned to the disk by a VACUUM after it (RECLAIM).
    (12, "embeddings as little-endian float16", """
        CREATE TABLE embeddings_f16 (
            content_hash TEXT PRIMARY KEY,
            vector BLOB NOT NULL
        );
        INSERT INTO embeddings_f16 (content_hash, vector) SELECT content_hash, threadbot_f16(vector) FROM embeddings;
        DROP TABLE embeddings;
        ALTER TABLE embeddings_f16 RENAME TO embeddings;
    """),
    # The speaker names an ask matches against are grouped from every statement (0.6 s at 140,000
    # statements) and remembered until the statements change. PRAGMA data_version moves with every
    # commit (a digest posted, a summary cached, a setting), so it made the grouping run again after
    # writes that touch no statement; this counter moves only with the statements (deleting a thread
    # deletes its statements by cascade, which fires the delete trigger).
    (13, "a counter of statement changes", """
        CREATE TABLE statement_changes (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL
        );
        INSERT INTO statement_changes (id, version) VALUES (1, 0);
        CREATE TRIGGER statements_counted_insert AFTER INSERT ON statements BEGIN
            UPDATE statement_changes SET version = version + 1 WHERE id = 1;
        END;
        CREATE TRIGGER statements_counted_delete AFTER DELETE ON statements BEGIN
            UPDATE statement_changes SET version = version + 1 WHERE id = 1;
        END;
        CREATE TRIGGER statements_counted_update AFTER UPDATE ON statements BEGIN
            UPDATE statement_changes SET version = version + 1 WHERE id = 1;
        END;
    """),
]


def f32_to_f16(blob: bytes) -> bytes:
    """A float32 vector BLOB as float16 (migration 12)."""
    return np.frombuffer(blob, dtype="<f4").astype("<f2").tobytes()


# Migrations that free much of the file: a VACUUM follows them, once (about a minute at a million passages).
RECLAIM = {12}
# SQL functions the migrations use, registered on the connection before they run.
FUNCTIONS: dict[str, tuple[int, Callable]] = {"threadbot_f16": (1, f32_to_f16)}


def split_statements(sql: str) -> list[str]:
    """Split a script into statements; triggers keep their inner semicolons."""
    statements, current = [], ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


async def applied_versions(db: aiosqlite.Connection) -> set[int]:
    await db.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)""")
    async with db.execute("SELECT version FROM schema_migrations") as cursor:
        return {row[0] async for row in cursor}


async def migrate(db: aiosqlite.Connection, migrations: list[tuple[int, str, str]] = MIGRATIONS) -> list[int]:
    """Apply pending migrations in order, each all-or-nothing. Returns the versions applied.

    A migration interrupted by a crash left nothing behind (its transaction never committed),
    so it simply runs again on the next start.
    """
    done = await applied_versions(db)
    for name, (arity, function) in FUNCTIONS.items():
        await db.create_function(name, arity, function, deterministic=True)
    known = {number for number, _, _ in migrations}
    if done - known:
        raise MigrationError(f"the database has schema version {max(done)}, newer than this threadbot "
                             f"knows ({max(known)}); upgrade threadbot")
    applied = []
    for number, name, sql in sorted(migrations):
        if number in done:
            continue
        try:
            async with atomic(db):
                # Another process opening the same new database may have applied it since the read
                # above: checked again under the write lock, so it runs once.
                async with db.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (number,)) as cursor:
                    if await cursor.fetchone():
                        continue
                for statement in split_statements(sql):
                    await db.execute(statement)
                await db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                                 (number, name, now_iso()))
        except sqlite3.Error as exc:
            raise MigrationError(f"migration {number} ({name}) failed: {exc}") from exc
        applied.append(number)
    if RECLAIM & set(applied):
        # Once per database, but about a minute at a million passages: say why the start waits.
        log.info("compacting the database once after migration %s (about a minute per million passages)",
                 ", ".join(str(n) for n in sorted(RECLAIM & set(applied))))
        try:
            await db.execute("VACUUM")
        except sqlite3.Error as exc:  # another connection reading: the free pages are reused by later writes
            log.warning("could not compact the database after its migration: %s", exc)
    return applied
