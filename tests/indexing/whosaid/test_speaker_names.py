"""The who-said-what index's names, read without the statements, on each backend; and an ask that
reads only the asked speaker's statements."""

from __future__ import annotations

from indexing.answers.engine import AnswerEngine, _whole_passage
from indexing.records import Comment, Thread

ARTICLE = Thread(
    title="Harbour bridge vote",
    url="https://news.example/bridge",
    paragraphs=(
        '"This bridge will pay for itself within ten years," Mayor Ann Lee said on Monday.',
        'Opposition leader Tom Hart warned: "The costs are hidden and the traffic studies are old."',
        "Lee said she had no doubt the council would approve the plan.",
    ),
    comments=(
        Comment(id="c1", author="riverwatcher", text="The bridge traffic will ruin the old town. Build a tunnel."),
        Comment(id="c2", author="Pat", text="Bridge traffic is overstated; the ferry is worse."),
        Comment(id="c3", author="riverwatcher", text="Also, who pays for the bridge maintenance?"),
    ),
)
OTHER = Thread(title="Ferry timetable", url="https://news.example/ferry",
               paragraphs=('"The ferry runs every hour," spokesman Jan Berg said.',),
               comments=(Comment(id="d1", author="Pat", text="Every hour is not enough."),))


async def test_speaker_names_are_the_statements_names_with_their_whole_passage_flag(any_library):
    lib = any_library
    first = (await lib.index_thread(ARTICLE)).thread_id
    await lib.index_thread(OTHER)
    for thread_id in (first, None):
        statements = await lib.statements(thread_id=thread_id)
        assert statements, "the threads have statements"
        expected = {(s.speaker, s.speaker_mention) for s in statements}
        names = await lib.speaker_names(thread_id=thread_id)
        assert {(n.speaker, n.mention) for n in names} == expected
        assert len(names) == len(expected), "each (speaker, mention) once"
        whole = {s.speaker for s in statements if _whole_passage(s)}
        assert {n.speaker for n in names if n.whole_passage} == whole
        assert {"riverwatcher", "Pat"} <= whole
    assert not [n for n in await lib.speaker_names("another-guild") if n.speaker]


async def test_a_speakers_statements_are_those_the_full_list_gives(any_library):
    lib = any_library
    await lib.index_thread(ARTICLE)
    await lib.index_thread(OTHER)
    everything = await lib.statements()
    for name in ("Lee", "Ann Lee", "pat", "Jan Berg", "Hart"):
        expected = [s for s in everything if s in await lib.statements(speaker=name)]
        found = await lib.statements(speaker=name)
        assert found and found == expected, name
    assert await lib.statements(speaker="Nobody Known") == []
    assert await lib.store.statements("local", speakers=()) == []
    pats = await lib.store.statements("local", speakers=["PAT"])
    assert pats and {s.speaker for s in pats} == {"Pat"}, "speakers match whatever the case"


async def test_a_factual_question_reads_no_statements(library):
    """Every ask used to read every statement of the scope (one a comment: at 4,170 statements
    an unscoped ask took 88 ms instead of 10)."""
    thread_id = (await library.index_thread(ARTICLE)).thread_id
    reads: list[tuple] = []
    read = library.store.statements

    async def counted(*args, **kwargs):
        found = await read(*args, **kwargs)
        reads.append((args, kwargs, len(found)))
        return found

    library.store.statements = counted
    engine = AnswerEngine(library)
    answer = await engine.ask("When will the bridge pay for itself?", thread_id)
    assert answer.answered
    assert reads == []
    answer = await engine.ask("What did Tom Hart say?", thread_id)
    assert "costs are hidden" in answer.answer
    assert [kwargs.get("speakers") for _, kwargs, _ in reads] == [{"Tom Hart"}]
    reads.clear()
    answer = await engine.ask("What did riverwatcher write?", thread_id)
    assert "tunnel" in answer.answer and "maintenance" in answer.answer
    assert all(count <= 2 for _, _, count in reads), reads


