"""The stores bench/peers.py compares, behind one small interface (txtai's ann/ backends have the
same shape): build a folder from the corpus, open it, list its search settings cheapest first,
apply one, search. Every search returns the top k as corpus row numbers and fetches the texts, as a
user's query would. A peer's package is imported only inside its methods, so a missing one is
reported by `missing()` rather than failing the whole benchmark.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")  # chromadb would try to post usage events


@dataclass
class Corpus:
    """The same vectors and texts for every store: row i is synthetic passage i (bench/common.py)."""

    vectors: np.ndarray  # (n, 384) float32, normalised
    anchor: np.ndarray  # the dev passage each row perturbs (its text is the row's text)
    dev_texts: list[str]
    base: np.ndarray  # the dev passages' vectors the synthetic rows are made from
    model_id: str

    def text(self, row: int) -> str:
        return self.dev_texts[int(self.anchor[row])]

    def texts(self, start: int, stop: int) -> list[str]:
        return [self.dev_texts[a] for a in self.anchor[start:stop].tolist()]

    @classmethod
    def load(cls, folder: Path) -> Corpus:
        meta = json.loads((folder / "corpus.json").read_text())
        return cls(np.load(folder / "vectors.npy", mmap_mode="r"), np.load(folder / "anchor.npy"),
                   meta["dev_texts"], np.load(folder / "base.npy"), meta["model_id"])

    def save(self, folder: Path) -> None:
        np.save(folder / "vectors.npy", self.vectors)
        np.save(folder / "anchor.npy", self.anchor)
        np.save(folder / "base.npy", self.base)
        (folder / "corpus.json").write_text(json.dumps({"dev_texts": self.dev_texts, "model_id": self.model_id}))


class PeerStore:
    name = ""
    modules: tuple[str, ...] = ()  # what must be importable
    max_queries: int | None = None  # a store too slow for every query is timed on the first few
    phases: dict[str, float] | None = None  # where build time went, when the store can say

    def missing(self) -> str | None:
        absent = [m for m in self.modules if importlib.util.find_spec(m) is None]
        return f"not installed ({', '.join(absent)}): pip install -e '.[bench]'" if absent else None

    def imports(self) -> None:
        """Import the packages (before the cold start is timed: import is not per collection)."""
        for module in self.modules:
            __import__(module)

    def build(self, folder: Path, corpus: Corpus) -> None:
        raise NotImplementedError

    def open(self, folder: Path) -> None:
        raise NotImplementedError

    def settings(self) -> list[dict[str, Any]]:
        return [{}]

    def configure(self, setting: dict[str, Any]) -> None:
        """Apply a search setting (one of `settings()`)."""

    def search(self, vector: np.ndarray, k: int) -> list[int]:
        raise NotImplementedError

    def ready(self) -> None:
        """Wait until the store is wholly in memory, where it loads in the background."""

    def close(self) -> None:
        """Release the store's resources."""


BLOCK = 10_000  # rows per insert call: what a user's loop over a large corpus would send


class Threadbot(PeerStore):
    """The public store API, as bench/search_speed.py uses it: rows written by the store's bulk
    path, dense search through ThreadLibrary (ids re-checked against their rows, texts fetched)."""

    name = "threadbot"
    modules = ("faiss",)

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.lib: Any = None

    def build(self, folder: Path, corpus: Corpus) -> None:
        from common import populate

        from indexing.store import Store

        async def write() -> None:
            db = folder / "threadbot.db"
            rows_s = await populate(db, len(corpus.vectors), corpus.dev_texts, corpus.base, corpus.model_id)
            started = time.perf_counter()
            store = await Store.open(db, corpus.model_id, corpus.base.shape[1])
            store.vectors.wait_for_ann()  # clustering, above ann_min_passages
            await store.save_vectors(force=True)
            await store.close()
            # rows: threads, passages, FTS5, vector BLOBs and the change log in SQLite; indexes: the
            # first open reads the vectors back, builds the dense and lexical indexes, saves them
            self.phases = {"rows_s": round(rows_s, 1), "indexes_s": round(time.perf_counter() - started, 1)}

        self.loop.run_until_complete(write())

    def open(self, folder: Path) -> None:
        from indexing.library import ThreadLibrary
        from indexing.store import Store

        meta = json.loads((folder.parent / "corpus.json").read_text())
        store = self.loop.run_until_complete(Store.open(folder / "threadbot.db", meta["model_id"], 384))
        self.lib = ThreadLibrary(store, None)

    def search(self, vector: np.ndarray, k: int) -> list[int]:
        hits = self.loop.run_until_complete(self.lib.dense_search(vector, k=k))
        return [int(h.passage.comment_id[1:]) for h in hits]  # comment_id is f"c{row}" (common.py)

    def ready(self) -> None:
        self.lib.store.vectors.wait_resident()

    def close(self) -> None:
        if self.lib is not None:
            self.loop.run_until_complete(self.lib.close())
        self.loop.close()


