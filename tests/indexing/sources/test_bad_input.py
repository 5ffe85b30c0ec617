"""A corpus of bad and odd uploads, generated here (the 100 MB one must never be committed).

Every kind is fed to the library's upload path (`index_bytes`) on a database that already holds a
thread. Each is either indexed sensibly (checked per kind) or rejected with a typed error whose one-line
message names the file and the reason, and then the database content is byte-for-byte unchanged.
"""

from __future__ import annotations

import codecs
import json
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from indexing.errors import InputTooLargeError, ParseError
from indexing.library import ThreadLibrary
from indexing.records import Comment, Thread
from indexing.sources import DEFAULT_MAX_BYTES, SUPPORTED_EXTENSIONS
from tests.helpers import SEED, db_checksum, table_rows

ARTICLE = ("Harbour reopens after storm\n\n"
           "The harbour reopened on Friday after the storm damaged two piers, the port authority said. "
           "Repairs will cost about €2 million and take until the summer, according to the engineers.\n\n"
           "Fishermen welcomed the news but said the delay had cost them a month of income.\n")
LEGACY = ("Café owners protest against rents\n\n"
          "The owners of cafés in the old town protested on Monday. “We cannot pay these rents”, said the "
          "spokesman of the association, adding that a crème brûlée would soon cost €12 in the square.\n")
LATIN1 = ("Débat sur la réforme\n\n"
          "Le ministre a présenté la réforme au conseil, où les élus ont exprimé leurs inquiétudes. "
          "« Nous irons jusqu'au bout », a déclaré le porte-parole du gouvernement à la sortie.\n")


def thread_json(**overrides) -> dict:
    base = {"title": "Harbour reopens", "paragraphs": ["The harbour reopened on Friday."],
            "comments": [{"id": "1", "author": "ann", "text": "Good news for the fishermen."}]}
    base.update(overrides)
    return base


def dumps(value) -> bytes:
    return json.dumps(value).encode()


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (len(data).to_bytes(4, "big") + kind + data
                + zlib.crc32(kind + data).to_bytes(4, "big"))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", bytes([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def zip_file() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("thread.txt", ARTICLE)
    return buffer.getvalue()


PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


@dataclass
class Case:
    kind: str
    name: str
    data: Callable[[], bytes]
    error: str | None = None  # expected substring of the reason; None: must index
    check: Callable[[list[Thread]], None] | None = None


def titles(*expected: str):
    def check(threads: list[Thread]) -> None:
        assert [t.title for t in threads] == list(expected)
    return check


def article_check(title: str, fragment: str):
    def check(threads: list[Thread]) -> None:
        [t] = threads
        assert t.title == title
        assert any(fragment in p for p in t.paragraphs), t.paragraphs
    return check


def one_comment_of(size: int):
    def check(threads: list[Thread]) -> None:
        [t] = threads
        assert len(t.comments) == 1 and len(t.comments[0].text) >= size
    return check


def comment_count(n: int):
    def check(threads: list[Thread]) -> None:
        [t] = threads
        assert len(t.comments) == n
    return check


def distinct_ids_no_cycles(threads: list[Thread]) -> None:
    [t] = threads
    assert len({c.id for c in t.comments}) == len(t.comments) == 4
    parent = {c.id: c.parent for c in t.comments}
    for cid in parent:
        seen, node = set(), cid
        while node is not None:
            assert node not in seen
            seen.add(node)
            node = parent[node]


def no_script(threads: list[Thread]) -> None:
    [t] = threads
    text = " ".join([t.title, *t.paragraphs, *(c.text for c in t.comments)])
    assert "stealCookies" not in text and "harbour reopened" in text.lower()


def line_endings(threads: list[Thread]) -> None:
    [t] = threads
    assert t.title == "Harbour reopens after storm"
    assert len(t.paragraphs) == 2
    assert all("\r" not in p for p in t.paragraphs)


def heading_only(threads: list[Thread]) -> None:
    [t] = threads
    assert t.title == "Only a heading" and t.paragraphs == () and t.comments == ()


def safe_name(expected_suffix: str):
    def check(threads: list[Thread]) -> None:
        [t] = threads
        name = t.source_file
        assert "/" not in name and "\\" not in name and name not in (".", "..")
        assert all(ch.isprintable() for ch in name) and len(name) <= 120
        assert name.endswith(expected_suffix)
    return check