async def test_remembered_names_follow_every_write_here_and_in_another_store(db_path, fake_embedder):
    """The SQLite store remembers speaker_names until the statements change (migration 13's counter)."""
    from indexing.library import ThreadLibrary

    first = await ThreadLibrary.open(db_path, fake_embedder)
    second = await ThreadLibrary.open(db_path, fake_embedder)  # as another process would
    try:
        article = (await first.index_thread(ARTICLE)).thread_id
        assert "Jan Berg" not in {n.speaker for n in await first.speaker_names()}
        assert await first.speaker_names() == await first.speaker_names()  # remembered, equal
        await first.index_thread(OTHER)  # a write through this store
        assert "Jan Berg" in {n.speaker for n in await first.speaker_names()}
        before = {n.speaker for n in await second.speaker_names()}
        await first.forget(article)  # a write through the other store
        after = {n.speaker for n in await second.speaker_names()}
        assert "riverwatcher" in before and "riverwatcher" not in after
        assert "Jan Berg" in after
        assert await second.statements(speaker="riverwatcher") == []
    finally:
        await first.close()
        await second.close()


async def test_remembered_names_outlive_writes_that_touch_no_statement(store_location, fake_embedder,
                                                                      monkeypatch):
    """Both stores remember the names until the statements change (a counter kept by triggers). On
    SQLite they were keyed on PRAGMA data_version, which moves with every commit: a setting or a
    cached summary, and the names were grouped again (0.6 s at 140,000 statements); PostgreSQL
    grouped them on every ask. Statement writes, here or in another store, still renew them."""
    from indexing.library import ThreadLibrary
    from indexing.store import statements as sqlite_statements
    from indexing.store.postgres import rows as postgres_rows

    groupings: list[tuple] = []
    for module in (sqlite_statements, postgres_rows):
        def counted(*args, _group=module.speaker_names, **kwargs):
            groupings.append(args[1:])
            return _group(*args, **kwargs)

        monkeypatch.setattr(module, "speaker_names", counted)
    first = await ThreadLibrary.open(store_location, fake_embedder)
    other = await ThreadLibrary.open(store_location, fake_embedder)  # as another process would
    try:
        article = (await first.index_thread(ARTICLE)).thread_id
        names = await first.speaker_names()
        await first.store.set_guild_setting("g", "digest_channel_id", 1)
        await other.store.set_guild_setting("g", "digest_channel_id", 2)
        assert await first.speaker_names() == names
        assert len(groupings) == 1, "unrelated writes left the remembered names alone"
        passages = await first.passages_of(article)
        kept = [s for s in await first.statements(thread_id=article) if s.speaker != "Tom Hart"]
        await other.store.replace_statements(article, passages, kept)
        assert "Tom Hart" not in {n.speaker for n in await first.speaker_names()}
        other_thread = (await other.index_thread(OTHER)).thread_id
        assert "Jan Berg" in {n.speaker for n in await first.speaker_names()}
        await other.forget(other_thread)  # the statements go by cascade: the delete trigger counts them
        assert "Jan Berg" not in {n.speaker for n in await first.speaker_names()}
        assert len(groupings) == 4
    finally:
        await first.close()
        await other.close()


async def test_a_commenter_whose_handle_has_no_words_is_still_found(library):
    """Alias matching needs words in a name; "_" and an emoji have none. Reading only the asked
    speaker's statements first left these questions with an empty answer."""
    thread = Thread(title="Harbour bridge vote", url="https://news.example/handles",
                    paragraphs=("The council will vote on the bridge on Saturday.",),
                    comments=(Comment(id="e1", author="🙂", text="The bridge traffic will ruin the old town."),
                              Comment(id="e2", author="_", text="Ferries are cheaper than any bridge or tunnel.")))
    thread_id = (await library.index_thread(thread)).thread_id
    engine = AnswerEngine(library)
    smiley = await engine.ask("What did 🙂 write?", thread_id)
    assert smiley.answered and "ruin the old town" in smiley.answer
    underscore = await engine.ask("What did _ write?", thread_id)
    assert underscore.answered and "Ferries are cheaper" in underscore.answer
