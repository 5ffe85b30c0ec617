"""The summaries wing: what the article says, what readers say, and the digest a channel gets.

Owns the summary records (records.py), the article summary (article.py), the discussion's themes
(themes.py over clustering.py and labels.py), its narrated overview (narration.py, overview.py),
the extractive selection maths (extractive.py), the cached whole-thread summary (summarize.py), the
optional LLM rewrite (rewrite.py) and digests (digest.py). Uses the library's front door and the
answers wing's verbatim checks.
"""

from .digest import Digest, make_digest, mark_digest_posted, new_comment_count
from .records import ThreadSummary
from .summarize import SummaryError, summarize

__all__ = ["Digest", "SummaryError", "ThreadSummary", "make_digest", "mark_digest_posted", "new_comment_count",
           "summarize"]