class Chroma(PeerStore):
    """chromadb's PersistentClient: HNSW (default M 16, ef_construction 100), search ef tuned."""

    name = "chromadb"
    modules = ("chromadb",)

    def build(self, folder: Path, corpus: Corpus) -> None:
        import chromadb

        client = chromadb.PersistentClient(path=str(folder))
        collection = client.create_collection("passages", configuration={"hnsw": {"space": "cosine"}})
        step = min(BLOCK, client.get_max_batch_size())
        for start in range(0, len(corpus.vectors), step):
            stop = min(start + step, len(corpus.vectors))
            collection.add(ids=[str(i) for i in range(start, stop)], embeddings=np.asarray(corpus.vectors[start:stop]),
                           documents=corpus.texts(start, stop))

    def open(self, folder: Path) -> None:
        import chromadb

        self.collection = chromadb.PersistentClient(path=str(folder)).get_collection("passages")

    def settings(self) -> list[dict[str, Any]]:
        return [{"ef_search": ef} for ef in (100, 200, 400, 800, 1600)]

    def configure(self, setting: dict[str, Any]) -> None:
        self.collection.modify(configuration={"hnsw": {"ef_search": setting["ef_search"]}})

    def search(self, vector: np.ndarray, k: int) -> list[int]:
        found = self.collection.query(query_embeddings=[vector], n_results=k, include=["documents", "distances"])
        return [int(i) for i in found["ids"][0]]


class Lance(PeerStore):
    """LanceDB: IVF-PQ (default partitions and sub-vectors), nprobes and refine_factor tuned."""

    name = "lancedb"
    modules = ("lancedb", "pyarrow")

    def build(self, folder: Path, corpus: Corpus) -> None:
        import lancedb
        import pyarrow as pa
        from lancedb.index import IvfPq

        def block(start: int) -> pa.Table:
            stop = min(start + 100_000, len(corpus.vectors))
            flat = pa.array(np.ascontiguousarray(corpus.vectors[start:stop]).reshape(-1), pa.float32())
            return pa.table({"id": pa.array(np.arange(start, stop, dtype=np.int64)),
                             "text": pa.array(corpus.texts(start, stop), pa.string()),
                             "vector": pa.FixedSizeListArray.from_arrays(flat, corpus.vectors.shape[1])})

        table = lancedb.connect(str(folder)).create_table("passages", data=block(0))
        for start in range(100_000, len(corpus.vectors), 100_000):
            table.add(block(start))
        table.create_index("vector", config=IvfPq(distance_type="cosine"))

    def open(self, folder: Path) -> None:
        import lancedb

        self.table = lancedb.connect(str(folder)).open_table("passages")
        self.setting: dict[str, Any] = {"nprobes": 20, "refine_factor": None}

    def settings(self) -> list[dict[str, Any]]:
        return [{"nprobes": p, "refine_factor": r} for p, r in
                ((20, None), (20, 5), (40, 5), (40, 10), (80, 10), (160, 20), (320, 40))]

    def configure(self, setting: dict[str, Any]) -> None:
        self.setting = setting

    def search(self, vector: np.ndarray, k: int) -> list[int]:
        query = (self.table.search(vector, vector_column_name="vector").distance_type("cosine")
                 .nprobes(self.setting["nprobes"]).select(["id", "text"]).limit(k))
        if self.setting["refine_factor"]:
            query = query.refine_factor(self.setting["refine_factor"])
        return query.to_arrow()["id"].to_pylist()


