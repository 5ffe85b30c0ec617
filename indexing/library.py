"""ThreadLibrary, the front door: indexing, listing, search, passages and vectors, summaries, digests,
server settings and follows for the CLI, the bot, answers and summaries; only it talks to the store.
CPU-bound work (parsing, tokenising, embedding, the dense scan) runs in `asyncio.to_thread`, so an
event loop serving Discord keeps its heartbeat while a big thread indexes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypedDict, TypeVar

import numpy as np

from .config import FetchConfig, IndexConfig
from .conversations import Conversations
from .digest_records import DigestRecords
from .embed import Embedder
from .embed.slices import embed_in_slices
from .errors import DatabaseUnavailableError, NotFoundError, ParseError, ThreadbotError
from .records import (
    LOCAL_SCOPE,
    MAX_FOLLOW_HOURS,
    Follow,
    GuildSettingName,
    GuildSettings,
    Hit,
    IndexFailure,
    IndexResult,
    Passage,
    SpeakerCount,
    SpeakerName,
    Statement,
    StatementSource,
    Thread,
    ThreadInfo,
    thread_id_for,
)
from .sources import DEFAULT_MAX_BYTES, parse_bytes, parse_file, read_fetched, safe_file_name, scan_paths
from .store import NewFollow, Scope, ThreadStore, open_store
from .store.dense import DEFAULT_ANN_MIN_PASSAGES
from .store.ranking import checked_top, fused_top_is_exact, reciprocal_rank_fusion
from .text.chunking import thread_passages
from .text.lexical import query_terms
from .whosaid import SpeakerDirectories, SpeakerDirectory, StatementExtractor, extract_statements, statements_of

T = TypeVar("T")

log = logging.getLogger(__name__)

# progress(stage, done, total): stage is "embed" while vectors are computed.
Progress = Callable[[str, int, int], None]
EMBED_SLICE = 128  # texts embedded per hold of the model lock (about a second on a laptop CPU)
FUSION_CANDIDATES = 200  # first-round depth a side: at 50 every query at 1M went deeper; depth costs little
FUSION_DEEPER = 4  # how much deeper if the fused top k is uncertain (BM25, scoring every match anyway, goes at once)
EMBED_BATCH = 8  # texts sorted by length: batch 8 ran 4% faster than 16 on the 1,600-comment bench


class _ThreadFields(TypedDict):
    """The `IndexResult` fields that do not depend on whether the thread changed."""

    thread_id: str
    title: str
    source_file: str | None
    paragraphs: int
    comments: int
    format: str | None
    skipped: dict[str, int]


class ThreadLibrary:
    def __init__(self, store: ThreadStore, embedder: Embedder | None, max_bytes: int = DEFAULT_MAX_BYTES,
                 extractor: StatementExtractor | None = extract_statements, model_lock: asyncio.Lock | None = None):
        self.store = store
        self.embedder = embedder
        self.max_bytes = max_bytes
        self.extractor = extractor  # who-said-what at index time; None skips it
        self._model_lock = model_lock or asyncio.Lock()  # given when the store embeds with the model too
        self._nlp_lock = asyncio.Lock()
        self.conversations = Conversations(store, self)  # the server's own messages as comments
        self.digests = DigestRecords(store)  # drafts, posted digests, and who may post one
        self._directories = SpeakerDirectories()  # made again only when the names change

    @classmethod
    async def open(cls, location: str | Path, embedder: Embedder | None, max_bytes: int = DEFAULT_MAX_BYTES, *,
                   ann_min_passages: int = DEFAULT_ANN_MIN_PASSAGES, snapshot_min_passages: int = 20_000,
                   long_running: bool = True, pool_size: int = 5, ef_search: int | None = None) -> ThreadLibrary:
        """A SQLite file, or a `postgresql://` URL (store/factory.py). Without an embedder the library
        lists and shows threads but neither indexes nor searches. SQLite's in-process dense index:
        approximate from `ann_min_passages`, saved beside the database from `snapshot_min_passages`;
        `long_running=False` (the CLI) neither clusters it nor copies a saved one into memory in the
        background (see `finish_clustering`). `pool_size`, `ef_search`: PostgreSQL's connections, HNSW width."""
        model_lock = asyncio.Lock()  # the library's, made first: the store may embed while it opens

        async def reembed(texts: list[str]) -> np.ndarray:
            assert embedder is not None
            async with model_lock:
                return await asyncio.to_thread(embedder.embed, texts, EMBED_BATCH)

        store = await open_store(location, embedder.model_id if embedder else None, embedder.dim if embedder else None,
                                 ann_min_passages=ann_min_passages, snapshot_min_passages=snapshot_min_passages,
                                 long_running=long_running, pool_size=pool_size, ef_search=ef_search,
                                 reembed=reembed if embedder else None)
        return cls(store, embedder, max_bytes, model_lock=model_lock)

    @classmethod
    async def from_config(cls, config: IndexConfig, embedder: Embedder | None,
                          long_running: bool = True) -> ThreadLibrary:
        return await cls.open(config.location, embedder, config.max_upload_bytes,
                              ann_min_passages=config.ann_min_passages, long_running=long_running,
                              snapshot_min_passages=config.snapshot_min_passages, pool_size=config.pool_size,
                              ef_search=config.hnsw_ef_search)

    @property
    def clustering(self) -> bool:
        """Whether the dense index is being clustered in the background right now."""
        return self.store.clustering()

    async def finish_clustering(self) -> None:
        """Wait for a running background clustering of the dense index, so that closing saves it
        clustered."""
        await self.store.finish_clustering()

    async def close(self) -> None:
        await self.store.close()

    async def __aenter__(self) -> ThreadLibrary:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.close()

    @property
    def can_embed(self) -> bool:
        return self.embedder is not None

    @property
    def embedding_dim(self) -> int:
        return self._model().dim

    def _model(self) -> Embedder:
        if self.embedder is None:
            raise RuntimeError("this ThreadLibrary was opened without an embedder")
        return self.embedder

    async def _run_model(self, fn: Callable[..., T], *args: object) -> T:
        """The model is not thread-safe for concurrent calls: one at a time, off the event loop."""
        self._model()
        async with self._model_lock:
            return await asyncio.to_thread(fn, *args)

    # ---- indexing ----------------------------------------------------------------------------
    async def index_thread(self, thread: Thread, scope: str = LOCAL_SCOPE,
                           progress: Progress | None = None) -> IndexResult:
        thread_id = thread_id_for(scope, thread.identity_key())
        thread = await self.conversations.with_server_comments(thread_id, thread)  # re-uploads keep them
        base: _ThreadFields = dict(thread_id=thread_id, title=thread.title, source_file=thread.source_file,
                                   paragraphs=len(thread.paragraphs), comments=len(thread.comments),
                                   format=thread.format, skipped=dict(thread.skipped))
        if await self.store.thread_hash(thread_id) == await asyncio.to_thread(thread.content_hash):  # 15 ms at 1,522
            await self._backfill_statements(thread_id, thread, scope)
            count = (await self.store.thread_info(thread_id, scope)).passages
            return IndexResult(status="unchanged", passages=count, **base)
        model = self._model()
        passages = await self._run_model(thread_passages, thread, thread_id, model.count_tokens, model.max_tokens)
        known = await self.store.known_hashes(p.content_hash for p in passages)
        todo: dict[str, str] = {}
        for p in passages:
            if p.content_hash not in known:
                todo.setdefault(p.content_hash, p.text)

        async def embed_new() -> dict[str, np.ndarray]:
            # Shortest first across the whole thread, not per slice: batches of like lengths carry
            # little padding (slices in thread order took 13.6 s instead of 11.0 s for 1,600 comments).
            hashes = sorted(todo, key=lambda h: len(todo[h]))
            report = (lambda done, total: progress("embed", done, total)) if progress else None
            vectors = await embed_in_slices(model, [todo[h] for h in hashes], self._model_lock, EMBED_SLICE,
                                            EMBED_BATCH, report)
            return dict(zip(hashes, vectors, strict=True))

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
            await self._run_model(self.embedder.count_tokens, ["warm up"])  # an upload's first step
        if self.extractor is not None:
            from .whosaid.nlp import english_pipeline

            async with self._nlp_lock:
                await asyncio.to_thread(english_pipeline)

    async def _backfill_statements(self, thread_id: str, thread: Thread, scope: str) -> None:
        """A thread indexed before who-said-what existed gets its statements when it is next indexed;
        a thread that already has statements (or has nothing to extract from) is left alone."""
        if self.extractor is None or await self.store.statement_count(thread_id) > 0:
            return
        if not thread.paragraphs and not any(c.author for c in thread.comments):
            return
        passages = await self.store.thread_passages(thread_id, scope)
        async with self._nlp_lock:
            statements = await asyncio.to_thread(self.extractor, thread, passages)
        if statements:
            await self.store.replace_statements(thread_id, passages, statements)

    async def index_bytes(self, data: bytes, name: str, scope: str = LOCAL_SCOPE,
                          progress: Progress | None = None) -> list[IndexResult]:
        """Parse an upload and index every thread in it. A parse error means nothing was written."""
        threads = await asyncio.to_thread(parse_bytes, data, name, self.max_bytes)
        return [await self.index_thread(t, scope, progress) for t in threads]

    async def index_url(self, url: str, fetch: FetchConfig, scope: str = LOCAL_SCOPE,
                        progress: Progress | None = None) -> list[IndexResult]:
        """Fetch a thread from a URL (see sources/fetch.py) and index it. A FetchError says why not."""
        from .sources.fetch import FetchLimits, SiteApis, fetch_thread  # aiohttp: imported when first needed
        limits = FetchLimits(max_bytes=self.max_bytes, timeout=fetch.timeout, max_redirects=fetch.max_redirects,
                             allow_private=frozenset(fetch.allow_private), respect_robots=fetch.respect_robots)
        fetched = await fetch_thread(url, limits, SiteApis(reddit=fetch.reddit_base, hn_algolia=fetch.hn_algolia_base))
        threads = await asyncio.to_thread(read_fetched, fetched, self.max_bytes)
        return [await self.index_thread(t, scope, progress) for t in threads]

    async def index_paths(self, paths: list[str | Path], scope: str = LOCAL_SCOPE,
                          progress: Progress | None = None) -> tuple[list[IndexResult], list[IndexFailure]]:
        """Index files and directories. A failing file is reported; the others still go in."""
        results: list[IndexResult] = []
        files, passed_over = scan_paths(paths)
        failures = [IndexFailure(safe_file_name(path.name), reason, passed_over=True) for path, reason in passed_over]
        for path in files:
            try:
                threads = await asyncio.to_thread(parse_file, path, self.max_bytes)
                for thread in threads:
                    results.append(await self.index_thread(thread, scope, progress))
            except DatabaseUnavailableError:
                raise  # a full disk or a read-only database fails every later file the same way
            except ParseError as exc:
                failures.append(IndexFailure(exc.source, exc.reason))
            except ThreadbotError as exc:
                failures.append(IndexFailure(safe_file_name(Path(path).name), str(exc)))
        return results, failures

    # ---- reading -----------------------------------------------------------------------------
    async def threads(self, scope: Scope = LOCAL_SCOPE) -> list[ThreadInfo]:
        return await self.store.list_threads(scope)

    async def thread(self, thread_id: str, scope: Scope = LOCAL_SCOPE) -> Thread:
        return await self.store.get_thread(thread_id, scope)

    async def thread_info(self, thread_id: str, scope: Scope = LOCAL_SCOPE) -> ThreadInfo:
        return await self.store.thread_info(thread_id, scope)

    async def forget(self, thread_id: str, scope: Scope = LOCAL_SCOPE) -> ThreadInfo:
        return await self.store.delete_thread(thread_id, scope)

    async def statements(self, scope: Scope = LOCAL_SCOPE, thread_id: str | None = None,
                         speaker: str | None = None) -> list[Statement]:
        """Who-said-what: stored statements in reading order; `speaker` matches aliases ("Peskov"). Only the
        matching speakers' statements are read (reading all cost an ask 56 ms at 4,000 statements)."""
        if not speaker:
            return await self.store.statements(scope, thread_id)
        names = (await self.speaker_directory(scope, thread_id)).speakers_named(speaker)
        return statements_of(await self.store.statements(scope, thread_id, speakers=names), speaker) if names else []

    async def statements_by(self, speaker: str, scope: Scope = LOCAL_SCOPE, thread_id: str | None = None
                            ) -> list[Statement]:
        """The statements stored under exactly this speaker (a comment author's handle, any characters)."""
        return [s for s in await self.store.statements(scope, thread_id, speakers=[speaker]) if s.speaker == speaker]

    async def speaker_names(self, scope: Scope = LOCAL_SCOPE, thread_id: str | None = None) -> tuple[SpeakerName, ...]:
        return await self.store.speaker_names(scope, thread_id)

    async def speaker_directory(self, scope: Scope = LOCAL_SCOPE, thread_id: str | None = None) -> SpeakerDirectory:
        """speaker_names as the lookups an ask makes (commenters, the speakers a name denotes)."""
        return await self._directories.of((scope, thread_id), await self.store.speaker_names(scope, thread_id))

    async def speakers(self, thread_id: str, scope: Scope = LOCAL_SCOPE) -> list[SpeakerCount]:
        """The speakers of one thread with their statement counts, article sources first."""
        await self.store.thread_info(thread_id, scope)  # a clear error for an unknown thread
        counts: dict[tuple[str, StatementSource], int] = {}
        for s in await self.store.statements(scope, thread_id):
            counts[(s.speaker, s.source)] = counts.get((s.speaker, s.source), 0) + 1
        return sorted((SpeakerCount(speaker, source, n) for (speaker, source), n in counts.items()),
                      key=lambda c: (c.source != "article", -c.statements, c.speaker.lower()))

    async def embed_query(self, text: str) -> np.ndarray:
        return await self._run_model(self._model().embed_query, text)

    async def embed_texts(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Normalised vectors of arbitrary texts (answer and summary sentences), never stored."""
        return await self._run_model(self._model().embed, texts, batch_size)

    async def search(self, query: str, scope: Scope = LOCAL_SCOPE, thread_id: str | None = None, k: int = 10,
                     kinds: list[str] | None = None, author: str | None = None,
                     query_vector: np.ndarray | Awaitable[np.ndarray] | None = None) -> list[Hit]:
        """Hybrid search: dense cosine and BM25, fused by reciprocal rank over the top of each side; a
        fused top k not certain to be that of the full rankings (fused_top_is_exact) searches deeper once.
        `query_vector` may be one still being computed (a task of `embed_query`): BM25 scores meanwhile."""
        if not query.strip():
            return []
        thread_ids = [thread_id] if thread_id else None
        author_ids = await self.store.passage_ids_by_author(author, scope) if author else None
        candidates = max(FUSION_CANDIDATES, 20 * k)
        pending = self.embed_query(query) if query_vector is None else query_vector

        async def dense_side() -> tuple[np.ndarray, list[tuple[int, float]]]:
            vector = pending if isinstance(pending, np.ndarray) else await pending
            return vector, await self._dense(vector, candidates, scope, thread_ids, kinds, author_ids)

        # BM25 scores in a worker thread while the query is embedded and the dense side searched.
        (deep, matched), (vector, dense) = await asyncio.gather(
            self._lexical(query, candidates * FUSION_DEEPER, scope, thread_ids, kinds, author), dense_side())
        for deeper in (False, True):
            dense = await self._dense(vector, candidates, scope, thread_ids, kinds, author_ids) if deeper else dense
            lexical = deep[:candidates]
            dense_ids, lexical_ids = [p for p, _ in dense], [p for p, _ in lexical]
            if deeper or fused_top_is_exact(reciprocal_rank_fusion([dense_ids, lexical_ids]), dense_ids, lexical_ids,
                                            k, len(dense) < candidates, 0 <= matched <= len(lexical)
                                            or len(lexical) < candidates):
                break
            candidates *= FUSION_DEEPER
        return await self._fuse(dense, lexical, k, scope, thread_ids, kinds, author)

    async def dense_search(self, query_vector: np.ndarray, scope: Scope = LOCAL_SCOPE,
                           thread_id: str | None = None, k: int = 10, kinds: list[str] | None = None,
                           exact: bool = False) -> list[Hit]:
        """Dense only. Approximate once the index is clustered (see vectors.py) unless `exact`."""
        thread_ids = [thread_id] if thread_id else None
        dense = await self._dense(query_vector, k, scope, thread_ids, kinds, None, exact)
        return await self._fuse(dense, [], k, scope, thread_ids, kinds)

    async def _dense(self, vector: np.ndarray, k: int, scope: Scope, thread_ids: list[str] | None,
                     kinds: list[str] | None, author_ids: list[int] | None, exact: bool = False
                     ) -> list[tuple[int, float]]:
        found = await self.store.dense_search(vector, k, scope, thread_ids, kinds, author_ids, exact)
        return list(zip(found.ids.tolist(), found.scores.tolist(), strict=True))

    async def _lexical(self, query: str, k: int, scope: Scope, thread_ids: list[str] | None,
                       kinds: list[str] | None, author: str | None) -> tuple[list[tuple[int, float]], int]:
        """The BM25 top k and how many passages match in all (-1: unknown)."""
        words = query_terms(query)
        if not words:
            return [], 0
        return await self.store.bm25(words, k, scope, thread_ids, kinds, author)

    async def _fuse(self, dense: list[tuple[int, float]], lexical: list[tuple[int, float]], k: int, scope: Scope,
                    thread_ids: list[str] | None = None, kinds: list[str] | None = None,
                    author: str | None = None) -> list[Hit]:
        fused = reciprocal_rank_fusion([[pid for pid, _ in dense], [pid for pid, _ in lexical]])
        best, rows = await checked_top(fused, k, lambda ids: self.store.titled_passages(ids, scope, thread_ids,
                                                                                        kinds, author))
        dense_at = {pid: (rank, score) for rank, (pid, score) in enumerate(dense, start=1)}
        lexical_at = {pid: (rank, score) for rank, (pid, score) in enumerate(lexical, start=1)}
        hits = []
        for pid in best:
            d_rank, d_score = dense_at.get(pid, (None, None))
            l_rank, l_score = lexical_at.get(pid, (None, None))
            passage, title = rows[pid]
            hits.append(Hit(passage=passage, score=fused[pid], dense_score=d_score, bm25_score=l_score,
                            dense_rank=d_rank, bm25_rank=l_rank, thread_title=title))
        return hits

    # ---- passages and vectors ------------------------------------------------------------------
    async def passages_of(self, thread_id: str, scope: Scope = LOCAL_SCOPE) -> list[Passage]:
        """A thread's passages in reading order: title, paragraphs, comments."""
        return await self.store.thread_passages(thread_id, scope)

    async def passages_by_id(self, ids: Iterable[int | None], scope: Scope = LOCAL_SCOPE) -> dict[int, Passage]:
        """The passages of these ids that belong to `scope` (missing or foreign ids are left out)."""
        return await self.store.passages_by_id([i for i in ids if i is not None], scope)

    async def passage_vectors(self, passage_ids: Iterable[int | None]) -> dict[int, np.ndarray]:
        """The stored (normalised) vectors of these passages (those without one are left out)."""
        return await self.store.passage_vectors(i for i in passage_ids if i is not None)

    async def dense_size(self) -> int:
        """Passages in the dense index."""
        return await self.store.dense_size()

    @property
    def dense_approximate(self) -> bool:
        """Whether dense search is approximate (clustered or HNSW) rather than a scan of every vector."""
        return self.store.dense_approximate

    # ---- summary cache and server settings (digests: self.digests) ----
    async def cached_summary(self, thread_id: str, content_hash: str, length: str, mode: str) -> dict | None:
        return await self.store.cached_summary(thread_id, content_hash, length, mode)

    async def store_summary(self, thread_id: str, content_hash: str, length: str, mode: str, body: dict) -> None:
        await self.store.store_summary(thread_id, content_hash, length, mode, body)

    async def guild_settings(self, guild_id: int | str) -> GuildSettings:
        return await self.store.guild_settings(str(guild_id))

    async def all_guild_settings(self) -> list[GuildSettings]:
        return await self.store.all_guild_settings()

    async def set_guild_setting(self, guild_id: int | str, name: GuildSettingName,
                                value: int | str | None) -> GuildSettings:
        """Set one of a server's settings (None clears it)."""
        return await self.store.set_guild_setting(str(guild_id), name, value)

    # ---- followed threads (the checks themselves: following.py) ---------------------------------
    async def follow(self, url: str, scope: str, channel_id: int | None, hours: float, threshold: int, *,
                     interval: float, thread_id: str | None = None, comment_count: int | None = None,
                     now: datetime | None = None) -> Follow:
        """Follow `url` in `scope` for `hours` (following it again renews it from now). When it was just
        fetched (`thread_id` known) the next check is due `interval` seconds from now, else at once."""
        if not 0 < hours <= MAX_FOLLOW_HOURS or threshold < 1 or interval <= 0:
            raise ThreadbotError(f"a thread is followed for up to {MAX_FOLLOW_HOURS:g} hours, for 1 or more comments")
        now = now or datetime.now(UTC)
        due = now + timedelta(seconds=interval) if thread_id else now
        return await self.store.follow(NewFollow(scope, url.strip(), channel_id, hours, threshold, now,
                                                 now + timedelta(hours=hours), due, interval, thread_id, comment_count))

    async def unfollow(self, url_or_thread_id: str, scope: str) -> list[Follow]:
        """Stop following a URL or thread in `scope`; returns the follows removed."""
        removed = await self.store.unfollow(url_or_thread_id, scope)
        if not removed:
            raise NotFoundError(f"not following {url_or_thread_id.strip()} here")
        return removed

    async def follows(self, scope: Scope) -> list[Follow]:
        return await self.store.follows(scope)

    async def due_follows(self, now: datetime) -> list[Follow]:
        """The follows of every scope due at `now`, for a scheduler that checks each in its own scope."""
        return await self.store.due_follows(now)

    async def record_check(self, follow_id: int, comment_count: int | None, next_check_at: datetime,
                           interval: float, thread_id: str | None = None) -> Follow | None:
        """What a check saw and when the next is due; None when the follow was removed meanwhile."""
        return await self.store.record_check(follow_id, comment_count, next_check_at, interval, thread_id)
