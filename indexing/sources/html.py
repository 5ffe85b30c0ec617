"""HTML pages: a saved Hacker News item page (hn_page.py), or an article whose main text, title and
metadata come from trafilatura (a maintained extraction library) and whose comment section is read
with its authors, reply links and times by comment_sections.py.

The comment section is removed before trafilatura sees the page, so comments never become article
paragraphs. A page without a recognisable comment section keeps trafilatura's comment text, one
comment per line with no author, minus interface text ("Reply", "Like", "Leave a comment").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from ..errors import ParseError
from ..records import Comment, Thread
from . import hn_page
from .comment_sections import article_without_comments, as_root, extract_comments, is_interface_phrase

if TYPE_CHECKING:
    from trafilatura.settings import Document

PAGE_FORMAT = "html-page"


def parse_html(text: str, source: str) -> list[Thread]:
    root = as_root(text, source)
    if hn_page.detect(root):
        return hn_page.parse(root, source)
    found = extract_comments(root, source)
    page = article_without_comments(root, source) if found is not None else root
    try:
        import trafilatura  # imported here: it costs about 0.3 s, and most commands never parse HTML

        # a Document, not a dict: as_dict is left False
        document = cast("Document | None", trafilatura.bare_extraction(page, include_comments=found is None,
                                                                        with_metadata=True, favor_recall=True))
    except (ValueError, TypeError) as exc:  # lxml raises these on input it cannot build a tree from
        raise ParseError(source, f"the HTML could not be parsed ({exc})") from exc
    if document is None and found is None:
        raise ParseError(source, "no article text or comments were found in the HTML")
    title = ((document.title if document else None) or "").strip()
    lines = [line.strip() for line in ((document.text if document else None) or "").split("\n") if line.strip()]
    if title and lines and lines[0] == title:
        lines = lines[1:]
    if found is not None:
        comments, skipped = found
    else:
        comments, skipped = _unattributed_comments((document.comments if document else None) or "")
    if not title:
        if not lines:
            raise ParseError(source, "the HTML has no title and no text")
        title = lines.pop(0)[:200]
    if not lines and not comments:
        raise ParseError(source, "no article text or comments were found in the HTML")
    return [Thread(title=title, paragraphs=tuple(lines), comments=tuple(comments),
                   url=(document.url if document else None) or None,
                   published=(document.date if document else None) or None,
                   source=(document.sitename if document else None) or None, source_file=source,
                   format=PAGE_FORMAT, skipped=skipped)]


def _unattributed_comments(text: str) -> tuple[list[Comment], dict[str, int]]:
    """trafilatura's comment text, a comment a line, without the lines that are interface text."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    kept = [line for line in lines if not is_interface_phrase(line)]
    skipped = {"interface text": len(lines) - len(kept)} if len(kept) < len(lines) else {}
    return [Comment(id=f"c{i}", author=None, text=line) for i, line in enumerate(kept)], skipped
