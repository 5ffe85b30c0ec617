"""The default embedder: the bundled model run by onnxruntime (int8, per-channel) with `tokenizers`.

About 2x the throughput of the torch backend here, and a process that needs only onnxruntime and
tokenizers loads and embeds a query in a fraction of a second (torch + sentence-transformers took
about 7.6 s). Its vectors agree with the torch backend's to cosine >= 0.99, so it records the same
model id: a database built with either backend can be searched with the other.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import numpy as np

from ..errors import EmbedderError
from .base import Embedder, default_model_path, normalise
from .export import cached_model_path

log = logging.getLogger(__name__)

BULK_TEXTS = 64  # from this many texts on, embed as parallel single-threaded calls (see OnnxEmbedder.embed)
BULK_WORKERS = 2
BULK_TOKENS = 1024  # padded tokens (rows x longest row) per bulk inference call
BULK_ROWS = 64
REMEMBERED_TEXTS = 20_000  # at most this many texts' ids kept from a count for the embedding that follows
BULK_NICENESS = 5  # see _yield_to_others
T = TypeVar("T")


def onnx_available() -> bool:
    try:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError:
        return False
    return True


def export_in_subprocess(model_dir: str, cache_dir: Path) -> Path:
    """Export in a child process so this one never loads torch (it would slow onnxruntime down)."""
    target = cached_model_path(model_dir, cache_dir)
    if target.is_file():
        return target
    log.warning("exporting the embedding model to ONNX once (about 15 s); cached at %s", target)
    done = subprocess.run([sys.executable, "-m", "indexing.embed.export", "--model", model_dir,
                           "--cache", str(cache_dir)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0 or not target.is_file():
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise EmbedderError(f"could not export the embedding model to ONNX: {tail[0]}")
    return target


class OnnxEmbedder(Embedder):
    """A sentence-transformers BERT model (mean pooling, normalised) exported to int8 ONNX."""

    def __init__(self, model_path: str | None = None, model_id: str | None = None,
                 threads: int | None = None, cache_dir: Path | None = None):
        path = model_path or default_model_path()
        if not os.path.isdir(path):
            raise EmbedderError(f"embedding model directory not found: {path}")
        tokenizer_file = Path(path) / "tokenizer.json"
        if not tokenizer_file.is_file():
            raise EmbedderError(f"{path} has no tokenizer.json; use `[index] backend = \"torch\"`")
        from tokenizers import Tokenizer

        self.max_tokens = _max_seq_length(Path(path))
        # Two tokenizers: one truncates to the model window for embedding, one counts the full length
        # (passages.py splits texts longer than the window, so it needs the untruncated count). The
        # counter is made on first use: only indexing counts, and a question should not wait for it.
        self._tokenizer_file = tokenizer_file
        self._counter: Tokenizer | None = None
        self._counted: dict[str, list[int]] = {}  # the last big counts' token ids, for the embedding that follows
        self._counted_taken = False  # an embedding took ids from them since
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.enable_truncation(max_length=self.max_tokens)
        self._tokenizer.no_padding()

        if cache_dir is None:
            from ..config import default_cache_dir

            cache_dir = default_cache_dir()
        self._model_file = export_in_subprocess(path, cache_dir)
        self._threads = threads
        # Calls of the bulk path queue their batches on the one worker pool; sessions are thread-safe.
        self.overlapping_calls = threads is None
        # The session (about 0.1 s of graph optimisation, which releases the GIL) is made in a background
        # thread while the caller opens its database; the first embedding waits for it and raises its error.
        self._session_loading = _in_background(self._new_session, threads or min(2, os.cpu_count() or 1))
        self._bulk_session: Future | None = None  # one thread, loading from the second call of a few texts
        self._few_text_calls = False
        self._pool: ThreadPoolExecutor | None = None
        self._setup_lock = threading.Lock()
        self.dim = _hidden_size(Path(path)) or int(self._session.get_outputs()[0].shape[-1])
        self.model_id = model_id or ("all-MiniLM-L6-v2" if model_path is None
                                     else os.path.basename(os.path.normpath(path)))

    @property
    def _session(self):
        return self._session_loading.result()

    def _new_session(self, threads: int):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Idle pool threads spin by default; on 2 cores shared with the event loop, SQLite and other
        # processes that made 45 short sentences take 555 ms instead of 125 ms.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        errors: tuple[type[Exception], ...] = (*_load_errors(), RuntimeError)
        try:
            return onnxruntime.InferenceSession(str(self._model_file), options, providers=["CPUExecutionProvider"])
        except errors as exc:
            raise EmbedderError(f"cannot load the ONNX model {self._model_file}: {exc}") from exc

    def embed(self, texts: Sequence[str], batch_size: int = 16, progress=None) -> np.ndarray:
        """Fewer than BULK_TEXTS texts (a query, answer candidates, summary sentences) are each run alone
        (`batch_size` is not used): a query on the two-thread session, several texts as single-threaded
        calls on BULK_WORKERS Python threads at once (onnxruntime releases the GIL).

        The single-threaded session loads in the background from the second call of a few texts on
        (a CLI question makes one, and should not wait about 0.1 s for a session it uses once); until
        it is ready, the texts run one after another on the two-thread session, to the same vectors.

        Alone, a text's vector depends on the text only. Dynamic int8 scales activations per call, so
        in a padded batch a vector moved with its batch-mates (cosine 0.984-1.0 to itself alone), and a
        remembered candidate vector depended on which question first embedded it. No padding is also
        cheaper: the candidate sentences of 78 real questions took 26 ms a question instead of 41.

        Many texts (indexing) are tokenised once, sorted by token count and cut into batches of about
        BULK_TOKENS padded tokens, which run on the same workers: int8 inference gains little from
        intra-op threads here, but two independent calls keep both cores busy.
        """
        if self._threads is not None:
            return super().embed(texts, batch_size, progress)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = self._token_ids(texts)
        if len(texts) == 1:
            out[0] = normalise(np.asarray(self._run(self._session, ids), dtype=np.float32))[0]
            if progress:
                progress(1)
            return out
        bulk = len(texts) >= BULK_TEXTS
        session = self._single_threaded(wait=bulk)
        if session is None:
            for i, row in enumerate(ids):
                out[i] = normalise(np.asarray(self._run(self._session, [row]), dtype=np.float32))[0]
            if progress:
                progress(len(ids))
            return out
        if bulk:
            batches = token_batches([len(row) for row in ids], BULK_TOKENS, BULK_ROWS)
        else:  # longest first, so the two workers end together
            batches = [[i] for i in sorted(range(len(ids)), key=lambda i: -len(ids[i]))]

        def run(idx: list[int]) -> tuple[list[int], np.ndarray]:
            return idx, self._run(session, [ids[i] for i in idx])

        for idx, vectors in self._workers().map(run, batches):
            out[idx] = normalise(np.asarray(vectors, dtype=np.float32))
            if progress:
                progress(len(idx))
        return out

    def _single_threaded(self, wait: bool):
        """The single-threaded session, or None while it is loading and `wait` is false."""
        with self._setup_lock:
            if self._bulk_session is None:
                if not wait and not self._few_text_calls:
                    self._few_text_calls = True
                    return None
                self._bulk_session = _in_background(self._new_session, 1)
        return self._bulk_session.result() if wait or self._bulk_session.done() else None

    def _workers(self) -> ThreadPoolExecutor:
        """Kept for the embedder's life: a pool per call cost its thread starts on every question."""
        with self._setup_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(BULK_WORKERS, thread_name_prefix="onnx-embed",
                                                initializer=_yield_to_others)
            return self._pool

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(self._session, [e.ids for e in self._tokenizer.encode_batch(list(texts))])

    @staticmethod
    def _run(session, rows: Sequence[Sequence[int]]) -> np.ndarray:
        """One inference call on token ids, padded to the longest row."""
        width = max(len(row) for row in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        (vectors,) = session.run(None, {"input_ids": ids, "attention_mask": mask,
                                        "token_type_ids": np.zeros_like(ids)})
        return vectors

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Untruncated counts. A big call (a thread being split into passages) runs as two halves on the
        bulk workers at once (the tokenizer releases the GIL), and remembers the ids of the texts that
        fit the window, so that embedding those passages next does not tokenise them again."""
        if self._counter is None:
            from tokenizers import Tokenizer

            counter = Tokenizer.from_file(str(self._tokenizer_file))
            counter.no_truncation()
            counter.no_padding()
            self._counter = counter
        texts = list(texts)
        if len(texts) < BULK_TEXTS:
            return [len(e.ids) for e in self._counter.encode_batch(texts)]
        encode = self._counter.encode_batch
        ids = [e.ids for part in self._workers().map(encode, halves(texts)) for e in part]
        # Added to what the counts since the last embedding remembered (a thread's texts, then the
        # sentences of its long ones: a chunk may be one), else instead of it; up to REMEMBERED_TEXTS.
        if self._counted_taken or len(self._counted) + len(texts) > REMEMBERED_TEXTS:
            self._counted, self._counted_taken = {}, False
        pairs = zip(texts[:REMEMBERED_TEXTS], ids, strict=False)
        self._counted.update((t, row) for t, row in pairs if len(row) <= self.max_tokens)
        return [len(row) for row in ids]

    def _token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids as the embedding tokenizer makes them (truncated to the window): remembered ones
        from the last big counts (the same ids: they fit the window; each is handed out once, so the
        memory goes with the indexing), the others tokenised now."""
        counted = self._counted
        found = [counted.pop(t, None) for t in texts]
        if any(row is not None for row in found):
            self._counted_taken = True  # the next count starts afresh: the memory goes with the indexing
        missing = [i for i, row in enumerate(found) if row is None]
        if missing:
            for i, e in zip(missing, self._tokenizer.encode_batch([texts[i] for i in missing]), strict=True):
                found[i] = e.ids
        return found  # type: ignore[return-value]  # every None was filled


def halves(texts: list[str]) -> list[list[str]]:
    """`texts` cut in two at about half their characters, in order: the tokenizer's work is about
    proportional to length."""
    total, cut, seen = sum(map(len, texts)), 0, 0
    while cut < len(texts) and 2 * seen < total:
        seen += len(texts[cut])
        cut += 1
    return [texts[:cut], texts[cut:]]


def token_batches(lengths: Sequence[int], budget: int, max_rows: int) -> list[list[int]]:
    """Positions cut into batches of like lengths, each padding to at most `budget` tokens (rows times
    the longest row; a single longer row is a batch of its own) and holding at most `max_rows` rows,
    the most expensive batch first, so that parallel workers end on small ones together.

    Sorted by token count and cut by tokens, the 1,600 passages of the dev thread (in the library's
    slices of 128) pad by 2.4% instead of 12.5% with batches of 8 sorted by characters.
    """
    batches: list[list[int]] = []
    for i in sorted(range(len(lengths)), key=lengths.__getitem__):
        if batches and len(batches[-1]) < max_rows and (len(batches[-1]) + 1) * lengths[i] <= budget:
            batches[-1].append(i)
        else:
            batches.append([i])
    return sorted(batches, key=lambda batch: -len(batch) * lengths[batch[-1]])


def _load_errors() -> tuple[type[Exception], ...]:
    """What onnxruntime raises for a file it cannot load (a truncated or foreign cached model)."""
    from onnxruntime.capi import onnxruntime_pybind11_state as state

    names = ("Fail", "InvalidProtobuf", "NoSuchFile", "InvalidArgument", "InvalidGraph", "RuntimeException")
    return tuple(getattr(state, name) for name in names if hasattr(state, name))


def _yield_to_others() -> None:
    """Run this bulk worker thread at a lower CPU priority (Linux sets niceness per thread): the two
    workers fill both cores, and an event loop in the same process (the bot's heartbeat, its ticker)
    should get a core the moment it wakes. An idle machine gives the workers every cycle anyway."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), min(19, os.nice(0) + BULK_NICENESS))
    except (AttributeError, OSError):  # another platform, or not allowed: the same work at the same priority
        pass


def _in_background(fn: Callable[..., T], *args: object) -> Future[T]:
    future: Future[T] = Future()

    def run() -> None:
        try:
            future.set_result(fn(*args))
        except Exception as exc:  # handed to whoever waits for the result
            future.set_exception(exc)

    # Not a daemon: a process that ends while a session loads waits for it. A daemon thread still in
    # onnxruntime at interpreter exit aborted the process ("terminate called without an active exception",
    # exit -6) when it took the GIL back: a `threadbot summary` that needed no model ended so.
    threading.Thread(target=run, name="onnx-session", daemon=False).start()
    return future


def _hidden_size(model_dir: Path) -> int | None:
    """The vector size of a mean-pooled BERT model, from its config (None: ask the session)."""
    import json

    try:
        with open(model_dir / "config.json", encoding="utf-8") as f:
            value = json.load(f).get("hidden_size")
    except (OSError, ValueError):
        return None
    return int(value) if isinstance(value, int) else None


def _max_seq_length(model_dir: Path) -> int:
    import json

    config = model_dir / "sentence_bert_config.json"
    if config.is_file():
        with open(config, encoding="utf-8") as f:
            value = json.load(f).get("max_seq_length")
        if value:
            return int(value)
    return 256
