"""HTML pages through trafilatura: title, article paragraphs, comments; pages without text are errors."""

from __future__ import annotations

import pytest

from indexing.errors import ParseError
from indexing.sources import parse_bytes

ARTICLE = b"""<html><head><title>Council approves new bridge</title></head><body>
<nav>Home | News | Sport</nav>
<article><h1>Council approves new bridge</h1>
<p>The city council voted on Tuesday to approve a new bridge across the river, ending a decade of debate.</p>
<p>Construction is expected to start next spring and last three years, the mayor said after the vote.</p>
</article>
<div class="comments"><div class="comment">
<p>Finally, it took them long enough to decide this.</p></div></div>
<script>var tracking = "should never appear";</script>
</body></html>"""


def test_article_title_paragraphs_and_comments():
    [t] = parse_bytes(ARTICLE, "bridge.html")
    assert t.title == "Council approves new bridge"
    assert len(t.paragraphs) == 2
    assert t.paragraphs[0].startswith("The city council voted on Tuesday")
    assert "Home | News" not in " ".join(t.paragraphs)
    assert [c.text for c in t.comments] == ["Finally, it took them long enough to decide this."]
    assert t.source_file == "bridge.html"


def test_htm_extension_and_scripts_are_dropped():
    [t] = parse_bytes(ARTICLE, "bridge.htm")
    everything = " ".join([t.title, *t.paragraphs, *(c.text for c in t.comments)])
    assert "tracking" not in everything


@pytest.mark.parametrize("html", [
    b"<html><body></body></html>",
    b"<html><head><script>alert(1)</script></head><body><script>alert(2)</script></body></html>",
    b"<!-- only an HTML comment -->",
    b"<html><head><title>Title only</title></head></html>",
])
def test_pages_without_text_raise(html):
    with pytest.raises(ParseError) as info:
        parse_bytes(html, "empty.html")
    assert str(info.value).startswith("empty.html: ")
