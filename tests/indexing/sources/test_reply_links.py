"""Reply links and ids in linear time: deep chains, loops and one id repeated on every comment."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

from hypothesis import given, settings
from hypothesis import strategies as st

from indexing.sources import parse_bytes
from indexing.sources.reply_links import UniqueIds, cut_cycles, top_ancestors
from tests.indexing.sources.importer_checks import FUZZ_DEADLINE


class CountingMap(Mapping[str, str | None]):
    """A parent map that counts how often it is read: the work a helper does, without a clock."""

    def __init__(self, data: dict[str, str | None]):
        self.data, self.reads = data, 0

    def __getitem__(self, key: str) -> str | None:
        self.reads += 1
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def chain(n: int, loop: bool = False) -> dict[str, str | None]:
    return {f"c{i}": f"c{i - 1}" if i else (f"c{n - 1}" if loop else None) for i in range(n)}


def test_cut_cycles_reads_each_link_once_and_cuts_the_loop_at_its_first_comment():
    n = 50_000
    links = CountingMap(chain(n, loop=True))
    parents = cut_cycles(list(links), links)
    assert links.reads <= 2 * n
    assert parents["c0"] is None and all(parents[f"c{i}"] == f"c{i - 1}" for i in range(1, n))


def test_a_tail_into_a_loop_keeps_its_link():
    parents = cut_cycles(["t", "a", "b"], {"t": "a", "a": "b", "b": "a"})
    assert parents["t"] == "a" and None in (parents["a"], parents["b"])


def test_top_ancestors_of_a_deep_chain():
    n = 50_000
    tops = top_ancestors({**chain(n), "c0": "story"})
    assert {tops[f"c{i}"] for i in range(n)} == {"story"}


def test_unique_ids_resume_where_the_last_repeat_stopped():
    ids = UniqueIds()
    taken = [ids.take("7") for _ in range(4)] + [ids.take("7+2"), ids.take("7")]
    assert taken == ["7", "7+", "7+2", "7+3", "7+2+", "7+4"]
    hashed = UniqueIds(sep="#", first=2)
    assert [hashed.take("x") for _ in range(3)] == ["x", "x#2", "x#3"]


def test_many_repeats_cost_one_check_each():
    ids = UniqueIds()
    for _ in range(100_000):
        ids.take("same")
    # One string per repeat, the longest a few characters over the base: nothing grew with the count.
    assert max(map(len, ids.used)) <= len("same+100000")


def test_a_100000_deep_reply_chain_closed_in_a_loop_parses():
    # 817 s before the loop check was linear (a walk up the whole chain from every comment).
    n = 100_000
    comments = [{"id": cid, "text": f"reply {cid}", "parent": parent} for cid, parent in chain(n, loop=True).items()]
    [thread] = parse_bytes(json.dumps({"title": "Deep", "comments": comments}).encode(), "deep.json", 64 * 2**20)
    parents = {c.id: c.parent for c in thread.comments}
    assert len(parents) == n and parents["c0"] is None and parents["c99999"] == "c99998"


def test_one_html_id_on_20000_comments_parses():
    # Each repeat once appended "+" until the id was free: 20,000 of them took minutes.
    rows = "".join(f'<li class="comment" id="comment-7"><div class="comment-content">Reply {i}.</div></li>'
                   for i in range(20_000))
    page = f"<html><body><article><h1>Deep</h1><p>Text.</p></article><ol class='commentlist'>{rows}</ol></body></html>"
    [thread] = parse_bytes(page.encode(), "same-id.html", 64 * 2**20)
    assert len({c.id for c in thread.comments}) == len(thread.comments) == 20_000


# Random reply structures (any id may point at any other, at itself, or nowhere): the links left
# hold no loop, and a link is cut only where a loop was.
@settings(max_examples=1000, deadline=FUZZ_DEADLINE, database=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.one_of(st.none(), st.integers(0, 35))), max_size=40))
def test_random_reply_links_end_at_a_root(pairs):
    order = list(dict.fromkeys(f"c{a}" for a, _ in pairs))
    links = {f"c{a}": (f"c{b}" if b is not None else None) for a, b in pairs}
    parents = cut_cycles(order, {cid: links[cid] for cid in order})
    for cid in order:
        seen = set()
        node: str | None = cid
        while node is not None and node in parents:
            assert node not in seen, f"a loop through {cid}"
            seen.add(node)
            node = parents[node]
    cut = [cid for cid in order if parents[cid] != links[cid]]
    for cid in cut:  # every cut link closed a loop of the original links
        node, steps = links[cid], 0
        while node is not None and node != cid and node in links and steps <= len(order):
            node, steps = links[node], steps + 1
        assert node == cid
    tops = top_ancestors(parents)
    assert all(parents.get(tops[cid]) is None for cid in order)