GOOD_JSONL = [json.dumps(thread_json(title=f"Thread {i}")) for i in range(3)]
NESTED = b'{"title": "deep", "comments": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
CASES = [
    Case("empty file", "empty.txt", lambda: b"", "the file is empty"),
    Case("whitespace only", "blank.md", lambda: b" \n\t \r\n\n   ", "empty"),
    Case("PNG renamed .txt", "photo.txt", png, "PNG image"),
    Case("ZIP renamed .txt", "archive.txt", zip_file, "ZIP archive"),
    Case("PDF renamed .txt", "paper.txt", lambda: PDF, "PDF document"),
    Case("JPEG renamed .json", "photo.json", lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(300), "JPEG"),
    Case("random binary", "noise.txt", lambda: os.urandom(4096) + bytes(64), "binary"),
    Case("truncated UTF-8", "cut.txt", lambda: ARTICLE.encode()[:-2] + "é".encode()[:1], None,
         article_check("Harbour reopens after storm", "The harbour reopened on Friday")),
    Case("UTF-8 with BOM", "bom.json", lambda: codecs.BOM_UTF8 + dumps(thread_json()), None,
         titles("Harbour reopens")),
    Case("UTF-16 with BOM", "utf16.txt", lambda: ARTICLE.encode("utf-16"), None,
         article_check("Harbour reopens after storm", "about €2 million")),
    Case("UTF-16 without BOM", "utf16le.txt", lambda: ARTICLE.encode("utf-16-le"), None,
         article_check("Harbour reopens after storm", "about €2 million")),
    Case("UTF-16 BE without BOM", "utf16be.md", lambda: ARTICLE.encode("utf-16-be"), None,
         article_check("Harbour reopens after storm", "about €2 million")),
    Case("Latin-1 text", "latin1.txt", lambda: LATIN1.encode("latin-1"), None,
         article_check("Débat sur la réforme", "« Nous irons jusqu'au bout »")),
    Case("cp1252 text", "cp1252.txt", lambda: LEGACY.encode("cp1252"), None,
         article_check("Café owners protest against rents", "“We cannot pay these rents”")),
    Case("mixed line endings", "mixed.txt",
         lambda: ARTICLE.replace("\n\n", "\r\n\r\n", 1).replace("\n\n", "\r\r", 1).encode(), None, line_endings),
    Case("NUL bytes in text", "nul.txt", lambda: ARTICLE.encode().replace(b"storm", b"st\x00rm"), "NUL bytes"),
    Case("100 MB file", "huge.txt", lambda: b"x" * (100 * 1024 * 1024), "over the 8.4 MB limit"),
    Case("single 2 MB comment", "long.json",
         lambda: dumps(thread_json(comments=[{"id": "x", "text": "The pier is broken again. " * 80_000}])),
         None, one_comment_of(2_000_000)),
    Case("single 1.2 MB article paragraph", "wall.json",
         lambda: dumps(thread_json(paragraphs=["He said the pier is broken. " * 43_000])), None,
         article_check("Harbour reopens", "He said the pier is broken.")),
    Case("100k tiny comments", "many.json",  # about 20 s: marked slow below
         lambda: dumps(thread_json(comments=[{"id": str(i), "text": f"ok {i}"} for i in range(100_000)])),
         None, comment_count(100_000)),
    Case("invalid JSON", "broken.json", lambda: b'{"title": "x", "comments": [', "invalid JSON"),
    Case("JSON not an object", "list.json", lambda: b'["a", "b"]', "must be a JSON object, not a string"),
    Case("JSON null", "null.json", lambda: b"null", "must be a JSON object, not null"),
    Case("JSON missing title", "untitled.json", lambda: dumps({"paragraphs": ["x"]}), 'missing "title"'),
    Case("comments a string", "cstring.json", lambda: dumps(thread_json(comments="hello")),
         '"comments" must be a list'),
    Case("comment text a number", "cnum.json", lambda: dumps(thread_json(comments=[{"id": "1", "text": 5}])),
         '"text"] must be a string, not a number'),
    Case("deeply nested JSON", "deep.json", lambda: NESTED, "nested too deeply"),
    Case("JSON number with 5,000 digits", "digits.json",
         lambda: b'{"title": "x", "comments": [{"text": "a", "score": ' + b"7" * 5000 + b"}]}",
         "number in the JSON is too long"),
    Case("JSONL number with 5,000 digits", "digits.jsonl",
         lambda: dumps(thread_json()) + b'\n{"title": "y", "n": ' + b"9" * 5000 + b"}", "line 2: a number"),
    Case("infinite and NaN scores", "inf.json",
         lambda: b'{"title": "Scores", "comments": [{"text": "a", "score": 1e999}, {"text": "b", "score": NaN}]}',
         None, comment_count(2)),
    Case("HTML nested 100,000 deep", "deep.html",
         lambda: b"<html><body>" + b"<div>" * 100_000 + b"Some text." + b"</div>" * 100_000 + b"</body></html>",
         "no article text"),
    Case("Markdown quote nested 100,000 deep", "quotes.md", lambda: b"# Quotes\n\n" + b"> " * 100_000 + b"x",
         None, titles("Quotes")),
    Case("duplicate ids and parent cycles", "cycles.json", lambda: dumps(thread_json(comments=[
        {"id": "a", "text": "one", "parent": "b"}, {"id": "b", "text": "two", "parent": "a"},
        {"id": "a", "text": "three", "parent": "a"}, {"id": "c", "text": "four", "parent": "c"}])),
         None, distinct_ids_no_cycles),
    Case("lone surrogate escape in JSON", "surrogate.json",
         lambda: b'{"title": "Harbour \\ud800 reopens", "comments": [{"id": "1", "text": "bad \\udfff"}]}',
         None, titles("Harbour \ufffd reopens")),
    Case("JSONL with one bad line", "mixed.jsonl",
         lambda: "\n".join([GOOD_JSONL[0], "{not json", *GOOD_JSONL[1:]]).encode(), "line 2: invalid JSON"),
    Case("JSONL all good", "good.jsonl", lambda: "\n\n".join(GOOD_JSONL).encode(), None,
         titles("Thread 0", "Thread 1", "Thread 2")),
    Case("HTML with scripts", "page.html", lambda: (
        b"<html><head><title>Harbour reopens</title><script>stealCookies()</script></head><body><article>"
        b"<p>The harbour reopened on Friday after the storm damaged two piers, the port authority said.</p>"
        b"<script>stealCookies(document.cookie)</script><p>Fishermen welcomed the news but said the delay "
        b"had cost them a month of income.</p></article></body></html>"), None, no_script),
    Case("HTML with no body", "nobody.html", lambda: b"<html><head><title>Nothing</title></head></html>",
         "no article text"),
    Case("HTML with only comments", "comments.htm", lambda: b"<html><!-- a --><body><!-- b --></body></html>",
         "no article text"),
    Case("Markdown with only a heading", "heading.md", lambda: b"# Only a heading\n", None, heading_only),
    Case("unsupported extension", "thread.docx", lambda: ARTICLE.encode(), "unsupported file type .docx"),
    Case("XML that is no thread export", "feed.xml", lambda: b'<?xml version="1.0"?><catalog><book id="1"/></catalog>',
         "XML with root element <catalog>: not a recognised thread format"),
    Case("WordPress export with only a draft", "blog.xml", lambda: (
        b'<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/" '
        b'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Blog</title><item>'
        b'<title>Draft</title><wp:post_type>post</wp:post_type><wp:status>draft</wp:status>'
        b'<content:encoded>Not yet.</content:encoded></item></channel></rss>'), "no published post"),
    Case("another site's JSON with a title", "item.json",
         lambda: json.dumps({"title": "Show HN", "children": [], "points": 3}).encode(),
         "JSON with top-level keys title, children, points: not a recognised thread format"),
    Case("truncated XML export", "cut.xml", lambda: b'<?xml version="1.0"?><rss><channel><item><title>Half',
         "not a recognised thread format"),
    Case("no extension", "thread", lambda: ARTICLE.encode(), "unsupported file type (none)"),
    Case("name with path separators", "uploads/../../etc\\thread.txt", lambda: ARTICLE.encode(), None,
         safe_name("thread.txt")),
    Case("name that is ..", "..", lambda: ARTICLE.encode(), "unsupported file type"),
    Case("name with control characters", "thre\x00ad\x1b[2J\n.txt", lambda: ARTICLE.encode(), None,
         safe_name(".txt")),
    Case("300-character name", "n" * 296 + ".txt", lambda: ARTICLE.encode(), None, safe_name(".txt")),
    Case("RTL override and zero-width characters", "\u202etxt.exe\u200b.md",
         lambda: "# Title\u200b\u202e here\n\nText \u2066with\u2069 marks.\n".encode(), None, safe_name(".md")),
]


