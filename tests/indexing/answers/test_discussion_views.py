"""Discussion answers weigh what the thread weighed: among comments about the topic, the upvoted and
replied-to come first, and each shows its points and replies."""

from __future__ import annotations

import pytest

from indexing.answers.discussion import Engagement, order_views
from indexing.answers.engine import AnswerEngine
from indexing.library import ThreadLibrary
from indexing.records import Comment, Hit, Passage, Thread


def hit(pid: int, text: str = "x") -> Hit:
    return Hit(Passage(thread_id="t", kind="comment", position=pid, text=text, id=pid, comment_id=str(pid)), 1.0)


def test_engagement_orders_equally_relevant_comments_but_never_lifts_an_off_topic_one():
    views = [(hit(1), 0.60), (hit(2), 0.60), (hit(3), 0.30)]
    engagement = {1: Engagement(3, 0), 2: Engagement(500, 4), 3: Engagement(900, 9)}
    assert [h.passage.id for h in order_views(views, engagement)] == [2, 1, 3]


def test_engagement_labels():
    assert Engagement(45, 3).label() == " (45 points, 3 replies)"
    assert Engagement(1, 1).label() == " (1 point, 1 reply)"
    assert Engagement(None, 0).label() == ""


FRAMES = Thread(
    title="I found a note my grandmother hid in a book",
    paragraphs=("Yesterday I found a handwritten note from my grandmother inside an old recipe book.",),
    comments=(
        Comment("a", "lowvote", "Frame the handwritten note and hang it where you cook each day.", score=2),
        Comment("b", "topvote", "Frame the handwritten note and hang it where you cook every day.", score=480),
        Comment("c", "reply1", "Agreed with this, a frame keeps paper safe for years.", parent="b", score=5),
        Comment("d", "other", "My grandmother baked bread every Sunday morning for the family.", score=40),
    ),
)


@pytest.mark.slow
async def test_a_discussion_answer_shows_points_and_replies_most_engaging_first(tmp_path, real_embedder):
    async with await ThreadLibrary.open(tmp_path / "real.db", real_embedder) as library:
        tid = (await library.index_thread(FRAMES)).thread_id
        answer = await AnswerEngine(library).ask("What do commenters say about framing the handwritten note?", tid)
    assert answer.answered
    lines = answer.answer.splitlines()
    assert lines.index("topvote:") == 1 and "(480 points, 1 reply)" in lines[2], answer.answer
    assert lines.index("lowvote:") > lines.index("topvote:")
