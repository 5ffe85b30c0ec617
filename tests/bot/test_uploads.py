"""/upload, the upload channel and the watched folder: ingest, then one digest per new content."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from indexing.config import FetchConfig
from tests.helpers import SEED, QuietHandler, db_checksum, serve, stop

from .fake_discord import ADMIN_PERMISSIONS, Channel
from .limits import assert_within_limits


def thread_json(title: str, comments: list[tuple[str, str]], paragraphs: list[str] | None = None) -> bytes:
    return json.dumps(
        {
            "title": title,
            "url": f"https://example.org/{title.replace(' ', '-').lower()}",
            "paragraphs": paragraphs
            or [
                f"{title}: the article text says the council voted on the new bridge.",
                "The mayor said the bridge would open next spring.",
            ],
            "comments": [{"id": f"c{i}", "author": a, "text": t} for i, (a, t) in enumerate(comments)],
        }
    ).encode()


def digest_messages(env, channel: str = "digests") -> list[dict]:
    return env.fake.messages_in(env.guild_a.channel(channel))


async def set_channel(env, setting: str, channel: str) -> None:
    inter = await env.fake.slash(
        env.guild_a, f"config {setting}", {"channel": Channel(channel)}, permissions=ADMIN_PERMISSIONS
    )
    assert "<#" in inter.text()


@pytest.mark.bot(embedder="real")
async def test_upload_seed_posts_digest_to_digest_channel(bot_env):
    env = bot_env
    await set_channel(env, "digest-channel", "digests")
    attachment = env.fake.attachment(SEED.name, SEED.read_bytes())
    inter = await env.fake.slash(env.guild_a, "upload", {"file": attachment})
    assert inter.callbacks[0]["type"] == 5
    assert "Indexed" in inter.text() and "Putin" in inter.text()
    assert inter.ephemeral(inter.followups[0])
    digests = digest_messages(env)
    assert len(digests) == 1
    embed = digests[0]["embeds"][0]
    assert "Putin" in embed["title"]
    assert "readers" in json.dumps(digests[0]).lower()
    # The same file again: "unchanged", and no second digest.
    again = await env.fake.slash(env.guild_a, "upload", {"file": env.fake.attachment(SEED.name, SEED.read_bytes())})
    assert "unchanged" in again.text()
    assert len(digest_messages(env)) == 1
    # Citations in answers now link to the message where the thread's digest was posted.
    answer = await env.fake.slash(env.guild_a, "ask", {"question": "what did Peskov say?"})
    link = f"https://discord.com/channels/{env.guild_a.id}/{env.guild_a.channel('digests')}/{digests[0]['id']}"
    assert link in answer.text()


async def test_bad_upload_is_ephemeral_error_and_changes_nothing(bot_env):
    env = bot_env
    await env.library.index_bytes(
        thread_json("Bridge vote", [("ann", "Good news.")]), "bridge.json", scope=str(env.guild_a.id)
    )
    before = db_checksum(env.db_path)
    for name, data in [
        ("broken.json", b'{"title": "x", "comments": [}'),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(300)),
        ("notes.pdf", b"%PDF-1.4"),
        ("empty.md", b""),
    ]:
        inter = await env.fake.slash(env.guild_a, "upload", {"file": env.fake.attachment(name, data)})
        messages = inter.messages()
        assert messages and all(inter.ephemeral(m) for m in messages), messages
        assert name.split(".")[0] in inter.text(), inter.text()
    assert db_checksum(env.db_path) == before
    assert env.fake.messages_in(env.guild_a.channel("general")) == []


@pytest.mark.bot(max_upload_bytes=1000)
async def test_upload_over_the_limit_is_refused_before_download(bot_env):
    env = bot_env
    attachment = env.fake.attachment("big.json", b"{}", size=5_000_000)
    inter = await env.fake.slash(env.guild_a, "upload", {"file": attachment})
    assert inter.callbacks[0]["type"] == 4 and inter.ephemeral(inter.callbacks[0]["data"])
    assert "over the" in inter.text() and "limit" in inter.text()
    assert not any(r.path.startswith("/files/") for r in env.fake.requests)
    assert await env.library.threads(scope=str(env.guild_a.id)) == []


async def test_upload_channel_attachment_is_ingested(bot_env):
    env = bot_env
    await set_channel(env, "upload-channel", "uploads")
    data = thread_json("Bridge vote", [("ann", "Finally a bridge."), ("bob", "Too expensive.")])
    await env.fake.post_message(
        env.guild_a,
        "here is today's thread",
        channel="uploads",
        attachments=[env.fake.attachment("bridge.json", data)],
    )
    threads = await env.library.threads(scope=str(env.guild_a.id))
    assert [t.title for t in threads] == ["Bridge vote"]
    replies = env.fake.messages_in(env.guild_a.channel("uploads"))
    assert any("Indexed" in (m["content"] or "") for m in replies)
    # No digest channel set: the digest goes to the upload channel itself.
    assert any(m["embeds"] and "Bridge vote" in m["embeds"][0]["title"] for m in replies)
    # Attachments elsewhere are not ingested.
    await env.fake.post_message(
        env.guild_a,
        "x",
        channel="general",
        attachments=[env.fake.attachment("other.json", thread_json("Other", []))],
    )
    assert len(await env.library.threads(scope=str(env.guild_a.id))) == 1


async def test_everyone_in_thread_text_never_pings(bot_env):
    env = bot_env
    data = thread_json("Ping test", [("troll", f"@everyone @here <@{env.fake.app_id}> <@&123> look at this")])
    await env.fake.slash(env.guild_a, "upload", {"file": env.fake.attachment("ping.json", data)})
    inter = await env.fake.slash(env.guild_a, "quotes", {"speaker": "troll"})
    assert "@everyone" in inter.text()
    payload = inter.followups[-1]
    assert (
        payload["allowed_mentions"] == {"parse": [], "replied_user": False}
        or payload["allowed_mentions"]["parse"] == []
    )
    digest = env.fake.messages_in(env.guild_a.channel("general"))
    assert digest and all(m["allowed_mentions"]["parse"] == [] for m in digest)
    # (The fixture checks allowed_mentions on every payload of every test as well.)


@pytest.mark.bot(rate_limit_count=2)
async def test_rate_limit_on_questions(bot_env):
    env = bot_env
    user = env.fake.user("eager")
    for _ in range(2):
        ok = await env.fake.slash(env.guild_a, "ask", {"question": "what happened?"}, user=user)
        assert ok.deferred
    limited = await env.fake.slash(env.guild_a, "ask", {"question": "what happened?"}, user=user)
    assert not limited.deferred and "ask again in" in limited.text()
    assert limited.ephemeral(limited.callbacks[0]["data"])
    other = await env.fake.slash(env.guild_a, "ask", {"question": "what happened?"}, user=env.fake.user("calm"))
    assert other.deferred


async def test_watched_folder_posts_digest_once_and_delta(bot_env, tmp_path):
    env = bot_env
    folder = tmp_path / env.guild_a.id
    folder.mkdir()
    await set_channel(env, "digest-channel", "digests")
    watch = env.bot.get_cog("Watch")
    env.bot.config = dataclasses.replace(env.bot.config, watch_root=tmp_path)
    chosen = await env.fake.slash(
        env.guild_a, "config watch-folder", {"folder": env.guild_a.id}, permissions=ADMIN_PERMISSIONS
    )
    assert "Watching" in chosen.text()
    comments = [("ann", "The bridge will help commuters."), ("bob", "The bridge costs too much money.")]
    (folder / "bridge.json").write_bytes(thread_json("Bridge vote", comments))
    await watch.scan()
    await env.fake.settle()
    assert len(digest_messages(env)) == 1
    await watch.scan()  # nothing changed: nothing posted
    await env.fake.settle()
    assert len(digest_messages(env)) == 1
    more = comments + [
        ("cat", "Ferries were better than any bridge."),
        ("dan", "I agree with cat about ferries."),
    ]
    (folder / "bridge.json").write_bytes(thread_json("Bridge vote", more))
    await watch.scan()
    await env.fake.settle()
    posted = digest_messages(env)
    assert len(posted) == 2
    delta = json.dumps(posted[1]["embeds"])
    assert "2 new comments" in delta
    # Guild B watches nothing and got nothing.
    assert await env.library.threads(scope=str(env.guild_b.id)) == []


async def test_long_answer_is_split_within_limits(bot_env):
    env = bot_env
    sentence = "The council keeps promising a bridge [{n}] while the river keeps rising every spring."
    comments = [("Verbose", " ".join(sentence.format(n=i * 10 + k) for k in range(6))) for i in range(14)]
    await env.library.index_bytes(thread_json("Bridge saga", comments), "saga.json", scope=str(env.guild_a.id))
    inter = await env.fake.slash(env.guild_a, "ask", {"question": "what did Verbose say?"})
    messages = inter.messages()
    assert len(messages) >= 2, "a long answer should span several messages"
    assert_within_limits(messages)
    descriptions = [m["embeds"][0]["description"] for m in messages]
    assert descriptions[0].rstrip().endswith("*(continued…)*")
    assert descriptions[1].startswith(f"*(…continued, part 2/{len(messages)})*")
    # No citation marker is cut: every "[" not escaped (thread text is) opens a whole "[n]".
    for d in descriptions:
        assert len(re.findall(r"(?<!\\)\[", d)) == len(re.findall(r"(?<!\\)\[\d+\]", d)) + d.count("](")
    # And every source line keeps its quote with it.
    for d in descriptions:
        for block in d.split("\n\n"):
            if block.startswith("**["):
                assert "\n> " in block


async def test_bad_file_in_upload_channel_gets_a_reply(bot_env):
    env = bot_env
    await set_channel(env, "upload-channel", "uploads")
    before = db_checksum(env.db_path)
    await env.fake.post_message(
        env.guild_a,
        "",
        channel="uploads",
        attachments=[env.fake.attachment("broken.json", b'{"comments": []}')],
    )
    replies = env.fake.messages_in(env.guild_a.channel("uploads"))
    assert len(replies) == 1 and "Could not index broken.json" in replies[0]["content"]
    assert db_checksum(env.db_path) == before


async def test_upload_of_many_threads_is_one_reply_and_one_list(bot_env):
    env = bot_env
    lines = [json.dumps({"title": f"Council vote number {i} on the long bridge project " * 2,
                         "paragraphs": [f"Vote {i} happened."], "comments": []}) for i in range(400)]
    inter = await env.fake.slash(
        env.guild_a, "upload", {"file": env.fake.attachment("many.jsonl", "\n".join(lines).encode())}
    )
    # One private reply: the first threads, then how many more (it once took 40 follow-ups).
    assert len(inter.followups) == 1 and inter.ephemeral(inter.followups[0])
    assert "more: 400 threads in all (400 indexed)" in inter.text()
    assert len(await env.library.threads(scope=str(env.guild_a.id))) == 400
    # One message in the channel (it once took 20): the first threads, the count of the others, and
    # a file listing every one with its id.
    posted = env.fake.messages_in(env.guild_a.channel("general"))
    assert len(posted) == 1 and len(posted[0]["embeds"]) == 1
    embed = posted[0]["embeds"][0]
    assert embed["title"] == "400 new or updated threads"
    shown = embed["description"].count("/digest thread:")
    assert 0 < shown < 400 and f"…and {400 - shown} more: every one is in the attached file" in embed["description"]
    where = f"/channels/{env.guild_a.channel()}/messages"
    [sent] = [r for r in env.fake.requests if r.files and r.path.endswith(where)]
    listing = sent.files["threads.tsv"].decode().splitlines()
    assert len(listing) == 400 and all(line.split("\t")[1] == "indexed" for line in listing)


async def test_a_file_of_a_few_threads_gets_a_digest_each(bot_env):
    env = bot_env
    lines = [thread_json(f"Bridge vote {i}", [("ann", f"Vote {i} was fair.")]).decode() for i in range(3)]
    await env.fake.slash(env.guild_a, "upload", {"file": env.fake.attachment("few.jsonl", "\n".join(lines).encode())})
    titles = [m["embeds"][0]["title"] for m in env.fake.messages_in(env.guild_a.channel("general"))]
    assert sorted(titles) == [f"Digest: Bridge vote {i}" for i in range(3)]


class _ThreadPage(QuietHandler):
    """A local site serving one thread in threadbot's JSON (and nothing else: robots.txt is a 404)."""

    seen: list[str] = []

    def do_GET(self):  # noqa: N802 (the http.server name)
        _ThreadPage.seen.append(self.path)
        if self.path != "/thread.json":
            self.send_error(404)
            return
        body = thread_json("Harbour fees rise", [("Ann", "Fees are too high for small boats."),
                                                 ("Bob", "The harbour needs the money.")], ["The council voted."])
        self.send_body(body)


