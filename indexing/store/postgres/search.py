"""Dense and lexical search inside PostgreSQL, with the filters (scope, thread, kind, author or
passage ids) in the same statement.

Dense: inner product on unit vectors (cosine) through the HNSW index when only the scope and kinds
narrow the search; an exact scan (which the planner runs over the thread or id index) when a thread
or a list of passages does, or when asked. pgvector 0.6 filters HNSW candidates after the index
scan, so a selective scope can leave fewer than k: the search is then repeated exactly.
Lexical: PostgreSQL's full-text search over the generated `tsv` column (GIN index), ORing the query
terms, ranked by `ts_rank` normalised by passage length (as BM25 is, more or less); the matches
ranked are those of the query's rarer words (see `lexical`). Both return
(passage id, score) best first, fused by the library as the SQLite store's are.
"""

from __future__ import annotations

import time

import asyncpg
import numpy as np

from ..dense import SearchResult
from .schema import TEXT_SEARCH_CONFIG

RANK_NORMALISATION = 1  # ts_rank divides by 1 + log(passage length)
# About how many matching passages a lexical search ranks (estimated from the statistics): its
# rarest words up to this many, so a query's cost does not grow with the corpus.
RANKED_ROWS = 3_000


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
                exact: bool, ef_search: int) -> SearchResult:
    if k <= 0 or (thread_ids is not None and not thread_ids) or (passage_ids is not None and not passage_ids):
        return _result([], False)
    query = np.asarray(vector, dtype=np.float32)
    approximate = not exact and thread_ids is None and passage_ids is None
    if approximate:
        outer, outer_args = filter_clauses(scope, thread_ids, kinds, None, passage_ids, first=4)
        # The index scan alone in the inner query, the filters outside it: with a filter in the same
        # WHERE, the planner walked the scope index and sorted every passage of the scope instead
        # (300 ms at 100,000). HNSW returns at most ef_search rows: a deeper search widens it.
        width = max(k, ef_search)
        sql = ("SELECT p.id, p.score FROM (SELECT id, thread_id, scope, kind, -(embedding <#> $1) AS score "
               "FROM passages ORDER BY embedding <#> $1 LIMIT $3) p "
               f"WHERE true{outer} ORDER BY p.score DESC LIMIT $2")
        if width > ef_search:
            async with conn.transaction():
                await conn.execute(f"SET LOCAL hnsw.ef_search = {int(min(width, 1000))}")
                rows = await conn.fetch(sql, query, k, width, *outer_args)
        else:
            rows = await conn.fetch(sql, query, k, width, *outer_args)
        if len(rows) == k or not (outer or k > 1000):
            return _result(rows, True)
    filters, args = filter_clauses(scope, thread_ids, kinds, None, passage_ids, first=3)
    # `+ 0`: an expression the HNSW index cannot serve, so the planner scans (by the filters' indexes).
    sql = (f"SELECT p.id, -(p.embedding <#> $1) AS score FROM passages p WHERE p.embedding IS NOT NULL{filters} "
           "ORDER BY (p.embedding <#> $1) + 0, p.id LIMIT $2")
    return _result(await conn.fetch(sql, query, k, *args), False)


def _result(rows: list, approximate: bool) -> SearchResult:
    return SearchResult(ids=np.array([r[0] for r in rows], dtype=np.int64),
                        scores=np.array([r[1] for r in rows], dtype=np.float32), approximate=approximate)


class TermStats:
    """How often each common lexeme occurs (the share of passages holding it), from the planner's
    statistics of the `tsv` column (ANALYZE keeps its most common elements), and how many passages
    there are, read again every REFRESH_S. A lexeme it does not list is rarer than every listed one."""

    REFRESH_S = 600.0

    def __init__(self) -> None:
        self.shares: dict[str, float] = {}
        self.floor = 0.0  # the share assumed for an unlisted lexeme
        self.passages = 0.0
        self._read_at = -self.REFRESH_S

    async def refresh(self, conn: asyncpg.Connection) -> None:
        if time.monotonic() - self._read_at < self.REFRESH_S:
            return
        row = await conn.fetchrow("SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                                  "WHERE tablename = 'passages' AND attname = 'tsv' AND schemaname = current_schema()")
        elements, shares = (row[0], row[1]) if row and row[0] else ([], [])
        self.shares = dict(zip(elements, shares[:len(elements)], strict=True))
        self.floor = min(self.shares.values(), default=0.0) / 2
        self.passages = max(0.0, float(await conn.fetchval(
            "SELECT reltuples FROM pg_class WHERE oid = 'passages'::regclass")))  # -1: never analysed
        self._read_at = time.monotonic()

    def candidate_terms(self, lexemes: list[str], max_rows: float) -> list[str]:
        """The rarest lexemes whose estimated matches add up to at most `max_rows` (at least one)."""
        chosen: list[str] = []
        total = 0.0
        for lexeme in sorted(lexemes, key=lambda x: self.shares.get(x, self.floor)):
            rows = self.shares.get(lexeme, self.floor) * self.passages
            if chosen and total + rows > max_rows:
                break
            chosen.append(lexeme)
            total += rows
        return chosen


def tsquery_of(lexemes: list[str]) -> str:
    """Lexemes ORed as tsquery text (quoted: a lexeme is taken as it is, not parsed or stemmed again)."""
    return " | ".join("'" + x.replace("'", "''") + "'" for x in lexemes)


async def lexical(conn: asyncpg.Connection, words: list[str], limit: int, scope: str | None,
                  thread_ids: list[str] | None, kinds: list[str] | None, author: str | None,
                  stats: TermStats) -> list[tuple[int, float]]:
    """Ranking every match of an OR query costs a read of every matching passage (a word in a fifth
    of 100,000 passages took 300 ms). The passages ranked are therefore those holding the query's
    rarest words, about RANKED_ROWS of them, ranked by the whole query: a passage holding only its
    commonest words (which weigh least) ranks low anyway. On a small corpus every word counts."""
    if not words or limit <= 0:
        return []
    lexemes = await conn.fetchval(f"SELECT array_agg(lexeme) FROM unnest(to_tsvector('{TEXT_SEARCH_CONFIG}', $1))",
                                  " ".join(words))
    if not lexemes:
        return []
    await stats.refresh(conn)
    filters, args = filter_clauses(scope, thread_ids, kinds, author, first=4)
    # One thread's passages are few: every word of the query finds its matches there.
    chosen = lexemes if thread_ids is not None else stats.candidate_terms(lexemes, RANKED_ROWS)
    rows = await conn.fetch(
        f"SELECT p.id, ts_rank(p.tsv, $2::tsquery, {RANK_NORMALISATION}) AS score FROM passages p "
        f"WHERE p.tsv @@ $1::tsquery{filters} ORDER BY score DESC, p.id LIMIT $3",
        tsquery_of(chosen), tsquery_of(lexemes), limit, *args)
    return [(int(r[0]), float(r[1])) for r in rows]