def test_corpus_reaches_every_supported_extension():
    """Each file type the product accepts is in the hostile corpus (a new one fails here until it is)."""
    tried = {Path(c.name).suffix.lower() for c in CASES}
    missing = set(SUPPORTED_EXTENSIONS) - {".htm", ".markdown"} - tried
    assert not missing, f"no bad-input case for {sorted(missing)}"


@pytest.fixture
async def populated(db_path, fake_embedder):
    lib = await ThreadLibrary.open(db_path, fake_embedder)
    await lib.index_bytes(SEED.read_bytes(), SEED.name)
    yield lib
    await lib.close()


SLOW_KINDS = {"100k tiny comments", "single 2 MB comment", "single 1.2 MB article paragraph"}


@pytest.mark.parametrize("case", [pytest.param(c, marks=pytest.mark.slow) if c.kind in SLOW_KINDS else c
                                  for c in CASES], ids=[c.kind for c in CASES])
async def test_bad_input(case: Case, populated: ThreadLibrary, db_path):
    before = db_checksum(db_path)
    threads_before = await populated.threads()
    data = case.data()
    if case.error is not None:
        with pytest.raises(ParseError) as info:
            await populated.index_bytes(data, case.name)
        message = str(info.value)
        assert "\n" not in message and len(message) < 400, message
        assert message.startswith(info.value.source + ": ") and info.value.source
        assert case.error in info.value.reason, message
        assert db_checksum(db_path) == before
        assert await populated.threads() == threads_before
        return
    results = await populated.index_bytes(data, case.name)
    assert results and {r.status for r in results} == {"indexed"}
    threads = [await populated.thread(r.thread_id) for r in results]
    case.check(threads)
    for r, t in zip(results, threads, strict=True):
        assert r.comments == len(t.comments) and r.paragraphs == len(t.paragraphs)
        stored = table_rows(db_path, "SELECT COUNT(*) FROM passages WHERE thread_id = ?", (r.thread_id,))
        assert stored == [(r.passages,)]
    vectors = len(populated.store.vectors)
    assert vectors == table_rows(db_path, "SELECT COUNT(*) FROM passages")[0][0]


