"""ThreadLibrary: the one object the CLI and the bot use: index threads, list, show, forget, search.

Everything CPU-bound (parsing, tokenising, embedding, the dense scan) runs in a worker thread via
`asyncio.to_thread`, so an event loop serving Discord keeps its heartbeat while a big thread indexes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .embed import Embedder
from .errors import ParseError, ThreadbotError
from .parsers import DEFAULT_MAX_BYTES, display_name, find_thread_files, parse_bytes, parse_file
from .passages import thread_passages
from .quotes import SpeakerCount, Statement, StatementExtractor, extract_statements, statements_of
from .search import Hit, fts_match_expression, query_terms, reciprocal_rank_fusion
from .store import Store
from .threads import Thread, ThreadInfo, thread_id_for

log = logging.getLogger(__name__)

# progress(stage, done, total): stage is "embed" while vectors are computed.
Progress = Callable[[str, int, int], None]
EMBED_SLICE = 128  # texts embedded per hold of the model lock (about a second on a laptop CPU)
EMBED_BATCH = 8  # texts sorted by length: batch 8 ran 4% faster than 16 on the 1,600-comment bench


@dataclass
class IndexResult:
    thread_id: str
    title: str
    source_file: str | None
    status: str  # "indexed" | "updated" | "unchanged"
    paragraphs: int
    comments: int
    passages: int
    embedded: int = 0


@dataclass
class IndexFailure:
    source_file: str
    reason: str


class ThreadLibrary:
    def __init__(self, store: Store, embedder: Embedder | None, max_bytes: int = DEFAULT_MAX_BYTES,
                 extractor: StatementExtractor | None = extract_statements):
        self.store = store
        self.embedder = embedder
        self.max_bytes = max_bytes
        self.extractor = extractor  # who-said-what at index time; None skips it
        self._model_lock = asyncio.Lock()
        self._nlp_lock = asyncio.Lock()

    @classmethod
    async def open(cls, db_path: str | Path, embedder: Embedder | None,
                   max_bytes: int = DEFAULT_MAX_BYTES, ann_min_passages: int | None = None,
                   long_running: bool = True) -> ThreadLibrary:
        """Without an embedder the library can list and show threads but not index or search.
        `ann_min_passages`: size at which dense search turns approximate (default 200,000).
        `long_running=False` for a short-lived process (the CLI): it neither clusters the dense
        index nor copies a saved one into memory in the background (work it would abandon at exit;
        see `finish_clustering`); a write still copies the saved index in first."""
        if embedder is None:
            store = await Store.open(db_path)
        else:
            store = await Store.open(db_path, embedder.model_id, embedder.dim, ann_min_passages,
                                     long_running)
        return cls(store, embedder, max_bytes)

    @property
    def clustering(self) -> bool:
        """Whether the dense index is being clustered in the background right now."""
        return not self.store.vectors.wait_for_ann(timeout=0)

    async def finish_clustering(self) -> None:
        """Wait for a running background clustering of the dense index, so that closing saves it
        clustered."""
        if self.clustering:
            await asyncio.to_thread(self.store.vectors.wait_for_ann)

    async def close(self) -> None:
        await self.store.close()

    async def __aenter__(self) -> ThreadLibrary:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.close()

    async def _run_model(self, fn, *args):
        """The model is not thread-safe for concurrent calls: one at a time, off the event loop."""
        if self.embedder is None:
            raise RuntimeError("this ThreadLibrary was opened without an embedder")
        async with self._model_lock:
            return await asyncio.to_thread(fn, *args)

    # ---- indexing ----------------------------------------------------------------------------
    async def index_thread(self, thread: Thread, scope: str = "local",
                           progress: Progress | None = None) -> IndexResult:
        thread_id = thread_id_for(scope, thread.identity_key())
        base = dict(thread_id=thread_id, title=thread.title, source_file=thread.source_file,
                    paragraphs=len(thread.paragraphs), comments=len(thread.comments))
        if await self.store.thread_hash(thread_id) == thread.content_hash():
            await self._backfill_statements(thread_id, thread)
            count = (await self.store.thread_info(thread_id)).passages
            return IndexResult(status="unchanged", passages=count, **base)
        passages = await self._run_model(thread_passages, thread, thread_id, self.embedder.count_tokens,
                                         self.embedder.max_tokens)
        known = await self.store.known_hashes(p.content_hash for p in passages)
        todo: dict[str, str] = {}
        for p in passages:
            if p.content_hash not in known:
                todo.setdefault(p.content_hash, p.text)

        async def embed_new() -> dict[str, np.ndarray]:
            new_vectors: dict[str, np.ndarray] = {}
            if todo:
                # Shortest first across the whole thread, not per slice: batches of like lengths carry
                # little padding (slices in thread order took 13.6 s instead of 11.0 s for 1,600 comments).
                hashes = sorted(todo, key=lambda h: len(todo[h]))
                texts = [todo[h] for h in hashes]
                done = 0

                def tick(n: int) -> None:
                    nonlocal done
                    done += n
                    if progress:
                        progress("embed", done, len(texts))

                # Slices, each taking the model lock on its own: questions asked while a big thread is being
                # indexed get their query embedded between two slices instead of after the whole thread.
                parts = []
                for start in range(0, len(texts), EMBED_SLICE):
                    piece = texts[start:start + EMBED_SLICE]
                    parts.append(await self._run_model(self.embedder.embed, piece, EMBED_BATCH, tick))
                matrix = np.concatenate(parts)
                new_vectors = dict(zip(hashes, matrix, strict=True))
            return new_vectors

        async def who_said_what() -> list[Statement] | None:
            if self.extractor is None:
                return None
            async with self._nlp_lock:  # the parser is not shared between threads
                return await asyncio.to_thread(self.extractor, thread, passages)

        # Side by side: the parser is single-threaded and the model does not fill both cores, so the
        # thread is indexed in about the longer of the two instead of their sum.
        new_vectors, statements = await asyncio.gather(embed_new(), who_said_what())
        written = await self.store.write_thread(thread_id, scope, thread, passages, new_vectors, statements)
        log.info("%s thread %s (%s): %d passages, %d embedded", written.status, thread_id, thread.title,
                 len(passages), len(new_vectors))
        return IndexResult(status=written.status, passages=len(passages), embedded=len(new_vectors), **base)

    async def warm_up(self) -> None:
        """Load the models a first upload or question would load (embedding model, spaCy parser).

        Loading runs in worker threads but holds the GIL in long stretches (imports, weight
        unpickling), so a long-running process does it once before serving, not mid-request.
        """
        if self.embedder is not None:
            await self.embed_query("warm up")
        if self.extractor is not None:
            from .nlp import english_pipeline

            async with self._nlp_lock:
                await asyncio.to_thread(english_pipeline)

    async def _backfill_statements(self, thread_id: str, thread: Thread) -> None:
        """A thread indexed before who-said-what existed gets its statements when it is next indexed;
        a thread that already has statements (or has nothing to extract from) is left alone."""
        if self.extractor is None or await self.store.statement_count(thread_id) > 0:
            return
        if not thread.paragraphs and not any(c.author for c in thread.comments):
            return
        passages = await self.store.thread_passages(thread_id)
        async with self._nlp_lock:
            statements = await asyncio.to_thread(self.extractor, thread, passages)
        if statements:
            await self.store.replace_statements(thread_id, passages, statements)

    async def index_bytes(self, data: bytes, name: str, scope: str = "local",
                          progress: Progress | None = None) -> list[IndexResult]:
        """Parse an upload and index every thread in it. A parse error means nothing was written."""
        threads = await asyncio.to_thread(parse_bytes, data, name, self.max_bytes)
        return [await self.index_thread(t, scope, progress) for t in threads]

    async def index_paths(self, paths: list[str | Path], scope: str = "local",
                          progress: Progress | None = None) -> tuple[list[IndexResult], list[IndexFailure]]:
        """Index files and directories. A failing file is reported; the others still go in."""
        results: list[IndexResult] = []
        failures: list[IndexFailure] = []
        for path in find_thread_files(paths):
            try:
                threads = await asyncio.to_thread(parse_file, path, self.max_bytes)
                for thread in threads:
                    results.append(await self.index_thread(thread, scope, progress))
            except ParseError as exc:
                failures.append(IndexFailure(exc.source, exc.reason))
            except ThreadbotError as exc:
                failures.append(IndexFailure(display_name(Path(path).name), str(exc)))
        return results, failures

    # ---- reading -----------------------------------------------------------------------------
    async def threads(self, scope: str | None = "local") -> list[ThreadInfo]:
        return await self.store.list_threads(scope)

    async def thread(self, thread_id: str, scope: str | None = "local") -> Thread:
        return await self.store.get_thread(thread_id, scope)

    async def thread_info(self, thread_id: str, scope: str | None = "local") -> ThreadInfo:
        return await self.store.thread_info(thread_id, scope)

    async def forget(self, thread_id: str, scope: str | None = "local") -> ThreadInfo:
        return await self.store.delete_thread(thread_id, scope)

    async def statements(self, scope: str | None = "local", thread_id: str | None = None,
                         speaker: str | None = None) -> list[Statement]:
        """Who-said-what: stored statements in reading order; `speaker` matches aliases ("Peskov")."""
        found = await self.store.statements(scope, thread_id)
        return statements_of(found, speaker) if speaker else found

    async def speakers(self, thread_id: str, scope: str | None = "local") -> list[SpeakerCount]:
        """The speakers of one thread with their statement counts, article sources first."""
        await self.store.thread_info(thread_id, scope)  # a clear error for an unknown thread
        counts: dict[tuple[str, str], int] = {}
        for s in await self.store.statements(scope, thread_id):
            counts[(s.speaker, s.source)] = counts.get((s.speaker, s.source), 0) + 1
        return sorted((SpeakerCount(speaker, source, n) for (speaker, source), n in counts.items()),
                      key=lambda c: (c.source != "article", -c.statements, c.speaker.lower()))

    async def embed_query(self, text: str) -> np.ndarray:
        return await self._run_model(self.embedder.embed_query, text)

    async def embed_texts(self, texts: list[str]) -> np.ndarray:
        """Normalised vectors of arbitrary texts (answer sentences), never stored."""
        return await self._run_model(self.embedder.embed, texts, 32)

    async def search(self, query: str, scope: str | None = "local", thread_id: str | None = None, k: int = 10,
                     kinds: list[str] | None = None, author: str | None = None,
                     query_vector: np.ndarray | None = None) -> list[Hit]:
        """Hybrid search: dense cosine and FTS5 BM25, fused by reciprocal rank."""
        if not query.strip():
            return []
        thread_ids = [thread_id] if thread_id else None
        candidates = max(50, 5 * k)
        vector = query_vector if query_vector is not None else await self.embed_query(query)
        author_ids = await self.store.passage_ids_by_author(author, scope) if author else None
        dense = await asyncio.to_thread(self._dense, vector, candidates, scope, thread_ids, kinds, author_ids)
        lexical = await self._lexical(query, candidates, scope, thread_ids, kinds, author)
        return await self._fuse(dense, lexical, k)

    async def dense_search(self, query_vector: np.ndarray, scope: str | None = "local",
                           thread_id: str | None = None, k: int = 10, kinds: list[str] | None = None,
                           exact: bool = False) -> list[Hit]:
        """Dense only. Approximate once the index is clustered (see vectors.py) unless `exact`."""
        dense = await asyncio.to_thread(self._dense, query_vector, k, scope,
                                        [thread_id] if thread_id else None, kinds, None, exact)
        return await self._fuse(dense, [], k)

    def _dense(self, vector, k, scope, thread_ids, kinds, author_ids, exact=False) -> list[tuple[int, float]]:
        found = self.store.vectors.search_filtered(vector, k, scope, thread_ids, kinds, author_ids, exact)
        return list(zip(found.ids.tolist(), found.scores.tolist(), strict=True))

    async def _lexical(self, query, k, scope, thread_ids, kinds, author) -> list[tuple[int, float]]:
        match = fts_match_expression(query_terms(query))
        if match is None:
            return []
        return await self.store.bm25(match, k, scope, thread_ids, kinds, author)

    async def _fuse(self, dense, lexical, k) -> list[Hit]:
        fused = reciprocal_rank_fusion([[pid for pid, _ in dense], [pid for pid, _ in lexical]])
        best = sorted(fused, key=lambda pid: -fused[pid])[:k]
        passages = await self.store.passages_by_id(best)
        titles = await self.store.thread_titles(p.thread_id for p in passages.values())
        dense_at = {pid: (rank, score) for rank, (pid, score) in enumerate(dense, start=1)}
        lexical_at = {pid: (rank, score) for rank, (pid, score) in enumerate(lexical, start=1)}
        hits = []
        for pid in best:
            if pid not in passages:  # removed by a concurrent write between ranking and lookup
                continue
            d_rank, d_score = dense_at.get(pid, (None, None))
            l_rank, l_score = lexical_at.get(pid, (None, None))
            hits.append(Hit(passage=passages[pid], score=fused[pid], dense_score=d_score, bm25_score=l_score,
                            dense_rank=d_rank, bm25_rank=l_rank, thread_title=titles.get(passages[pid].thread_id)))
        return hits
