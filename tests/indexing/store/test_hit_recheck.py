"""Every search hit is checked against its own row (scope, thread, kind, author) before it is
returned: the in-memory dense index's filter columns can lag behind what the database says."""

from __future__ import annotations

import numpy as np

from indexing.records import Comment, Thread
from indexing.store.dense import VectorRows

AUTHORS = ["ann", "bob"]


def make_thread(title: str, texts: list[str]) -> Thread:
    comments = tuple(Comment(id=f"c{i}", author=AUTHORS[i % 2], text=t) for i, t in enumerate(texts))
    return Thread(title=title, paragraphs=(f"{title}: the article about the bridge toll.",), comments=comments,
                  source_file=f"{title}.json")


async def mislabel(library, passage_id: int, thread_id: str, scope: str, kind: str) -> None:
    """Make the dense index claim a passage belongs elsewhere, as a stale copy could."""
    vector = (await library.passage_vectors([passage_id]))[passage_id]
    library.store.vectors.remove([passage_id])
    library.store.vectors.add(VectorRows(ids=np.array([passage_id]), vectors=vector[None, :],
                                         thread_ids=[thread_id], scopes=[scope], kinds=[kind]))


async def test_a_hit_the_dense_index_mislabels_is_not_returned(library):
    """A guard: the scope was checked from the rows before; thread and kind are now too."""
    mine = await library.index_thread(make_thread("Mine", ["the bridge toll is too high"]), "guild-1")
    other = await library.index_thread(make_thread("Other", ["the bridge toll secret of the other server"]),
                                       "guild-2")
    foreign = [p for p in await library.passages_of(other.thread_id, "guild-2")]
    for p in foreign:  # every passage of the other server's thread, claimed as a comment of mine
        await mislabel(library, p.id, mine.thread_id, "guild-1", "comment")
    query = "the bridge toll secret of the other server"
    vector = library.embedder.embed_query(query)
    for hits in (await library.search(query, "guild-1", thread_id=mine.thread_id, kinds=["comment"]),
                 await library.dense_search(vector, "guild-1", thread_id=mine.thread_id, kinds=["comment"]),
                 await library.search(query, "guild-1"), await library.dense_search(vector, "guild-1")):
        assert hits and all(h.passage.thread_id == mine.thread_id for h in hits), hits


async def test_a_hit_of_another_thread_or_kind_or_author_is_not_returned(library):
    one = await library.index_thread(make_thread("One", ["the bridge toll is too high", "tolls again"]), "guild-1")
    two = await library.index_thread(make_thread("Two", ["the bridge toll rises in spring"]), "guild-1")
    for p in await library.passages_of(two.thread_id, "guild-1"):  # claimed as one's comments
        await mislabel(library, p.id, one.thread_id, "guild-1", "comment")
    hits = await library.search("bridge toll", "guild-1", thread_id=one.thread_id, kinds=["comment"], author="ann")
    assert hits and all(h.passage.thread_id == one.thread_id and h.passage.kind == "comment"
                        and h.passage.author == "ann" for h in hits), hits
