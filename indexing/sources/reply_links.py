"""Reply links and comment ids the importers share, in linear time whatever the file holds.

A hostile file can hold a reply chain 100,000 deep, loops of reply links, or one id repeated on
every comment: each step here touches every comment a bounded number of times (a 100,000-deep
chain once took 817 s to check for loops, walking the whole chain from every comment).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from ..records import Comment


def cut_cycles(order: Sequence[str], parent_of: Mapping[str, str | None]) -> dict[str, str | None]:
    """`parent_of` with every loop of links cut once, at the loop's first id in `order`. Links to
    ids not in `order` are kept (an importer may know its root only by id). Linear: each id is
    walked over once, by the first walk that reaches it."""
    parents = {cid: parent_of.get(cid) for cid in order}
    position = {cid: i for i, cid in enumerate(order)}
    on_path: dict[str, int] = {}  # id -> its index in the current walk
    done: set[str] = set()
    for start in order:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parents and node not in done and node not in on_path:
            on_path[node] = len(path)
            path.append(node)
            node = parents[node]
        if node is not None and node in on_path:  # the walk came back onto itself: a loop
            loop = path[on_path[node]:]
            parents[min(loop, key=position.__getitem__)] = None
        done.update(path)
        on_path.clear()
    return parents


def top_ancestors(parents: Mapping[str, str | None]) -> dict[str, str]:
    """Each id's topmost ancestor (itself for a root; an id outside `parents` when the chain ends at
    one). `parents` must hold no loop (see cut_cycles). Linear: answers are remembered."""
    top: dict[str, str] = {}
    for start in parents:
        path: list[str] = []
        node = start
        while node not in top and parents.get(node) is not None:
            path.append(node)
            node = parents[node]  # type: ignore[assignment]  # not None: checked above
        root = top.get(node, node)
        top[node] = root
        for n in path:
            top[n] = root
    return top


def drop_broken_links(comments: list[Comment]) -> list[Comment]:
    """Reply links to a comment the thread does not hold become None, and a chain of replies that
    loops back on itself is cut, so every reply chain ends at a top-level comment."""
    ids = {c.id for c in comments}
    order = [c.id for c in comments]
    parents = cut_cycles(order, {c.id: c.parent if c.parent in ids and c.parent != c.id else None
                                 for c in comments})
    return [c if c.parent == parents[c.id] else replace(c, parent=parents[c.id]) for c in comments]


class UniqueIds:
    """Comment ids made unique within a thread: the repeats of `x` become `x+`, `x+2`, `x+3`...
    (with `sep="#", first=2`: `x#2`, `x#3`...). Each repeat resumes where the last one of its id
    stopped, so one id on every comment costs no more than distinct ids."""

    def __init__(self, sep: str = "+", first: int = 1):
        self.used: set[str] = set()
        self._sep, self._first = sep, first
        self._next: dict[str, int] = {}

    def take(self, cid: str) -> str:
        if cid in self.used:
            n = self._next.get(cid, self._first)
            while (candidate := self._label(cid, n)) in self.used:
                n += 1
            self._next[cid] = n + 1
            cid = candidate
        self.used.add(cid)
        return cid

    def _label(self, base: str, n: int) -> str:
        return f"{base}{self._sep}" if n == 1 else f"{base}{self._sep}{n}"
