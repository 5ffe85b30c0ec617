"""Property tests: every parser on 10,000 generated inputs per run; only typed errors, never a crash.

For each input, `parse_bytes` either returns threads that the rest of the pipeline can take (texts that
encode as UTF-8, passages whose offsets map back into their parent), or raises ParseError with a one-line
message that starts with the file name. Any other exception fails the test with the input that caused it.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexing.errors import ParseError
from indexing.records import thread_id_for
from indexing.sources import SUPPORTED_EXTENSIONS, parse_bytes
from indexing.text.chunking import thread_passages
from tests.fakes import FakeEmbedder
from tests.indexing.sources.importer_checks import FUZZ_DEADLINE

# Examples per test: about 10,000 generated inputs per run in all.
RUNS = {
    "any_bytes": 2000,
    "scrape_text": 1500,
    "markdown": 1000,
    "json_values": 1500,
    "thread_objects": 1500,
    "jsonl": 500,
    "html": 1000,
    "encodings": 1000,
}
EXTENSIONS = [".txt", ".json", ".jsonl", ".md", ".html", ".xml"]
count_tokens = FakeEmbedder().count_tokens


def fuzz(name: str):
    return settings(max_examples=RUNS[name], deadline=FUZZ_DEADLINE, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check(data: bytes, name: str) -> None:
    try:
        threads = parse_bytes(data, name, max_bytes=1 << 20)
    except ParseError as exc:
        message = str(exc)
        assert message.startswith(exc.source + ": ") and exc.reason, message
        assert "\n" not in message and "\r" not in message, repr(message)
        assert len(message) < 500, message
        return
    assert threads
    for thread in threads:
        assert thread.title.strip()
        texts = [thread.title, *thread.paragraphs, *(c.text for c in thread.comments),
                 *(c.author or "" for c in thread.comments), *(c.id for c in thread.comments)]
        for text in texts:
            text.encode("utf-8")  # storable: no lone surrogates
        assert len({c.id for c in thread.comments}) == len(thread.comments)
        thread.content_hash()
        thread_id = thread_id_for("local", thread.identity_key())
        passages = thread_passages(thread, thread_id, count_tokens, max_tokens=64)
        parents = {("title", 0): thread.title,
                   **{("paragraph", i): p for i, p in enumerate(thread.paragraphs)},
                   **{("comment", i): c.text for i, c in enumerate(thread.comments)}}
        for p in passages:
            assert parents[(p.kind, p.position)][p.start:p.end] == p.text


@fuzz("any_bytes")
@given(st.binary(max_size=2000), st.sampled_from(EXTENSIONS))
def test_any_bytes(data, ext):
    check(data, "upload" + ext)


LINE = st.one_of(
    st.just(""), st.just(""), st.just(" "),
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30).map(
        lambda name: f"{name}'s picture"),
    st.sampled_from(["Bumpo's picture", "’s picture", "'s picture", "\t", "# heading", "\r", "\u2028",
                     "Peskov said: \"we'll see.\"", "Mr. Smith met Dr. Jones in the U.S. on Jan. 5."]),
)


@fuzz("scrape_text")
@given(st.lists(LINE, max_size=40), st.sampled_from(["\n", "\r\n", "\r"]))
def test_scrape_text(lines, newline):
    check(newline.join(lines).encode("utf-8", "surrogatepass"), "thread.txt")


MD_LINE = st.one_of(
    LINE,
    st.text(max_size=40).map(lambda t: "#" * 3 + " " + t),
    st.sampled_from(["```", "===", "---", "- item", "1. item", "> quote", "[link](http://x)", "**bold**",
                     "![img](x.png)", "#", "######## too deep", "    code"]),
)


@fuzz("markdown")
@given(st.lists(MD_LINE, max_size=40))
def test_markdown(lines):
    check("\n".join(lines).encode("utf-8", "surrogatepass"), "article.md")


JSON_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                        st.text(max_size=30))
JSON_VALUE = st.recursive(JSON_SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=12)


@fuzz("json_values")
@given(JSON_VALUE)
def test_json_values(value):
    check(json.dumps(value).encode(), "thread.json")


# A wrong-typed value: cheaper to generate than JSON_VALUE, and it is the type that matters here.
WRONG = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5),
                  st.just([]), st.just({}), st.just([1, "a"]), st.just({"text": 1}))


def maybe(strategy):
    return st.one_of(strategy, strategy, WRONG)


COMMENT = st.fixed_dictionaries({}, optional={
    "id": maybe(st.one_of(st.text(max_size=3), st.integers(0, 5))),
    "author": maybe(st.one_of(st.none(), st.text(max_size=10))),
    "text": maybe(st.text(max_size=200)),
    "parent": maybe(st.one_of(st.none(), st.text(max_size=3), st.integers(0, 5))),
    "posted": maybe(st.none()),
    "score": maybe(st.one_of(st.none(), st.integers(), st.floats(allow_nan=False))),
})
THREAD = st.fixed_dictionaries({}, optional={
    "title": maybe(st.text(max_size=50)),
    "url": maybe(st.one_of(st.none(), st.text(max_size=20))),
    "published": maybe(st.none()),
    "source": maybe(st.none()),
    "paragraphs": maybe(st.lists(maybe(st.text(max_size=200)), max_size=6)),
    "body": maybe(st.text(max_size=300)),
    "comments": maybe(st.lists(maybe(COMMENT), max_size=12)),
})


@fuzz("thread_objects")
@given(st.one_of(THREAD, st.lists(THREAD, max_size=3)), st.booleans())
def test_thread_objects(value, ascii_only):
    check(json.dumps(value, ensure_ascii=ascii_only).encode(), "thread.json")


@fuzz("jsonl")
@given(st.lists(st.one_of(THREAD.map(json.dumps), st.text(max_size=40)), max_size=6))
def test_jsonl(lines):
    check("\n".join(lines).encode("utf-8", "surrogatepass"), "threads.jsonl")


TAGS = ["p", "div", "article", "script", "style", "h1", "title", "body", "head", "html", "span", "section",
        "ul", "li", "a", "br", "main", "aside", "footer", "nav", "!--", "![CDATA[", "?xml"]
HTML_PART = st.one_of(
    st.sampled_from(TAGS).map(lambda t: f"<{t}>"),
    st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
    st.sampled_from(['<div class="comment">', '<meta charset="utf-8">', "-->", "]]>", "&amp;", "&#0;",
                     "&#xD800;", "<p>The council voted on Tuesday to approve the bridge.</p>"]),
    st.text(max_size=60),
)


@fuzz("html")
@given(st.lists(HTML_PART, max_size=40))
def test_html(parts):
    check("".join(parts).encode("utf-8", "surrogatepass"), "page.html")


@fuzz("encodings")
@given(st.text(max_size=300), st.sampled_from(["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "latin-1",
                                                "cp1252", "utf-32"]),
       st.sampled_from([".txt", ".md", ".json"]))
def test_encodings(text, codec, ext):
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:
        data = text.encode(codec, "replace") if codec in ("latin-1", "cp1252") else text.encode("utf-8", "replace")
    check(data, "encoded" + ext)


def test_every_supported_format_is_generated():
    """A format added to the product without property tests fails here (.htm and .markdown are
    read by the same parsers as .html and .md)."""
    aliases = {".htm": ".html", ".markdown": ".md"}
    assert {aliases.get(ext, ext) for ext in SUPPORTED_EXTENSIONS} <= set(EXTENSIONS)
