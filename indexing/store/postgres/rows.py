"""Statements, the summary cache, digests and server settings on PostgreSQL: the SQL of the SQLite
row helpers (statements.py, summaries.py, guild_settings.py) in PostgreSQL's dialect, turned into
the same records by the same converters. Reads take any connection; writes run inside the caller's
transaction (connection.transaction)."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime, timedelta

import asyncpg

from ...records import GuildSettingName, GuildSettings, Passage, SpeakerName, Statement
from ..guild_settings import _COLUMNS as SETTING_COLUMNS
from ..guild_settings import SETTABLE, setting_value, settings_from_row
from ..statements import (
    READ_COLUMNS,
    SPEAKER_NAMES_COLUMNS,
    STATEMENT_COLUMNS,
    statement_from_row,
    statement_rows,
)
from ..summaries import _DIGEST_COLUMNS as DIGEST_COLUMNS
from ..summaries import STALE_DRAFT, DigestRow, NewDigest, digest_from_row
from ..transactions import now_iso, stamp


# ---- statements ----------------------------------------------------------------------------------
async def write_statements(conn: asyncpg.Connection, thread_id: str, passages: list[Passage],
                           statements: list[Statement]) -> None:
    rows = statement_rows(thread_id, passages, statements)
    await conn.execute("DELETE FROM statements WHERE thread_id = $1", thread_id)
    if rows:
        await conn.copy_records_to_table("statements", records=rows, columns=STATEMENT_COLUMNS.split(", "))


async def read_statements(conn: asyncpg.Connection, scope: str | None, thread_id: str | None = None,
                          speakers: Collection[str] | None = None) -> list[Statement]:
    if speakers is not None and not speakers:
        return []
    lowered = None if speakers is None else sorted({name.lower() for name in speakers})
    clauses, args = _where((("t.scope = $%d", scope), ("s.thread_id = $%d", thread_id),
                            ("lower(s.speaker) = ANY($%d)", lowered)))
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = await conn.fetch(f"SELECT {READ_COLUMNS} FROM statements s JOIN passages p ON p.id = s.passage_id "
                            f"JOIN threads t ON t.id = s.thread_id {where} ORDER BY t.indexed_at, s.thread_id, s.seq",
                            *args)
    return [statement_from_row(tuple(r)) for r in rows]


async def speaker_names(conn: asyncpg.Connection, scope: str | None, thread_id: str | None = None
                        ) -> list[SpeakerName]:
    clauses, args = _where((("t.scope = $%d", scope), ("s.thread_id = $%d", thread_id)))
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    found = await conn.fetch(f"SELECT {SPEAKER_NAMES_COLUMNS} FROM statements s JOIN threads t ON t.id = s.thread_id "
                             f"{where} GROUP BY s.speaker, s.speaker_mention", *args)
    return [SpeakerName(r[0], r[1], bool(r[2])) for r in found]


async def statement_changes(conn: asyncpg.Connection) -> int | None:
    """The counter of statement changes (schema migration 3)."""
    found = await conn.fetchval("SELECT version FROM statement_changes WHERE id = 1")
    return None if found is None else int(found)


def _where(filters: tuple[tuple[str, object], ...]) -> tuple[list[str], list[object]]:
    """The clauses (numbered $1, $2, ... in order) and arguments of the filters that are set."""
    clauses: list[str] = []
    args: list[object] = []
    for clause, value in filters:
        if value is not None:
            args.append(value)
            clauses.append(clause % len(args))
    return clauses, args


async def statement_count(conn: asyncpg.Connection, thread_id: str) -> int:
    return int(await conn.fetchval("SELECT COUNT(*) FROM statements WHERE thread_id = $1", thread_id))


# ---- summary cache ---------------------------------------------------------------------------------
async def cached_summary(conn: asyncpg.Connection, thread_id: str, content_hash: str, length: str,
                         mode: str) -> dict | None:
    body = await conn.fetchval("SELECT body_json FROM summary_cache WHERE thread_id = $1 AND content_hash = $2 "
                               "AND length = $3 AND mode = $4", thread_id, content_hash, length, mode)
    return json.loads(body) if body is not None else None


async def store_summary(conn: asyncpg.Connection, thread_id: str, content_hash: str, length: str, mode: str,
                        body: dict) -> None:
    """Keep this summary and drop every summary of an older version of the thread."""
    await conn.execute("DELETE FROM summary_cache WHERE thread_id = $1 AND content_hash != $2", thread_id, content_hash)
    await conn.execute(
        "INSERT INTO summary_cache (thread_id, content_hash, length, mode, body_json, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (thread_id, content_hash, length, mode) "
        "DO UPDATE SET body_json = excluded.body_json, created_at = excluded.created_at",
        thread_id, content_hash, length, mode, json.dumps(body, ensure_ascii=False), now_iso())


# ---- digests ---------------------------------------------------------------------------------------
async def one_digest(conn: asyncpg.Connection, where: str, *args: object) -> DigestRow | None:
    row = await conn.fetchrow(f"SELECT {DIGEST_COLUMNS} FROM digests WHERE {where} ORDER BY id DESC LIMIT 1", *args)
    return digest_from_row(tuple(row)) if row else None


async def last_posted_digest(conn: asyncpg.Connection, thread_id: str, scope: str) -> DigestRow | None:
    return await one_digest(conn, "thread_id = $1 AND scope = $2 AND posted_at IS NOT NULL", thread_id, scope)


async def unposted_digest(conn: asyncpg.Connection, thread_id: str, scope: str, content_hash: str,
                          after_id: int) -> DigestRow | None:
    return await one_digest(conn, "thread_id = $1 AND scope = $2 AND content_hash = $3 AND posted_at IS NULL "
                            "AND id > $4", thread_id, scope, content_hash, after_id)


async def threads_posted_in(conn: asyncpg.Connection, scope: str, channel_id: str) -> list[str]:
    rows = await conn.fetch("SELECT thread_id FROM digests WHERE scope = $1 AND channel_id = $2 AND posted_at "
                            "IS NOT NULL GROUP BY thread_id ORDER BY MAX(id) DESC", scope, channel_id)
    return [row[0] for row in rows]


async def insert_digest(conn: asyncpg.Connection, digest: NewDigest) -> tuple[int, str]:
    """A new (unposted) digest, replacing the thread's older unposted ones (summaries.insert_digest)."""
    stamp = now_iso()
    # A draft another poster holds a live claim on is being posted right now: it stays.
    await conn.execute("DELETE FROM digests WHERE thread_id = $1 AND scope = $2 AND posted_at IS NULL "
                       "AND (claimed_by IS NULL OR claim_expires_at <= $3)", digest.thread_id, digest.scope, stamp)
    digest_id = await conn.fetchval(
        "INSERT INTO digests (thread_id, scope, content_hash, comment_keys, new_comment_count, is_delta, text, "
        "body_json, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        digest.thread_id, digest.scope, digest.content_hash, json.dumps(digest.comment_keys),
        digest.new_comment_count, int(digest.is_delta), digest.text, json.dumps(digest.body, ensure_ascii=False),
        stamp)
    return int(digest_id), stamp