def test_100mb_file_on_disk_is_refused_before_reading(tmp_path):
    from indexing.sources import parse_file

    path = tmp_path / "huge.json"
    with open(path, "wb") as f:
        f.truncate(100 * 1024 * 1024)  # sparse: no 100 MB written to disk
    with pytest.raises(InputTooLargeError, match=r"^huge.json: the file is 104.9 MB, over the 8.4 MB limit$"):
        parse_file(path)
    assert DEFAULT_MAX_BYTES < path.stat().st_size


async def test_failing_file_among_good_ones_via_paths(tmp_path, populated, db_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_bytes(dumps(thread_json(title="A")))
    (folder / "b.json").write_bytes(b"{oops")
    (folder / "c.txt").write_bytes(png())
    (folder / "d.md").write_bytes(b"# D\n\ntext\n")
    results, failures = await populated.index_paths([folder])
    assert [r.title for r in results] == ["A", "D"]
    assert [(f.source_file, f.reason.split(" ")[0]) for f in failures] == [("b.json", "invalid"), ("c.txt", "this")]


async def test_index_thread_with_odd_records_directly(populated):
    """Threads built by code (the bot, other parsers) get the same care: odd text stays searchable."""
    thread = Thread(title="Odd", comments=(Comment("1", None, "x" * 5000), Comment("2", "a" * 500, "\u0000ok")))
    result = await populated.index_thread(thread)
    assert result.status == "indexed" and result.comments == 2


async def test_odd_file_names_on_disk_are_reported_safely(tmp_path, populated):
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "bad\x1b[2Jname.json").write_bytes(b"{oops")
    (folder / ("n" * 240 + ".json")).write_bytes(b"[]")
    (folder / "fine\x07.md").write_bytes(b"# Fine\n\nBody.\n")
    results, failures = await populated.index_paths([folder])
    assert [r.title for r in results] == ["Fine"] and results[0].source_file == "fine?.md"
    assert sorted(f.source_file for f in failures) == ["bad?[2Jname.json", "n" * 110 + "….json"]
    for failure in failures:
        assert all(ch.isprintable() for ch in failure.source_file + failure.reason)
