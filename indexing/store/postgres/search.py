"""Dense and lexical search inside PostgreSQL, with the filters (scope, thread, kind, author or
passage ids) in the same statement.

Dense: inner product on unit vectors (cosine) through the HNSW index when only the scope and kinds
narrow the search; an exact scan (which the planner runs over the thread or id index) when a thread
or a list of passages does, or when asked. pgvector 0.6 filters HNSW candidates after the index
scan, so a selective scope can leave fewer than k: the search is then repeated exactly.
Lexical: PostgreSQL's full-text search over the generated `tsv` column (GIN index), ORing the query
terms, ranked by `ts_rank` normalised by passage length (as BM25 is, more or less). Both return
(passage id, score) best first, fused by the library as the SQLite store's are.
"""

from __future__ import annotations

import asyncpg
import numpy as np

from ..dense import SearchResult
from . import connection
from .schema import TEXT_SEARCH_CONFIG

RANK_NORMALISATION = 1  # ts_rank divides by 1 + log(passage length)


def filter_clauses(scope: str | None, thread_ids: list[str] | None, kinds: list[str] | None, author: str | None,
                   passage_ids: list[int] | None = None, first: int = 1) -> tuple[str, list[object]]:
    """" AND ..." conditions on `passages p` for the search filters, numbered from `$first`."""
    clauses: list[str] = []
    args: list[object] = []
    for clause, value in (("p.scope = $%d", scope), ("p.thread_id = ANY($%d::text[])", thread_ids),
                          ("p.kind = ANY($%d::text[])", kinds), ("lower(p.author) = lower($%d)", author),
                          ("p.id = ANY($%d::bigint[])", passage_ids)):
        if value is not None:
            args.append(value)
            clauses.append(clause % (first + len(args) - 1))
    return "".join(f" AND {c}" for c in clauses), args


async def dense(conn: asyncpg.Connection, vector: np.ndarray, k: int, scope: str | None,
                thread_ids: list[str] | None, kinds: list[str] | None, passage_ids: list[int] | None,
                exact: bool) -> SearchResult:
    if k <= 0 or (thread_ids is not None and not thread_ids) or (passage_ids is not None and not passage_ids):
        return _result([], False)
    query = np.asarray(vector, dtype=np.float32)
    approximate = not exact and thread_ids is None and passage_ids is None
    filters, args = filter_clauses(scope, thread_ids, kinds, None, passage_ids, first=3)
    if approximate:
        sql = (f"SELECT p.id, -(p.embedding <#> $1) FROM passages p WHERE p.embedding IS NOT NULL{filters} "
               "ORDER BY p.embedding <#> $1 LIMIT $2")
        if k > connection.EF_SEARCH:  # HNSW returns at most ef_search rows
            async with conn.transaction():
                await conn.execute(f"SET LOCAL hnsw.ef_search = {int(min(k, 1000))}")
                rows = await conn.fetch(sql, query, k, *args)
        else:
            rows = await conn.fetch(sql, query, k, *args)
        if len(rows) == k or not (filters or k > 1000):
            return _result(rows, True)
    # `+ 0`: an expression the HNSW index cannot serve, so the planner scans (by the filters' indexes).
    sql = (f"SELECT p.id, -(p.embedding <#> $1) AS score FROM passages p WHERE p.embedding IS NOT NULL{filters} "
           "ORDER BY (p.embedding <#> $1) + 0, p.id LIMIT $2")
    return _result(await conn.fetch(sql, query, k, *args), False)


def _result(rows: list, approximate: bool) -> SearchResult:
    return SearchResult(ids=np.array([r[0] for r in rows], dtype=np.int64),
                        scores=np.array([r[1] for r in rows], dtype=np.float32), approximate=approximate)


def tsquery_text(words: list[str]) -> str:
    """The query terms ORed in `websearch_to_tsquery` syntax, which accepts any text without error."""
    return " or ".join(w.replace('"', " ") for w in words)


async def lexical(conn: asyncpg.Connection, words: list[str], limit: int, scope: str | None,
                  thread_ids: list[str] | None, kinds: list[str] | None, author: str | None
                  ) -> list[tuple[int, float]]:
    if not words or limit <= 0:
        return []
    filters, args = filter_clauses(scope, thread_ids, kinds, author, first=3)
    rows = await conn.fetch(
        f"SELECT p.id, ts_rank(p.tsv, q, {RANK_NORMALISATION}) AS score FROM passages p, "
        f"websearch_to_tsquery('{TEXT_SEARCH_CONFIG}', $1) q WHERE p.tsv @@ q{filters} "
        "ORDER BY score DESC, p.id LIMIT $2", tsquery_text(words), limit, *args)
    return [(int(r[0]), float(r[1])) for r in rows]
