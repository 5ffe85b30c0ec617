"""HTML pages: main text, title and comments through trafilatura (a maintained extraction library)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from ..errors import ParseError
from ..records import Comment, Thread

if TYPE_CHECKING:
    from trafilatura.settings import Document


def parse_html(text: str, source: str) -> Thread:
    try:
        import trafilatura  # imported here: it costs about 0.3 s, and most commands never parse HTML

        # a Document, not a dict: as_dict is left False
        document = cast("Document | None", trafilatura.bare_extraction(text, include_comments=True,
                                                                        with_metadata=True, favor_recall=True))
    except (ValueError, TypeError) as exc:  # lxml raises these on input it cannot build a tree from
        raise ParseError(source, f"the HTML could not be parsed ({exc})") from exc
    if document is None:
        raise ParseError(source, "no article text or comments were found in the HTML")
    title = (document.title or "").strip()
    lines = [line.strip() for line in (document.text or "").split("\n") if line.strip()]
    if title and lines and lines[0] == title:
        lines = lines[1:]
    if not title:
        if not lines:
            raise ParseError(source, "the HTML has no title and no text")
        title = lines.pop(0)[:200]
    comments = [Comment(id=f"c{i}", author=None, text=line)
                for i, line in enumerate(x.strip() for x in (document.comments or "").split("\n") if x.strip())]
    if not lines and not comments:
        raise ParseError(source, "no article text or comments were found in the HTML")
    return Thread(title=title, paragraphs=tuple(lines), comments=tuple(comments),
                  url=document.url or None, published=document.date or None,
                  source=document.sitename or None, source_file=source)
