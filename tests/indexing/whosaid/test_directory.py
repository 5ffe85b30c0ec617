"""The speaker directory answers as the plain scan does (speakers_named), and the
library makes one only when the names change."""

from __future__ import annotations

import random

from indexing.answers.questions import classify, mentioned_author
from indexing.records import Comment, SpeakerName, Thread
from indexing.whosaid import directory as directory_module
from indexing.whosaid import speakers_named
from indexing.whosaid.directory import SpeakerDirectory
from indexing.whosaid.speakers import AuthorIndex

FIRST = ["Anna", "Tom", "Jan", "Dmitry", "Hillary", "Bill", "Jane", "Li", "José", "Ann"]
LAST = ["Peskov", "Clinton", "Doe", "Lee", "Hart", "Berg", "Núñez", "O'Brien", "van Dijk", "Smith-Jones"]
TITLES = ["", "Mr. ", "President ", "spokesman ", "the ", "Sen. "]


def _name(rng: random.Random) -> str:
    shape = rng.randrange(9)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    if shape == 0:
        return f"{rng.choice(TITLES)}{first} {last}"
    if shape == 1:
        return f"{rng.choice(TITLES)}{last}"
    if shape == 2:  # handles as sites show them
        return rng.choice([f"{first}{last}{rng.randrange(100)}", f"{first.lower()}_{last.lower()}",
                           f"u/{first}{last}", f"@{first.lower()}@mastodon.social", f"{first}-{last}"])
    if shape == 3:
        return f"{first} {last} ({rng.choice(['R-Utah', 'AP', 'x'])})"
    if shape == 4:
        return rng.choice(["_", "🙂", "", "12345", "the source in Berlin", "a spokesman", "(anonymous)"])
    if shape == 5:
        return f"{last}'s"
    if shape == 6:
        return "".join(rng.choice("abcdefghij_0123456789") for _ in range(rng.randint(1, 9)))
    if shape == 7:
        return f"{first.upper()} {last.lower()}"
    return f"{first} {rng.choice(FIRST)} {last}"


def _names(rng: random.Random, count: int) -> list[SpeakerName]:
    found = []
    for _ in range(count):
        speaker = _name(rng)
        mention = rng.choice([speaker, _name(rng), f"{rng.choice(TITLES)}{speaker}", ""])
        found.append(SpeakerName(speaker, mention, rng.random() < 0.5))
    return found


def test_the_directory_names_the_speakers_the_scan_names():
    rng = random.Random(20261202)
    for _ in range(40):
        names = _names(rng, rng.randint(0, 60))
        directory = SpeakerDirectory(names)
        asked = [_name(rng) for _ in range(30)] + [n.speaker for n in names] + [n.mention for n in names]
        asked += [a.lower() for a in asked[:20]] + [a.replace(" ", "") for a in asked[:20]]
        for name in asked:
            assert directory.speakers_named(name) == speakers_named(name, names), (name, names)


def test_questions_about_commenters_read_the_same_from_a_list_or_an_index():
    authors = ["JaneDoe42", "larry", "new-man-2020", "Shelley", "gold"]
    index = AuthorIndex(authors)
    for question in ("What did Jane Doe say about the bridge?", "What did larry say about Android?",
                     "What did new-man-2020 advise?", "What did Larry Page say about Android?",
                     "Why did Shelley's comment get downvoted?", "What is the price of gold?"):
        assert classify(question, authors) == classify(question, index)
        assert mentioned_author(question, authors) == mentioned_author(question, index)
    # Authors alike but for case: a question names the last of them, as the classifier always did.
    assert mentioned_author("What did shelley say?", ["Shelley", "shelley"]) == ("shelley", 9, 16)
    assert mentioned_author("What did shelley say?", ["shelley", "Shelley"]) == ("Shelley", 9, 16)


async def test_the_library_makes_a_directory_only_when_the_names_change(library, monkeypatch):
    made: list[int] = []

    class Counted(SpeakerDirectory):
        def __init__(self, names):
            made.append(len(names))
            super().__init__(names)

    monkeypatch.setattr(directory_module, "SpeakerDirectory", Counted)
    thread = Thread(title="Harbour bridge vote", url="https://news.example/bridge",
                    paragraphs=('"This bridge will pay for itself," Mayor Ann Lee said.',),
                    comments=(Comment(id="c1", author="riverwatcher", text="Build a tunnel instead."),))
    await library.index_thread(thread)
    first = await library.speaker_directory()
    assert await library.speaker_directory() is first
    assert {s.speaker for s in await library.statements(speaker="Lee")} == {"Ann Lee"}
    await library.set_guild_setting("g", "digest_channel_id", 1)  # no statement changes
    assert await library.speaker_directory() is first and len(made) == 1
    await library.index_thread(Thread(title="Ferry", url="https://news.example/ferry",
                                      paragraphs=('"The ferry runs hourly," spokesman Jan Berg said.',)))
    second = await library.speaker_directory()
    assert second is not first and len(made) == 2
    assert second.speakers_named("Berg") == {"Jan Berg"}