async def set_digest_posted(conn: asyncpg.Connection, digest_id: int, channel_id: str | None,
                            message_id: str | None, message_url: str | None) -> str:
    stamp = now_iso()
    await conn.execute("UPDATE digests SET posted_at = $1, channel_id = $2, message_id = $3, message_url = $4 "
                       "WHERE id = $5", stamp, channel_id, message_id, message_url, digest_id)
    return stamp


# ---- server settings -------------------------------------------------------------------------------
async def read_settings(conn: asyncpg.Connection, guild_id: str) -> GuildSettings:
    row = await conn.fetchrow(f"SELECT {SETTING_COLUMNS} FROM guild_settings WHERE guild_id = $1", guild_id)
    return GuildSettings(guild_id) if row is None else settings_from_row(tuple(row))


async def read_all_settings(conn: asyncpg.Connection) -> list[GuildSettings]:
    rows = await conn.fetch(f"SELECT {SETTING_COLUMNS} FROM guild_settings ORDER BY guild_id")
    return [settings_from_row(tuple(row)) for row in rows]


async def write_setting(conn: asyncpg.Connection, guild_id: str, name: GuildSettingName,
                        value: int | str | bool | None) -> None:
    if name not in SETTABLE:
        raise ValueError(f"unknown guild setting {name}")
    # The columns are INTEGER or TEXT as in SQLite, where the text of a number is stored as a number.
    column_type = "TEXT" if name in ("digest_channel_id", "upload_channel_id", "watch_dir") else "INTEGER"
    await conn.execute(
        f"INSERT INTO guild_settings (guild_id, {name}, updated_at) VALUES ($1, $2::text::{column_type}, $3) "
        f"ON CONFLICT (guild_id) DO UPDATE SET {name} = excluded.{name}, updated_at = excluded.updated_at",
        guild_id, setting_value(value), now_iso())


async def claim_digest(conn: asyncpg.Connection, digest_id: int, claimant: str, lease_seconds: float,
                       now: datetime, baseline_id: int | None = None) -> bool:
    """summaries.claim_digest on PostgreSQL. Under READ COMMITTED two claims of different drafts of
    one thread could both pass the "no other live claim" test, so the thread's claims are taken
    one at a time under a transaction-scoped advisory lock on the thread."""
    row = await conn.fetchrow("SELECT thread_id, scope FROM digests WHERE id = $1", digest_id)
    if row is None:
        return False
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"digest-claim:{row[1]}:{row[0]}")
    at = stamp(now)
    status = await conn.execute(
        "UPDATE digests SET claimed_by = $1, claim_expires_at = $2 WHERE id = $3 AND posted_at IS NULL "
        "AND (claimed_by IS NULL OR claim_expires_at <= $4) AND NOT EXISTS (SELECT 1 FROM digests other "
        "WHERE other.thread_id = digests.thread_id AND other.scope = digests.scope AND other.id != digests.id "
        "AND other.posted_at IS NULL AND other.claimed_by IS NOT NULL AND other.claim_expires_at > $4)"
        + ("" if baseline_id is None else STALE_DRAFT.format(baseline="$5")),
        claimant, stamp(now + timedelta(seconds=lease_seconds)), digest_id, at,
        *(() if baseline_id is None else (baseline_id,)))
    return status == "UPDATE 1"


async def release_digest(conn: asyncpg.Connection, digest_id: int, claimant: str) -> None:
    await conn.execute("UPDATE digests SET claimed_by = NULL, claim_expires_at = NULL WHERE id = $1 "
                       "AND claimed_by = $2 AND posted_at IS NULL", digest_id, claimant)
