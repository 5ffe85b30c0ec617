"""Numbering the passages an answer cites, in the order they are first cited."""

from __future__ import annotations

from ..records import Citation, Passage
from ..text.counts import noun


class Citations:
    """Numbers passages in the order they are first cited."""

    def __init__(self) -> None:
        self.items: list[Citation] = []
        self._by_passage: dict[int, Citation] = {}

    def cite(self, passage: Passage, score: float) -> str:
        assert passage.id is not None  # cited passages come from the store, which numbers them
        found = self._by_passage.get(passage.id)
        if found is None:
            found = Citation(ref=f"[{len(self.items) + 1}]", thread_id=passage.thread_id,
                             passage_id=passage.id, kind=passage.kind, author=passage.author,
                             text=passage.text, score=round(score, 4))
            self.items.append(found)
            self._by_passage[passage.id] = found
        return found.ref

    def ids(self) -> set[int]:
        return set(self._by_passage)

    def texts(self) -> dict[int, str]:
        return {int(c.ref.strip("[]")): c.text for c in self.items}


plural = noun  # the answers' name for it