@pytest.fixture
def local_site():
    httpd, base = serve(_ThreadPage)
    _ThreadPage.seen = []
    yield base
    stop(httpd)


@pytest.mark.bot(fetch=FetchConfig(allow_private=("127.0.0.1",)))
async def test_upload_by_url_indexes_the_fetched_thread(bot_env, local_site):
    env = bot_env
    inter = await env.fake.slash(env.guild_a, "upload", {"url": f"{local_site}/thread.json"})
    assert "Indexed" in inter.text() and "Harbour fees rise" in inter.text() and "2 comments" in inter.text()
    assert "/thread.json" in _ThreadPage.seen
    assert [t.title for t in await env.library.threads(scope=str(env.guild_a.id))] == ["Harbour fees rise"]


async def test_upload_by_url_refuses_private_addresses_and_needs_one_source(bot_env, local_site):
    env = bot_env
    inter = await env.fake.slash(env.guild_a, "upload", {"url": f"{local_site}/thread.json"})
    assert "private address" in inter.text() and inter.ephemeral(inter.followups[-1])
    assert _ThreadPage.seen == []  # refused before any request
    inter = await env.fake.slash(env.guild_a, "upload", {})
    assert "give either a file or a url" in inter.text()
    assert await env.library.threads(scope=str(env.guild_a.id)) == []