class Qdrant(PeerStore):
    """qdrant-client's local mode (path=...): numpy brute force in the client, no HNSW."""

    name = "qdrant"
    modules = ("qdrant_client",)

    def build(self, folder: Path, corpus: Corpus) -> None:
        from qdrant_client import QdrantClient, models

        client = QdrantClient(path=str(folder))
        client.create_collection("passages", vectors_config=models.VectorParams(
            size=corpus.vectors.shape[1], distance=models.Distance.COSINE))
        for start in range(0, len(corpus.vectors), BLOCK):
            stop = min(start + BLOCK, len(corpus.vectors))
            client.upsert("passages", points=models.Batch(
                ids=list(range(start, stop)), vectors=np.asarray(corpus.vectors[start:stop]).tolist(),
                payloads=[{"text": t} for t in corpus.texts(start, stop)]))
        client.close()

    def open(self, folder: Path) -> None:
        from qdrant_client import QdrantClient

        self.client = QdrantClient(path=str(folder))

    def search(self, vector: np.ndarray, k: int) -> list[int]:
        found = self.client.query_points("passages", query=vector.tolist(), limit=k, with_payload=True)
        return [int(p.id) for p in found.points]

    def close(self) -> None:
        if hasattr(self, "client"):
            self.client.close()


class SqliteVec(PeerStore):
    """sqlite-vec's vec0 table (float32, exact scan), texts in a plain table. Through apsw:
    this Python's sqlite3 module was built without loadable extensions."""

    name = "sqlite-vec"
    modules = ("sqlite_vec", "apsw")

    def _connect(self, folder: Path) -> Any:
        import apsw
        import sqlite_vec

        db = apsw.Connection(str(folder / "vec.db"))
        db.enable_load_extension(True)
        db.load_extension(sqlite_vec.loadable_path())
        return db

    def build(self, folder: Path, corpus: Corpus) -> None:
        db = self._connect(folder)
        db.execute("pragma journal_mode=wal")
        db.execute("create table texts(id integer primary key, text text not null)")
        db.execute(f"create virtual table vecs using vec0(embedding float[{corpus.vectors.shape[1]}] "
                   "distance_metric=cosine)")
        for start in range(0, len(corpus.vectors), BLOCK):
            stop = min(start + BLOCK, len(corpus.vectors))
            with db:
                db.executemany("insert into texts(id, text) values (?, ?)",
                               zip(range(start + 1, stop + 1), corpus.texts(start, stop), strict=True))
                db.executemany("insert into vecs(rowid, embedding) values (?, ?)",
                               ((i + 1, corpus.vectors[i].astype("<f4").tobytes()) for i in range(start, stop)))
        db.execute("pragma wal_checkpoint(truncate)")
        db.close()

    def open(self, folder: Path) -> None:
        self.db = self._connect(folder)

    def search(self, vector: np.ndarray, k: int) -> list[int]:
        rows = self.db.execute(
            "select v.rowid, t.text from (select rowid, distance from vecs where embedding match ? and k = ?) v "
            "join texts t on t.id = v.rowid order by v.distance", (vector.astype("<f4").tobytes(), k)).fetchall()
        return [rowid - 1 for rowid, _ in rows]

    def close(self) -> None:
        if hasattr(self, "db"):
            self.db.close()


class LlmCollection(PeerStore):
    """simonw/llm's SQLite collection. The vectors go in through llm's own write path
    (`Collection.embed_multi`, content hashes and all) from a model that hands back the precomputed
    vector of each row in order; `similar_by_vector` scores every row in Python, so it is timed on
    the first queries only."""

    name = "llm"
    modules = ("llm", "sqlite_utils")
    max_queries = 10

    def build(self, folder: Path, corpus: Corpus) -> None:
        import llm
        import sqlite_utils

        class Precomputed(llm.EmbeddingModel):
            model_id = "bench-precomputed-384"
            batch_size = 100

            def __init__(self) -> None:
                self.row = 0

            def embed_batch(self, items):
                for _ in items:  # embed_multi passes the new rows in order
                    yield corpus.vectors[self.row].tolist()
                    self.row += 1

        model = Precomputed()
        collection = llm.Collection("passages", sqlite_utils.Database(folder / "llm.db"), model=model)
        collection.embed_multi(((str(i), corpus.text(i)) for i in range(len(corpus.vectors))), store=True)
        assert model.row == len(corpus.vectors), "embed_multi skipped rows; the vectors would be misaligned"

    def open(self, folder: Path) -> None:
        import llm
        import sqlite_utils

        self.collection = llm.Collection("passages", sqlite_utils.Database(folder / "llm.db"), create=False)

    def search(self, vector: np.ndarray, k: int) -> list[int]:
        return [int(e.id) for e in self.collection.similar_by_vector(vector.tolist(), k)]


STORES: dict[str, type[PeerStore]] = {cls.name: cls for cls in (Threadbot, Chroma, Lance, Qdrant, SqliteVec,
                                                                 LlmCollection)}
